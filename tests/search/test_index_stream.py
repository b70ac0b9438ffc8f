"""The streaming build: BM25 arrays written by budgetkg equal bm25s's own, the training
sample is bounded and order-free, and the index does not depend on the worker count."""

import json
import sqlite3

import numpy as np
import pytest

from search.index import build, generations, read_config, sync, vectors
from search.index.bm25 import term_counts, write_bm25
from search.index.model import TrainingSample
from search.retrieve import Searcher

EXTRA = [
    (f"x{i}_budget.txt", topic, 2022 + i % 3, "budget" if i % 2 else "final_account", agency, [project], [], [extra])
    for i, (topic, agency, project, extra) in enumerate([
        ("道路桥梁养护", "甲县交通运输局", "农村公路养护工程", "完成县道桥梁定期检测与加固。"),
        ("义务教育经费保障", "乙区教育局", "校舍维修改造项目", "改善薄弱学校办学条件，更新教学设备。"),
        ("森林防火", "丙县林业局", "护林员补助", "加强林区巡护，建设防火隔离带。"),
        ("农田水利建设", "丁县水务局", "小型水库除险加固", "整治灌溉渠道，提升农田灌溉保证率。"),
        ("公共文化服务", "戊市文化馆", "送戏下乡活动", "组织文艺演出进社区，开放公共阅览室。"),
        ("食品安全抽检", "己区市场监督管理局", "食品快检室运行", "对农贸市场开展食品安全抽样检验。"),
    ])
]


def _bm25s_reference(corpus_terms):
    import bm25s

    retr = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    retr.index([t if t else [""] for t in corpus_terms], show_progress=False)
    return retr


def test_streamed_bm25_equals_bm25s(tmp_path):
    import bm25s

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(60)]
    corpus = [[words[j] for j in rng.zipf(1.3, size=int(rng.integers(0, 40))) % 60] for _ in range(300)]
    flat, counts, nnz, lens = term_counts([" ".join(t) for t in corpus])
    vocab: dict[str, int] = {}
    ids = np.array([vocab.setdefault(w, len(vocab)) for w in flat], np.int32)
    # a small block size makes the writer cross many block boundaries
    write_bm25(tmp_path / "bm25", vocab, ids, counts, nnz, lens, block=97)
    ours = bm25s.BM25.load(str(tmp_path / "bm25"), mmap=True)
    ref = _bm25s_reference(corpus)
    assert ours.scores["num_docs"] == ref.scores["num_docs"] == len(corpus)
    for q in (["w0"], ["w1", "w5"], ["w3", "w3", "w40"], words[:20]):
        a = ours.get_scores_from_ids(ours.get_tokens_ids(q))
        b = ref.get_scores_from_ids(ref.get_tokens_ids(q))
        np.testing.assert_array_equal(a, b)
    assert any(len(t) == 0 for t in corpus)  # the empty chunk case is covered


def test_training_sample_is_bounded_deterministic_and_in_corpus_order():
    texts = [f"第{i}段文字" * (1 + i % 7) for i in range(500)]
    everything = TrainingSample(10**9)
    everything.add(0, texts)
    assert everything.texts() == texts  # all of them, in order, when they fit
    s1, s2 = TrainingSample(2000), TrainingSample(2000)
    s1.add(0, texts)
    for i in range(0, 500, 37):  # the same corpus arriving in other pieces
        s2.add(i, texts[i:i + 37])
    got = s1.texts()
    assert 0 < sum(map(len, got)) <= 2000 and len(got) < len(texts)
    assert got == s2.texts()
    assert got == [t for t in texts if t in set(got)]  # corpus order


def _snapshot(db):
    """rows, vectors, BM25 arrays, vocabulary, model bytes, documents of the live generation."""
    import faiss

    rows, _, bm25, vocab, model, docs = _snapshot_rows(db)
    gen = db / "index" / read_config(db)["generation"]
    index = faiss.read_index(str(gen / "vectors.faiss"))
    return rows, index.reconstruct_n(0, index.ntotal), bm25, vocab, model, docs


def test_the_index_does_not_depend_on_the_worker_count(small_db, add_disclosure, monkeypatch):
    db, store, _ = small_db
    for spec in EXTRA:
        add_disclosure(db, store, spec)
    serial = sync(db, store, workers=1)
    assert serial["workers"] == 1 and serial["documents"] == 9
    a = _snapshot(db)
    hits_a = [h.chunk_id for h in Searcher.open(db).search("农村公路 桥梁 检测", k=10)]

    monkeypatch.setattr(build, "PARALLEL_MIN_DOCS", 2)
    parallel = sync(db, store, rebuild=True, workers=2)
    assert parallel["workers"] == 2 and parallel["trained"] and parallel["embedded"] == 9
    b = _snapshot(db)
    assert a[0] == b[0]  # the same chunks, in the same order
    np.testing.assert_array_equal(a[1], b[1])  # the same vectors
    for name in a[2]:
        np.testing.assert_array_equal(a[2][name], b[2][name])
    assert a[3] == b[3] and a[4] == b[4] and a[5] == b[5]
    assert [h.chunk_id for h in Searcher.open(db).search("农村公路 桥梁 检测", k=10)] == hits_a
    assert hits_a

    # an incremental sync in the pool reuses every cache
    again = sync(db, store, workers=2)
    assert again["embedded"] == again["chunked"] == again["retokenized"] == 0 and not again["trained"]
    assert _snapshot(db)[0] == a[0]


