import json

import pytest

from search.index import build, is_current, read_config, status, sync, vectors
from search.retrieve import Searcher, rrf


def test_rrf_fuses_by_reciprocal_rank():
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    ids = [i for i, _ in fused]
    assert ids[0] == 1  # ranks 1 and 2
    assert ids[1] == 3  # ranks 3 and 1
    assert set(ids) == {1, 2, 3, 4}
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_build_search_filters_and_config(small_db):
    db, store, docs = small_db
    stats = sync(db, store)
    assert stats["documents"] == 3 and stats["trained"] and stats["embedded"] == 3
    assert is_current(db, store)
    cfg = json.loads((db / "index" / "config.json").read_text())
    assert cfg["model"]["name"] == "builtin" and cfg["model"]["dims"] > 0
    assert (db / "index" / cfg["model"]["path"] / "modules.json").exists()
    assert cfg["faiss"]["type"] == "IndexFlatIP"
    assert cfg["tokenizer"]["dictionary_words"] >= 4  # agencies, projects, the policy number
    assert {v["source_file"] for v in cfg["documents"].values()} == {d.source_file for d in docs}
    assert sum(v["chunks"] for v in cfg["documents"].values()) == cfg["chunks"] == status(db)["chunks"]

    s = Searcher.open(db)
    hits = s.search("异地就医结算", k=3)
    assert hits and hits[0].source_file == "c_final.txt"
    h = hits[0]
    assert h.year == 2023 and h.kind == "final_account" and h.agency == "丙市医疗保障局" and h.page >= 1
    # filters restrict the candidates before ranking: the best match is excluded, others remain
    for mode in ("hybrid", "bm25", "dense"):
        got = s.search("异地就医结算", k=5, year=2024, mode=mode)
        assert all(x.year == 2024 for x in got), mode
        assert all(x.source_file != "c_final.txt" for x in got)
    assert all(x.kind == "budget" for x in s.search("资金监管", k=10, kind="budget"))
    assert {x.source_file for x in s.search("资金监管", k=10, agency="就业服务")} == {"b_budget.txt"}
    assert {x.source_file for x in s.search("资金监管", k=10, doc="a_budget.txt")} == {"a_budget.txt"}
    assert s.search("资金监管", year=1999) == []
    # entities: the project named in the text is linked to its IRI
    hit = s.search("就业见习补贴项目", k=1)[0]
    assert hit.source_file == "b_budget.txt"
    s.close()


def test_exact_policy_number_and_code_rank_their_chunks_first(small_db):
    db, store, _ = small_db
    sync(db, store)
    s = Searcher.open(db)
    top = s.search("财社[2016]101号 养老 服务 便民化 满意度", k=3)[0]
    assert "101" in top.text and top.source_file == "a_budget.txt"
    assert any("policy/" in e for e in top.entities)
    top = s.search("2010301 支出", k=1)[0]
    assert top.text.startswith("2010301 ")
    s.close()


def test_adding_and_removing_a_document_does_not_reembed_the_others(small_db, add_disclosure):
    db, store, docs = small_db
    first = sync(db, store)
    model_id = read_config(db)["model"]["id"]
    extra = add_disclosure(db, store, ("d_budget.txt", "工伤保险认定", 2024, "budget", "丁市工伤保险中心", ["工伤认定调查经费"], [],
                                  ["对工伤事故开展现场调查，及时作出工伤认定。"]))
    assert not is_current(db, store)
    stats = sync(db, store)
    assert stats["added"] == 1 and stats["embedded"] == 1 and stats["chunked"] == 1 and not stats["trained"]
    assert read_config(db)["model"]["id"] == model_id  # the model is reused, not retrained
    assert stats["retokenized"] <= 2  # only documents containing a new dictionary word
    assert Searcher.open(db).search("工伤认定", k=1)[0].source_file == "d_budget.txt"

    store.drop_graphs([f"https://w3id.org/budgetkg/id/disclosure/{extra.sha256[:16]}"])
    stats = sync(db, store)
    assert stats["removed"] == 1 and stats["embedded"] == 0 and stats["chunked"] == 0
    assert stats["chunks"] == first["chunks"]
    assert all(h.source_file != "d_budget.txt" for h in Searcher.open(db).search("工伤认定", k=10))
    # caches of the removed document are gone, the others' stay
    assert not list((db / "index" / "cache").glob(f"{extra.sha256}.*"))
    assert len(list((db / "index").glob("gen-*"))) == 1


