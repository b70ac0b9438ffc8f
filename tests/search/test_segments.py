"""Delta segments, tombstones and merges: whatever segments the index is made of, searches
return exactly what a full build of the same corpus returns (hits, order, scores, in every
mode and with filters), and a merge writes exactly the full build's main segment."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time

import numpy as np
import pytest

from search import graphmeta
from search.index import build, merge, read_config, sync, vectors
from search.retrieve import Searcher

MORE = [
    ("m1_budget.txt", "道路桥梁养护", 2022, "final_account", "甲县交通运输局", ["农村公路养护工程"],
     ["完成县道桥梁定期检测与加固。"]),
    ("m2_budget.txt", "义务教育经费保障", 2023, "budget", "乙区教育局", ["校舍维修改造项目"],
     ["改善薄弱学校办学条件，更新教学设备。"]),
    ("m3_budget.txt", "森林防火", 2024, "final_account", "丙县林业局", ["护林员补助"], ["加强林区巡护，建设防火隔离带。"]),
    ("m4_budget.txt", "农田水利建设", 2022, "budget", "丁县水务局", ["小型水库除险加固"],
     ["整治灌溉渠道，提升农田灌溉保证率。"]),
    ("m5_budget.txt", "公共文化服务", 2023, "final_account", "戊市文化馆", ["送戏下乡活动"],
     ["组织文艺演出进社区，开放公共阅览室。"]),
    ("m6_budget.txt", "食品安全抽检", 2024, "budget", "己区市场监督管理局", ["食品快检室运行"],
     ["对农贸市场开展食品安全抽样检验。"]),
]

QUERIES = ["养老保险待遇 资格认证", "农村公路 桥梁 检测", "资金监管 资金安全", "工作人员培训", "行政运行",
           "内部控制制度", "财社〔2016〕101号", "2080501 行政单位离退休", "就业见习补贴", "灌溉 水库",
           "公共阅览室 文艺演出", "食品安全抽样检验", "巡护任务"]
FILTERS = [{}, {"year": 2024}, {"kind": "budget"}, {"agency": "局"}, {"doc": "a_budget.txt"},
           {"year": 2023, "kind": "final_account"}]


def _spec(name, topic, year, kind, agency, projects, extra):
    return name, topic, year, kind, agency, projects, [], extra


@pytest.fixture
def segmented(monkeypatch):
    """Deltas stay deltas (no merge inside the sync, none in the background)."""
    monkeypatch.setattr(build, "MERGE_INLINE_CHUNKS", 0)
    monkeypatch.setattr(build, "AUTO_MERGE", False)


def _results(db) -> dict:
    """Every query × mode × filter × k, as plain data."""
    s = Searcher.open(db)
    s.refresh_s = 3600
    try:
        return {(q, mode, json.dumps(f), k): [h.to_dict() for h in s.search(q, k=k, mode=mode, **f)]
                for q in QUERIES for mode in ("hybrid", "bm25", "dense") for f in FILTERS for k in (3, 40)}
    finally:
        s.close()


def _full_build(db, store, tmp_path, monkeypatch, name):
    """The same corpus built from scratch by a full pass (same model, same quantizer), in a
    copy of the database."""
    other = tmp_path / name
    other.mkdir()
    shutil.copytree(db / "index", other / "index")
    (other / "documents").symlink_to(db / "documents")
    with monkeypatch.context() as m:
        m.setattr(build, "INCREMENTAL", False)
        stats = sync(other, store, workers=1)
    assert stats["incremental"] is False and len(read_config(other)["segments"]) == 1
    return other


def _assert_same_search(db, store, tmp_path, monkeypatch, name):
    full = _full_build(db, store, tmp_path, monkeypatch, name)
    got, want = _results(db), _results(full)
    assert sum(len(v) for v in want.values()) > 1000  # the battery finds things
    for key in want:
        assert got[key] == want[key], key
    return full


def _main_segment(db) -> dict:
    """Everything the main segment holds, for comparing two of them exactly."""
    import faiss

    cfg = read_config(db)
    gen = db / "index" / cfg["generation"]
    con = sqlite3.connect(gen / "chunks.sqlite")
    tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("chunks", "documents", "overrides")}
    con.close()
    index = faiss.read_index(str(gen / "vectors.faiss"))
    if cfg["faiss"]["type"] == "IndexIVFFlat":
        ivf = faiss.extract_index_ivf(index)
        inv = ivf.invlists
        vecs = [(faiss.rev_swig_ptr(inv.get_ids(lst), inv.list_size(lst)).copy(),
                 faiss.rev_swig_ptr(inv.get_codes(lst), inv.list_size(lst) * inv.code_size).copy())
                for lst in range(ivf.nlist)]
    else:
        vecs = [(np.arange(index.ntotal), index.reconstruct_n(0, index.ntotal))]
    arrays = {f"bm25/{n}": np.load(gen / "bm25" / n) for n in ("indptr.npy", "rows.npy", "tf.npy")}
    arrays.update({f"tf/{n}": np.fromfile(gen / "tf" / n, dtype=np.int32)
                   for n in ("term_ids.i32", "term_counts.i32", "nnz.i32", "lens.i32")})
    docs = {sha: {k: v for k, v in d.items() if k != "segment"} for sha, d in cfg["documents"].items()}
    return {"tables": tables, "vectors": vecs, "arrays": arrays, "docs": docs, "chunks": cfg["chunks"],
            "vocab": list(json.loads((gen / "bm25" / "vocab.json").read_text(encoding="utf-8")).items()),
            "faiss": cfg["faiss"], "dictionary": (gen / "dictionary.txt").read_text(encoding="utf-8"),
            "tokenizer": cfg["tokenizer"]}


def _assert_same_segment(a: dict, b: dict) -> None:
    assert a["tables"] == b["tables"] and a["docs"] == b["docs"] and a["chunks"] == b["chunks"]
    assert a["vocab"] == b["vocab"] and a["faiss"] == b["faiss"] and a["dictionary"] == b["dictionary"]
    assert a["tokenizer"] == b["tokenizer"]
    assert len(a["vectors"]) == len(b["vectors"])
    for (ia, va), (ib, vb) in zip(a["vectors"], b["vectors"], strict=True):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(va, vb)
    for name in a["arrays"]:
        np.testing.assert_array_equal(a["arrays"][name], b["arrays"][name], err_msg=name)
        assert a["arrays"][name].dtype == b["arrays"][name].dtype


def _graph_of(store, source_file):
    return next(d.graph for d in store.documents() if d.source_file == source_file)


@pytest.mark.parametrize("ann_threshold", [10**9, 1])  # IndexFlatIP; IndexIVFFlat (deltas share its quantizer)
def test_segments_and_tombstones_search_as_a_full_build(small_db, add_disclosure, monkeypatch, tmp_path,
                                                        segmented, ann_threshold):
    db, store, _ = small_db
    monkeypatch.setattr(vectors, "ANN_THRESHOLD", ann_threshold)
    for spec in MORE[:3]:
        add_disclosure(db, store, _spec(*spec))
    first = sync(db, store, workers=1)
    assert first["incremental"] is False and first["trained"]

    # nothing changed: nothing is written
    same = sync(db, store, workers=1)
    assert same["unchanged"] and same["generation"] == first["generation"]

    # add one that sorts in the middle (every later global id moves); its project name is a
    # new dictionary word the other documents' text contains, so their chunks that hold it
    # are cut again: override rows in the delta, not a new main segment
    add_disclosure(db, store, _spec("b2_budget.txt", "社区养老服务", 2024, "budget", "庚区民政局", ["内部控制制度"],
                                    ["建设社区养老服务站点，完善内部控制制度。"]))
    added = sync(db, store, workers=1)
    assert added["incremental"] is True and added["added"] == 1 and added["embedded"] == 1
    assert added["segment"].startswith("delta-") and added["generation"] == first["generation"]
    assert added["overridden_chunks"] >= 6 and added["dictionary_words_changed"] >= 2
    assert len(read_config(db)["segments"]) == 2
    _assert_same_search(db, store, tmp_path, monkeypatch, "after_add")

    # remove one: a tombstone in the main segment
    store.drop_graphs([_graph_of(store, "m1_budget.txt")])
    removed = sync(db, store, workers=1)
    assert removed["removed"] == 1 and removed["embedded"] == 0 and removed["chunked"] == 0
    cfg = read_config(db)
    assert cfg["tombstones"] == {first["generation"]: [next(iter(
        sha for sha in _shas(db, first["generation"]) if sha not in cfg["documents"]))]}
    _assert_same_search(db, store, tmp_path, monkeypatch, "after_remove")

    # replace one: the same file with other content (tombstone + delta)
    store.drop_graphs([_graph_of(store, "m2_budget.txt")])
    name, topic, year, kind, agency, projects, extra = MORE[1]
    add_disclosure(db, store, _spec(name, topic, year, kind, agency, projects, ["新增一段说明：完成年度巡护任务。"]))
    replaced = sync(db, store, workers=1)
    assert replaced["added"] == replaced["removed"] == 1
    _assert_same_search(db, store, tmp_path, monkeypatch, "after_replace")

    # several deltas, one of them removing a document an earlier delta added
    add_disclosure(db, store, _spec(*MORE[3]))
    sync(db, store, workers=1)
    add_disclosure(db, store, _spec(*MORE[4]))
    store.drop_graphs([_graph_of(store, "b2_budget.txt")])
    sync(db, store, workers=1)
    add_disclosure(db, store, _spec(*MORE[5]))
    sync(db, store, workers=1)
    assert len(read_config(db)["segments"]) >= 4
    full = _assert_same_search(db, store, tmp_path, monkeypatch, "after_deltas")

    # the merge writes the full build's main segment, and searches stay the same
    out = merge.merge(db)
    assert out is not None and out["generation"] != first["generation"]
    cfg = read_config(db)
    assert len(cfg["segments"]) == 1 and not cfg["tombstones"]
    # the segments it replaced are gone from disk (nothing reads them)
    assert sorted(p.name for p in (db / "index").iterdir() if p.name.startswith(("gen-", "delta-"))) == \
        [cfg["generation"]]
    _assert_same_segment(_main_segment(db), _main_segment(full))
    assert _results(db) == _results(full)
    if ann_threshold == 1:
        assert cfg["faiss"]["type"] == "IndexIVFFlat" and cfg["faiss"]["reused_quantizer"]


def _shas(db, segment) -> list[str]:
    con = sqlite3.connect(db / "index" / segment / "chunks.sqlite")
    try:
        return [r[0] for r in con.execute("SELECT sha256 FROM documents")]
    finally:
        con.close()


def test_a_merge_keeps_what_syncs_did_while_it_ran(small_db, add_disclosure, monkeypatch, tmp_path, segmented):
    """The merge folds a snapshot; a delta written and a document removed meanwhile survive
    its switch (the removal as a tombstone of the merged segment)."""
    db, store, _ = small_db
    for spec in MORE[:2]:
        add_disclosure(db, store, _spec(*spec))
    sync(db, store, workers=1)
    add_disclosure(db, store, _spec(*MORE[2]))
    sync(db, store, workers=1)
    snapshot = read_config(db)
    real_fold = merge.fold

    def fold_while_syncing(idx, cfg, out):
        result = real_fold(idx, cfg, out)
        # the writer lock is free while the merge folds: an ingest goes on
        add_disclosure(db, store, _spec("b3_budget.txt", "社区养老服务", 2024, "budget", "庚区民政局", ["内部控制制度"],
                                        ["建设社区养老服务站点，完善内部控制制度。"]))
        store.drop_graphs([_graph_of(store, "m1_budget.txt")])
        sync(db, store, workers=1)
        return result

    monkeypatch.setattr(merge, "fold", fold_while_syncing)
    out = merge.merge(db)
    assert out is not None and set(out["merged"]) == {s["name"] for s in snapshot["segments"]}
    cfg = read_config(db)
    assert len(cfg["segments"]) == 2 and cfg["segments"][1]["name"].startswith("delta-")
    assert list(cfg["tombstones"]) == [cfg["generation"]]
    assert {d["source_file"] for d in cfg["documents"].values()} >= {"b3_budget.txt"}
    assert "m1_budget.txt" not in {d["source_file"] for d in cfg["documents"].values()}
    monkeypatch.setattr(merge, "fold", real_fold)
    _assert_same_search(db, store, tmp_path, monkeypatch, "after_merge")


def test_a_merge_dropped_when_the_index_was_rebuilt_meanwhile(small_db, add_disclosure, monkeypatch, segmented):
    db, store, _ = small_db
    sync(db, store, workers=1)
    add_disclosure(db, store, _spec(*MORE[0]))
    sync(db, store, workers=1)
    real_fold = merge.fold

    def fold_then_rebuild(idx, cfg, out):
        result = real_fold(idx, cfg, out)
        sync(db, store, rebuild=True, workers=1)
        return result

    monkeypatch.setattr(merge, "fold", fold_then_rebuild)
    assert merge.merge(db) is None
    cfg = read_config(db)
    assert len(cfg["segments"]) == 1
    assert not [p for p in (db / "index").iterdir() if p.name.endswith(".tmp")]
    assert Searcher.open(db).search("农村公路", k=1)[0].source_file == "m1_budget.txt"


def test_a_noop_sync_reads_no_graph_metadata_and_an_add_reads_only_its_graph(small_db, add_disclosure, monkeypatch,
                                                                              segmented):
    db, store, _ = small_db
    sync(db, store, workers=1)
    asked = []

    def spy(fn):
        def inner(store_, graphs=None):
            asked.append((fn.__name__, None if graphs is None else list(graphs)))
            return fn(store_, graphs)
        return inner

    monkeypatch.setattr(graphmeta, "document_meta", spy(graphmeta.document_meta))
    monkeypatch.setattr(graphmeta, "entity_labels", spy(graphmeta.entity_labels))
    gen = read_config(db)["generation"]
    assert sync(db, store, workers=1)["unchanged"] and asked == []
    doc = add_disclosure(db, store, _spec(*MORE[0]))
    stats = sync(db, store, workers=1)
    g = _graph_of(store, "m1_budget.txt")
    assert asked == [("document_meta", [g]), ("entity_labels", [g])]
    assert stats["generation"] == gen and stats["segment"].startswith("delta-")
    assert read_config(db)["documents"][doc.sha256]["segment"] == stats["segment"]
    # the restricted queries say what the full ones say about that graph
    assert graphmeta.entity_labels(store, [g])[g] == graphmeta.entity_labels(store)[g]
    assert graphmeta.document_meta(store, [g])[doc.sha256] == graphmeta.document_meta(store)[doc.sha256]


def test_verify_reindexes_a_graph_edited_in_place(small_db, disclosure_graph, monkeypatch, tmp_path, segmented):
    """A SPARQL update can change a graph without changing its file's sha256: a trusting sync
    keeps the document, a verifying one (what the service runs after an update) re-indexes it."""
    db, store, docs = small_db
    sync(db, store, workers=1)
    a = docs[0]
    g, nt = disclosure_graph(a, 2024, "budget", "甲市社会保险服务中心", ["养老待遇资格认证专项"], ["财社〔2016〕101号"])
    store.replace_graph(g, nt)  # the agency renamed, same document
    assert sync(db, store, workers=1)["unchanged"]
    stats = sync(db, store, workers=1, verify=True)
    assert stats["reindexed"] == 1 and stats["added"] == stats["removed"] == 0
    assert stats["segment"].startswith("delta-")
    hit = Searcher.open(db).search("养老保险待遇", k=1, agency="社会保险服务中心")
    assert hit and hit[0].agency == "甲市社会保险服务中心"
    _assert_same_search(db, store, tmp_path, monkeypatch, "after_edit")


def test_a_searcher_follows_deltas_without_reopening_the_main_segment(small_db, add_disclosure, segmented):
    db, store, _ = small_db
    sync(db, store, workers=1)
    s = Searcher.open(db)
    s.refresh_s = 0
    main = s._v.segments[0]
    assert s.search("农村公路养护", k=1)[0].source_file != "m1_budget.txt"
    add_disclosure(db, store, _spec(*MORE[0]))
    sync(db, store, workers=1)
    assert s.search("农村公路养护", k=1)[0].source_file == "m1_budget.txt"
    assert s.segments[0] == main.name and s._v.segments[0] is main  # reused, not opened again
    store.drop_graphs([_graph_of(store, "m1_budget.txt")])
    sync(db, store, workers=1)
    assert all(h.source_file != "m1_budget.txt" for h in s.search("农村公路养护", k=10))
    s.close()


def test_small_indexes_merge_inside_the_sync_and_large_ones_in_the_background(small_db, add_disclosure, monkeypatch):
    db, store, _ = small_db
    sync(db, store, workers=1)
    add_disclosure(db, store, _spec(*MORE[0]))
    stats = sync(db, store, workers=1)  # small: folded at once, one segment as before
    assert stats["merged"] and len(read_config(db)["segments"]) == 1

    monkeypatch.setattr(build, "MERGE_INLINE_CHUNKS", 0)
    monkeypatch.setattr(build, "MERGE_SHARE", 0.0)  # any delta is worth a merge
    add_disclosure(db, store, _spec(*MORE[1]))
    stats = sync(db, store, workers=1)
    assert stats["merge_started"] is True
    deadline = time.monotonic() + 120
    while len(read_config(db)["segments"]) > 1 or merge.merge_running(db):
        assert time.monotonic() < deadline, (db / "index" / "merge.log").read_text()
        time.sleep(0.2)
    cfg = read_config(db)
    assert {d["source_file"] for d in cfg["documents"].values()} >= {"m1_budget.txt", "m2_budget.txt"}
    assert Searcher.open(db).search("薄弱学校办学条件", k=1)[0].source_file == "m2_budget.txt"


def test_merge_due_counts_deltas_and_tombstones():
    cfg = {"chunks": 900, "segments": [{"name": "gen-1", "seq": 1, "rows": 1000}], "tombstones": {"gen-1": ["x"]}}
    assert build.merge_due(cfg)  # 100 dead rows of 1000
    cfg = {"chunks": 1010, "segments": [{"name": "gen-1", "seq": 1, "rows": 1000},
                                        {"name": "delta-2", "seq": 2, "rows": 10, "overrides": 5}], "tombstones": {}}
    assert not build.merge_due(cfg)
    cfg["segments"] += [{"name": f"delta-{i}", "seq": i, "rows": 0, "overrides": 0} for i in range(3, 3 + 7)]
    assert build.merge_due(cfg)


def test_an_index_of_the_previous_format_is_rebuilt(small_db, add_disclosure):
    db, store, _ = small_db
    sync(db, store, workers=1)
    cfg = read_config(db)
    cfg["format"] = 1
    (db / "index" / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    add_disclosure(db, store, _spec(*MORE[0]))
    stats = sync(db, store, workers=1)
    assert stats["incremental"] is False and stats["documents"] == 4 and read_config(db)["format"] == 2


def test_chunks_containing_a_word_are_found_through_normalization(tmp_path):
    from search.chunking import Chunk
    from search.index.bm25 import Postings, term_counts
    from search.index.dictionary import chunks_containing
    from search.index.generations import SegmentWriter
    from search.index.tasks import IndexResult
    from search.tokenize import get_tokenizer, normalize

    texts = {"a": ["⼀般公共预算支出"],  # a Kangxi radical that NFKC folds into 一
             "b": ["县交通 运输局 负责", "道路养护"],  # a space a text export left between CJK
             "c": ["依据【2024】号文件"],  # year brackets folded into 〔〕
             "d": ["公共一般预算", "运输交通"],  # every character, never the word
             "e": ["ＡＢＣ项目（二期）"],  # full-width letters and brackets
             "f": ["请问我们的交通运输局在哪里"]}  # a question phrase beside the word
    tok = get_tokenizer([])
    w = SegmentWriter(tmp_path / "seg", 0)
    for sha, ts in texts.items():
        chunks = [Chunk(f"{sha}{i}", sha, f"{sha}.txt", 1, "", t, "paragraph", "某局", 2024, "budget") for i, t in
                  enumerate(ts)]
        idx_texts = [c.index_text() for c in chunks]
        rows = [(c.chunk_id, sha, c.source_file, 1, "", c.text, "paragraph", "某局", 2024, "budget", "", "[]", "某局",
                 normalize(x)) for c, x in zip(chunks, idx_texts, strict=True)]
        w.add(IndexResult("k", 0, sha, n=len(ts), source_file=f"{sha}.txt", rows=rows,
                          terms=term_counts([" ".join(tok.terms(x)) for x in idx_texts])), "urn:g", [])
    w.finish()
    w.close()
    words = {normalize(x) for x in ("一般公共", "交通运输局", "〔2024〕号", "ABC项目(二期)", "不存在的词")}
    live = np.ones(w.n, bool)
    found = chunks_containing(tmp_path / "seg", Postings(tmp_path / "seg" / "bm25"), live, words)
    naive = {i for i, t in enumerate(x for ts in texts.values() for x in ts)
             if any(word in normalize(Chunk("", "", "", 0, "", t, "", "某局", 2024, "budget").index_text())
                    for word in words)}
    assert set(found) == naive == {0, 1, 3, 6, 7}
    live[1] = False  # a tombstoned row is not reported
    assert set(chunks_containing(tmp_path / "seg", Postings(tmp_path / "seg" / "bm25"), live, words)) == naive - {1}


@pytest.mark.parametrize("text", ["【2016】 财社 101 号", "５ 万元 （2024）", "⼀般 公共 预算", "ＡＢＣ项目（二期）", "",
                                  "请问 我们 怎么 办理", "2024 年 预 算", "\u3000全角\u3000空格\u3000"])
def test_the_stored_normalized_text_cuts_as_the_text(text):
    """A dictionary change re-tokenizes chunks from their stored normalized text."""
    from search.tokenize import get_tokenizer, normalize

    tok = get_tokenizer(["财社〔2016〕101号", "一般公共预算", "ABC项目(二期)"])
    assert normalize(normalize(text)) == normalize(text)
    assert tok.terms(normalize(text)) == tok.terms(text)


def test_the_document_filter_takes_a_file_a_sha256_or_a_prefix_of_one(small_db, add_disclosure, segmented):
    db, store, docs = small_db
    sync(db, store, workers=1)
    extra = add_disclosure(db, store, _spec(*MORE[0]))
    sync(db, store, workers=1)  # a delta: the filter runs on every segment
    s = Searcher.open(db)
    for doc in ("m1_budget.txt", extra.sha256, extra.sha256[:10], extra.sha256[:10].upper()):
        hits = s.search("资金监管 工作人员培训", k=10, doc=doc)
        assert hits and {h.source_file for h in hits} == {"m1_budget.txt"}, doc
    assert s.search("资金监管", k=10, doc=docs[0].sha256[:7]) == []  # too short to be a prefix
    s.close()


@pytest.mark.parametrize("zeros", [0.0, 0.5, 0.99])
def test_the_score_floor_keeps_every_row_of_the_top(zeros):
    """BM25 ranks only the rows at or above a floor taken from block maxima: every row of the
    top `depth` (ties included) must be among them."""
    from search.retrieve import score_floor

    rng = np.random.default_rng(int(zeros * 100))
    for n, depth in ((5000, 100), (300_000, 100), (300_000, 1000), (1_100_000, 100)):
        sc = rng.choice(np.arange(1, 60, dtype=np.float32) / 7, size=n)  # few distinct values: many ties
        sc[rng.random(n) < zeros] = 0
        floor = score_floor(sc, depth)
        positive = np.sort(sc[sc > 0])[::-1]
        if len(positive) >= depth:
            assert positive[depth - 1] >= floor  # the depth-th best and all its ties are kept
        assert floor > 0 and (sc >= floor).sum() >= min(depth, len(positive))



def _two_file_graph(db, store, make_doc, halves: list[tuple[str, str, list[str]]], projects: list[str]):
    """One disclosure read from two files (kg.publication): both documents archived, one
    graph naming both files (bkg:hasFile nodes pair each name with its sha256)."""
    from kg.archive import DocumentArchive
    from kg.store import BKG, ID

    docs = [make_doc(name, topic, extra) for name, topic, extra in halves]
    g = f"{ID}disclosure/pair"
    a = f"{ID}agency/pair"
    lines = [f"<{g}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BKG}Disclosure> .",
             f'<{g}> <{BKG}fiscalYear> "2024"^^<http://www.w3.org/2001/XMLSchema#integer> .',
             f'<{g}> <{BKG}documentKind> "budget" .', f"<{g}> <{BKG}reportingAgency> <{a}> .",
             f"<{a}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BKG}Agency> .",
             f'<{a}> <http://www.w3.org/2000/01/rdf-schema#label> "辛市双文件局"@zh .']
    for i, d in enumerate(docs):
        DocumentArchive(db).put(d)
        n = f"{g}/file/{i}"
        lines += [f'<{g}> <{BKG}sourceFile> "{d.source_file}" .', f'<{g}> <{BKG}sha256> "{d.sha256}" .',
                  f"<{g}> <{BKG}hasFile> <{n}> .", f'<{n}> <{BKG}fileName> "{d.source_file}" .',
                  f'<{n}> <{BKG}fileSha256> "{d.sha256}" .']
    for i, p in enumerate(projects):
        e = f"{ID}project/pair{i}"
        lines += [f"<{e}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BKG}Project> .",
                  f'<{e}> <http://www.w3.org/2000/01/rdf-schema#label> "{p}"@zh .']
    store.replace_graph(g, "\n".join(lines))
    return docs


def test_a_disclosure_of_two_files_is_reindexed_whole_when_one_is_replaced(small_db, document_maker, monkeypatch,
                                                                            tmp_path, segmented):
    """kg.publication: one graph, two files. Replacing one file rebuilds the graph, which may
    change what the other file's chunks carry (here a project its text names): a trusting
    sync indexes the other file again too."""
    db, store, _ = small_db
    text_half = ("p_text.txt", "双文件说明", ["本年度实施城乡环境整治专项行动。"])
    _two_file_graph(db, store, document_maker, [text_half, ("p_tables.txt", "双文件表格", [])], [])
    sync(db, store, workers=1)
    before = {d["source_file"]: d["chunk_key"] for d in read_config(db)["documents"].values()}
    # the tables half replaced; the rebuilt graph now names a project the text half mentions
    _two_file_graph(db, store, document_maker, [text_half, ("p_tables.txt", "双文件表格第二版", [])],
                    ["城乡环境整治专项行动"])
    stats = sync(db, store, workers=1)
    assert stats["added"] == stats["removed"] == 1 and stats["reindexed"] == 1
    after = {d["source_file"]: d["chunk_key"] for d in read_config(db)["documents"].values()}
    assert after["p_text.txt"] != before["p_text.txt"]
    hit = Searcher.open(db).search("城乡环境整治专项行动", k=1)[0]
    assert hit.source_file == "p_text.txt" and any("project/pair0" in e for e in hit.entities)
    _assert_same_search(db, store, tmp_path, monkeypatch, "after_pair")


def test_a_large_new_segment_is_opened_beside_the_searches(small_db, add_disclosure, monkeypatch, segmented):
    """After a merge or a rebuild the Searcher opens the new main segment in a thread and
    goes on answering from the view it has; then it switches."""
    import search.retrieve

    db, store, _ = small_db
    sync(db, store, workers=1)
    s = Searcher.open(db)
    s.refresh_s = 0
    add_disclosure(db, store, _spec(*MORE[0]))
    sync(db, store, workers=1)
    merge.merge(db)  # a new main segment the Searcher has not opened
    monkeypatch.setattr(search.retrieve, "BACKGROUND_OPEN_ROWS", 1)
    assert s.search("资金监管", k=3)  # answered while the new view opens
    assert s._pending is not None
    s._pending.join(60)
    assert s.cfg["generation"] == read_config(db)["generation"]
    assert s.search("农村公路养护", k=1)[0].source_file == "m1_budget.txt"
    s.close()
