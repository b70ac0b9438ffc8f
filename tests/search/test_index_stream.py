"""The streaming build: BM25 scores computed from budgetkg's postings equal bm25s's own (one
segment or several, with tombstones), the training sample is bounded and order-free, and
the index does not depend on the worker count."""

import json
import sqlite3

import numpy as np
import pytest

from search.index import build, read_config, sync
from search.index.bm25 import Postings, average_length, contributions, idf, length_norms, term_counts, write_postings
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


def _segment(path, corpus):
    """Postings of `corpus` (lists of terms) written as one segment; (postings, lengths)."""
    flat, counts, nnz, lens = term_counts([" ".join(t) for t in corpus])
    vocab: dict[str, int] = {}
    ids = np.array([vocab.setdefault(w, len(vocab)) for w in flat], np.int32)
    # a small block size makes the writer cross many block boundaries
    write_postings(path, vocab, ids, counts, nnz, block=97)
    return Postings(path), lens


def _scores(segments, query):
    """Scores of the live rows of several segments [(postings, lengths, live mask)], computed
    as the Searcher does: statistics over the live rows of all of them."""
    n = sum(int(live.sum()) for _, _, live in segments)
    avg = average_length(sum(int(lens[live].sum()) for _, lens, live in segments), n)
    norms = [length_norms(lens, avg) for _, lens, _ in segments]
    out = [np.zeros(len(lens), np.float32) for _, lens, _ in segments]
    for term in query:
        got = [p.get(term) for p, _, _ in segments]
        df = sum(int(live[np.asarray(g[0])].sum()) for g, (_, _, live) in zip(got, segments, strict=True) if g is not None)
        if not df:
            continue
        w = idf(n, df)
        for s, g in enumerate(got):
            if g is not None:
                rows = np.asarray(g[0])
                out[s][rows] += contributions(w, np.asarray(g[1]), norms[s][rows])
    return np.concatenate([sc[live] for sc, (_, _, live) in zip(out, segments, strict=True)])


def test_scores_over_segments_with_tombstones_equal_bm25s_over_the_live_corpus(tmp_path):
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(60)]
    corpus = [[words[j] for j in rng.zipf(1.3, size=int(rng.integers(0, 40))) % 60] for _ in range(300)]
    assert any(len(t) == 0 for t in corpus)  # the empty chunk case is covered
    queries = (["w0"], ["w1", "w5"], ["w3", "w3", "w40"], words[:20], ["absent", "w2"])

    # one segment
    p, lens = _segment(tmp_path / "one", corpus)
    ref = _bm25s_reference(corpus)
    for q in queries:
        np.testing.assert_array_equal(_scores([(p, lens, np.ones(len(corpus), bool))], q),
                                      ref.get_scores_from_ids(ref.get_tokens_ids(q)))

    # the same corpus as a main segment and a delta, some rows of each tombstoned: the live
    # rows score as bm25s scores the live corpus indexed at once
    main, delta = corpus[:220], corpus[220:]
    pm, lm = _segment(tmp_path / "main", main)
    pd, ld = _segment(tmp_path / "delta", delta)
    live_m = rng.random(len(main)) > 0.1
    live_d = rng.random(len(delta)) > 0.2
    live_corpus = [t for t, keep in zip(main, live_m, strict=True) if keep] + [t for t, keep in zip(delta, live_d, strict=True) if keep]
    ref = _bm25s_reference(live_corpus)
    for q in queries:
        got = _scores([(pm, lm, live_m), (pd, ld, live_d)], q)
        np.testing.assert_array_equal(got, ref.get_scores_from_ids(ref.get_tokens_ids(q)))
    assert pm.tf.dtype == np.uint16


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


def _snapshot_rows(db):
    cfg = read_config(db)
    gen = db / "index" / cfg["generation"]
    con = sqlite3.connect(gen / "chunks.sqlite")
    rows = con.execute("SELECT * FROM chunks ORDER BY id").fetchall()
    con.close()
    bm25 = {name: np.load(gen / "bm25" / name) for name in ("indptr.npy", "rows.npy", "tf.npy")}
    vocab = json.loads((gen / "bm25" / "vocab.json").read_text(encoding="utf-8"))
    model = (db / "index" / cfg["model"]["path"] / "model.safetensors").read_bytes()
    return rows, None, bm25, vocab, model, list(cfg["documents"])