def test_crash_while_writing_leaves_the_previous_index_usable(small_db, monkeypatch, add_disclosure):
    db, store, _ = small_db
    sync(db, store)
    before = read_config(db)
    want = [h.chunk_id for h in Searcher.open(db).search("养老保险待遇", k=5)]
    add_disclosure(db, store, ("e_budget.txt", "失业保险金发放", 2024, "budget", "戊县社保局", [], [], []))

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(vectors, "write_faiss", boom)
    with pytest.raises(OSError):
        sync(db, store)
    assert read_config(db) == before
    s = Searcher.open(db)  # reopens the previous generation
    assert [h.chunk_id for h in s.search("养老保险待遇", k=5)] == want
    monkeypatch.undo()
    stats = sync(db, store)
    assert stats["documents"] == 4 and not list((db / "index").glob(".gen-*"))


def test_rebuild_retrains_and_reindexes_from_scratch(small_db):
    db, store, _ = small_db
    sync(db, store)
    old = read_config(db)
    stats = sync(db, store, rebuild=True)
    assert stats["trained"] and stats["embedded"] == 3
    new = read_config(db)
    assert new["generation"] != old["generation"]
    assert not (db / "index" / old["model"]["path"]).exists()


def test_missing_index_is_a_clear_error(tmp_path):
    from search.index import IndexError_

    with pytest.raises(IndexError_, match="no search index"):
        Searcher.open(tmp_path)
    assert status(tmp_path)["state"] == "missing"


def test_ivf_above_the_threshold_is_trained_saved_and_filtered(small_db, monkeypatch):
    db, store, _ = small_db
    monkeypatch.setattr(vectors, "ANN_THRESHOLD", 1)
    stats = sync(db, store)
    assert stats["faiss"] == "IndexIVFFlat"
    cfg = read_config(db)
    assert cfg["faiss"]["nlist"] >= 1 and cfg["faiss"]["trained_on"] >= 1
    s = Searcher.open(db)
    assert s.search("异地就医结算", k=1, mode="dense")[0].source_file == "c_final.txt"
    assert all(h.year == 2024 for h in s.search("异地就医结算", k=5, mode="dense", year=2024))
    s.close()
    # the next generation reuses the trained coarse quantizer instead of re-running k-means,
    # whether it is built on the previous one or from the caches
    store.drop_graphs([next(d.graph for d in store.documents() if d.source_file == "a_budget.txt")])
    assert sync(db, store)["incremental"] is True
    assert read_config(db)["faiss"].get("reused_quantizer") is True
    monkeypatch.setattr(build, "INCREMENTAL", False)
    assert sync(db, store)["incremental"] is False
    assert read_config(db)["faiss"].get("reused_quantizer") is True


def test_a_passage_printed_twice_in_one_document_is_one_hit(tmp_path):
    from kg.archive import DocumentArchive
    from kg.document import Document, Heading, Page, Paragraph
    from kg.store import open_store
    from search.chunking import chunk_document

    text = "公务用车运行维护费用于车辆燃料、维修和保险支出。"
    filler = [Paragraph(f"第{i}项工作按计划推进，完成年度目标任务{i}项。", 1) for i in range(30)]
    doc = Document("dup.txt", "cd" * 32, [Page(1, [Heading(1, "一、说明", 1), Paragraph(text, 1), Heading(1, "二、工作", 1),
                                                   *filler, Heading(1, "三、附注", 1), Paragraph(text, 1)])])
    assert sum(text in c.text for c in chunk_document(doc)) >= 2
    db = tmp_path / "db"
    store = open_store(db)
    DocumentArchive(db).put(doc)
    g = "https://w3id.org/budgetkg/id/disclosure/dup"
    store.replace_graph(g, f'<{g}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/budgetkg/def#Disclosure> .\n'
                           f'<{g}> <https://w3id.org/budgetkg/def#sourceFile> "dup.txt" .\n'
                           f'<{g}> <https://w3id.org/budgetkg/def#sha256> "{doc.sha256}" .')
    sync(db, store)
    hits = Searcher.open(db).search("公务用车运行维护费", k=5, mode="bm25")
    texts = ["".join(h.text.split()) for h in hits]
    assert len(texts) == len(set(texts))
    store.close()


def test_empty_store_gives_an_empty_index_and_no_hits(tmp_path):
    from kg.store import open_store

    db = tmp_path / "db"
    store = open_store(db)
    stats = sync(db, store)
    assert stats["chunks"] == 0 and is_current(db, store)
    assert Searcher.open(db).search("任何问题") == []
    store.close()


def test_shared_searcher_follows_new_generations(small_db, add_disclosure):
    db, store, _ = small_db
    sync(db, store)
    a = Searcher.shared(db)
    assert Searcher.shared(db) is a
    add_disclosure(db, store, ("f_budget.txt", "残疾人就业保障金", 2024, "budget", "己市残联", [], [], []))
    sync(db, store)
    b = Searcher.shared(db)
    assert b is a and b.cfg["generation"] == read_config(db)["generation"]
    assert b.search("残疾人就业保障金", k=1)[0].source_file == "f_budget.txt"
