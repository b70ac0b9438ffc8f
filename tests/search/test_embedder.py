import numpy as np
import pytest

from search.embedder import BuiltinEmbedder, EmbedderError, load_embedder, train_builtin

TEXTS = [
    "退休人员养老金按时足额发放，防止冒领养老金。",
    "开展养老金领取资格认证，防止死亡后继续冒领。",
    "高校毕业生就业见习补贴按月发放。",
    "就业困难人员公益性岗位补贴和社会保险补贴。",
    "异地就医直接结算系统运行维护，保障跨省看病报销。",
    "医疗保障基金结算和医保报销审核。",
    "公务用车运行维护费和车辆购置费。",
    "单位共有公务车辆三辆，其中执法执勤用车一辆。",
] * 3


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("emb") / "model"
    train_builtin(TEXTS, ["资格认证"], d, dims=16)
    return d


def test_saved_model_is_a_sentence_transformer_giving_the_same_vectors(model_dir):
    from sentence_transformers import SentenceTransformer

    ours = BuiltinEmbedder(model_dir)
    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    queries = ["养老金冒领", "医保报销", "公务车辆", "没见过的词语组合"]
    via_st = st.encode([ours.pretokenize(q) for q in queries], convert_to_numpy=True)
    np.testing.assert_allclose(ours.encode(queries), via_st, atol=1e-5)
    assert ours.encode(queries).dtype == np.float32


def test_training_is_deterministic(model_dir, tmp_path):
    again = train_builtin(TEXTS, ["资格认证"], tmp_path / "m2", dims=16)
    np.testing.assert_allclose(BuiltinEmbedder(model_dir).weights, again.weights, atol=1e-5)


def test_vectors_carry_meaning_and_unseen_words_fall_back_to_characters(model_dir):
    e = BuiltinEmbedder(model_dir)
    v = e.encode(["养老金冒领", "退休人员养老金", "公务用车", "医保基金结算"])
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]  # pensions sit nearer pensions than cars
    # "公车" never occurs in training; its characters do
    unseen = e.encode(["公车"])[0]
    assert np.any(unseen) and unseen @ v[2] > unseen @ v[3]


@pytest.mark.slow  # waits out a query timeout or starts processes
def test_factory_errors_are_one_line(tmp_path):
    with pytest.raises(EmbedderError, match="builtin model is missing"):
        load_embedder("builtin", tmp_path)
    with pytest.raises(EmbedderError, match="cannot load embedding model"):
        load_embedder(str(tmp_path / "no-such-model"))
    with pytest.raises(EmbedderError, match="too little text"):
        train_builtin(["一"], [], tmp_path / "x")