@pytest.mark.parametrize("n_chunks", [0, 1])
def test_term_counts_keep_an_empty_chunk_as_the_empty_term(n_chunks):
    flat, counts, nnz, lens = term_counts([""] * n_chunks)
    assert flat == [""] * n_chunks and list(nnz) == [1] * n_chunks and list(lens) == [1] * n_chunks


def _ivf_lists(index):
    import faiss

    ivf = faiss.extract_index_ivf(index)
    inv = ivf.invlists
    out = []
    for lst in range(ivf.nlist):
        sz = inv.list_size(lst)
        out.append((faiss.rev_swig_ptr(inv.get_ids(lst), sz).copy(),
                    faiss.rev_swig_ptr(inv.get_codes(lst), sz * inv.code_size).copy()))
    return out


def _generation(db):
    """Everything a generation holds, for comparing two of them exactly."""
    import faiss

    rows, _, bm25, vocab, model, docs = _snapshot_rows(db)
    cfg = read_config(db)
    gen = db / "index" / cfg["generation"]
    index = faiss.read_index(str(gen / "vectors.faiss"))
    if cfg["faiss"]["type"] == "IndexIVFFlat":
        vectors = _ivf_lists(index)
    else:
        vectors = [(np.arange(index.ntotal), index.reconstruct_n(0, index.ntotal))]
    faiss_cfg = {k: v for k, v in cfg["faiss"].items()}
    tf = {name: np.fromfile(gen / "tf" / name, dtype=np.int32) for name in
          ("term_ids.i32", "term_counts.i32", "nnz.i32", "lens.i32")}
    return {"rows": rows, "vectors": vectors, "bm25": bm25, "vocab": vocab, "model": model, "docs": docs,
            "documents": cfg["documents"], "chunks": cfg["chunks"], "faiss": faiss_cfg, "tf": tf,
            "dictionary": (gen / "dictionary.txt").read_text(encoding="utf-8")}


def _snapshot_rows(db):
    cfg = read_config(db)
    gen = db / "index" / cfg["generation"]
    con = sqlite3.connect(gen / "chunks.sqlite")
    rows = con.execute("SELECT * FROM chunks ORDER BY id").fetchall()
    con.close()
    bm25 = {name: np.load(gen / "bm25" / name) for name in
            ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")}
    vocab = json.loads((gen / "bm25" / "vocab.index.json").read_text(encoding="utf-8"))
    model = (db / "index" / cfg["model"]["path"] / "model.safetensors").read_bytes()
    return rows, None, bm25, vocab, model, list(cfg["documents"])


def _assert_same(a, b):
    assert a["rows"] == b["rows"]
    assert a["documents"] == b["documents"] and a["docs"] == b["docs"] and a["chunks"] == b["chunks"]
    assert len(a["vectors"]) == len(b["vectors"])
    for (ia, va), (ib, vb) in zip(a["vectors"], b["vectors"], strict=True):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(va, vb)
    for name in a["bm25"]:
        np.testing.assert_array_equal(a["bm25"][name], b["bm25"][name])
    for name in a["tf"]:
        np.testing.assert_array_equal(a["tf"][name], b["tf"][name])
    assert a["vocab"] == b["vocab"] and list(a["vocab"].items()) == list(b["vocab"].items())
    assert a["model"] == b["model"] and a["faiss"] == b["faiss"] and a["dictionary"] == b["dictionary"]


def _full_build_beside(db, store, tmp_path, monkeypatch, name):
    """The same corpus built by a full pass over the caches, from the same previous
    generation, in a copy of the database (the incremental chain in `db` goes on)."""
    import shutil

    other = tmp_path / name
    other.mkdir()
    shutil.copytree(db / "index", other / "index")
    (other / "documents").symlink_to(db / "documents")
    with monkeypatch.context() as m:
        m.setattr(build, "INCREMENTAL", False)
        stats = sync(other, store, workers=1)
    assert stats["incremental"] is False
    return _generation(other)


@pytest.mark.parametrize("ann_threshold", [10**9, 1])  # IndexFlatIP; IndexIVFFlat (lists kept)
def test_an_incremental_generation_equals_a_full_build(small_db, add_disclosure, monkeypatch, tmp_path,
                                                       ann_threshold):
    db, store, _ = small_db
    monkeypatch.setattr(vectors, "ANN_THRESHOLD", ann_threshold)
    monkeypatch.setattr(generations, "INCREMENTAL_MAX_CHANGED", 1.0)  # tiny corpus: one change is a big share
    for spec in EXTRA[:4]:
        add_disclosure(db, store, spec)
    first = sync(db, store, workers=1)
    assert first["incremental"] is False and first["trained"]

    def graph_of(source_file):
        return next(d.graph for d in store.documents() if d.source_file == source_file)

    # nothing changed: the live generation stays
    same = sync(db, store, workers=1)
    assert same["unchanged"] and same["generation"] == first["generation"]

    # add one (sorts between existing ones: every later chunk id moves)
    # (its project name is a new dictionary word that the other documents' text contains, so
    # their terms are cut again; the rest of them is taken from the previous generation)
    name, topic, year, kind, agency, projects, policies, extra = EXTRA[4]
    add_disclosure(db, store, ("b2_budget.txt", topic, year, kind, agency, ["内部控制制度"], policies, extra))
    added = sync(db, store, workers=1)
    assert added["incremental"] is True and added["added"] == 1 and added["embedded"] == 1
    assert added["dictionary_words_changed"] >= 2 and added["retokenized"] == 8
    _assert_same(_generation(db), _full_build_beside(db, store, tmp_path, monkeypatch, "after_add"))

    # remove one
    store.drop_graphs([graph_of("x1_budget.txt")])
    removed = sync(db, store, workers=1)
    assert removed["incremental"] is True and removed["removed"] == 1 and removed["embedded"] == 0
    _assert_same(_generation(db), _full_build_beside(db, store, tmp_path, monkeypatch, "after_remove"))

    # replace one: the same file with other content
    store.drop_graphs([graph_of("x2_budget.txt")])
    name, topic, year, kind, agency, projects, policies, extra = EXTRA[2]
    add_disclosure(db, store, (name, topic, year, kind, agency, projects, policies, ["新增一段说明：完成年度巡护任务。"]))
    replaced = sync(db, store, workers=1)
    assert replaced["incremental"] is True and replaced["added"] == replaced["removed"] == 1
    got = _generation(db)
    _assert_same(got, _full_build_beside(db, store, tmp_path, monkeypatch, "after_replace"))
    assert ("faiss" in got and got["faiss"].get("reused_quantizer")) or ann_threshold > 1
    hits = Searcher.open(db).search("新增一段说明 巡护任务", k=3)
    assert hits and hits[0].source_file == name


def test_a_generation_without_term_counts_is_rebuilt_from_the_caches(small_db, add_disclosure):
    import shutil

    db, store, _ = small_db
    sync(db, store, workers=1)
    gen = db / "index" / read_config(db)["generation"]
    shutil.rmtree(gen / "tf")  # as written before tf/ existed
    add_disclosure(db, store, EXTRA[0])
    stats = sync(db, store, workers=1)
    assert stats["incremental"] is False and stats["documents"] == 4
    assert (db / "index" / stats["generation"] / "tf" / "nnz.i32").stat().st_size == 4 * stats["chunks"]
    add_disclosure(db, store, EXTRA[1])
    assert sync(db, store, workers=1)["incremental"] is True


def test_documents_containing_a_word_are_found_through_normalization(tmp_path):
    from search.chunking import Chunk
    from search.index.dictionary import documents_containing
    from search.tokenize import normalize

    texts = {"a": ["⼀般公共预算支出"],  # a Kangxi radical that NFKC folds into 一
             "b": ["县交通 运输局 负责", "道路养护"],  # a space a text export left between CJK
             "c": ["依据【2024】号文件"],  # year brackets folded into 〔〕
             "d": ["公共一般预算", "运输交通"],  # every character, never the word
             "e": ["ＡＢＣ项目（二期）"]}  # full-width letters and brackets
    db = tmp_path / "chunks.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE chunks (id INTEGER PRIMARY KEY, sha256, section, text, agency, year, kind, title)")
    rows = [(sha, "", t, "某局", 2024, "budget", "") for sha, ts in texts.items() for t in ts]
    con.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?)", [(i, *r) for i, r in enumerate(rows)])
    con.commit()
    con.close()
    words = {normalize(w) for w in ("一般公共", "交通运输局", "〔2024〕号", "ABC项目(二期)", "不存在的词")}

    def naive(sha):
        joined = normalize("\n".join(Chunk("", sha, "", 0, "", t, "", "某局", 2024, "budget", "").index_text()
                                     for t in texts[sha]))
        return any(w in joined for w in words)

    assert documents_containing(db, words) == {s for s in texts if naive(s)} == {"a", "b", "c", "e"}
