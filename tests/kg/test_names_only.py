"""Tables printed by names only (no 科目编码 column) get their codes from the national
classification lists (kg/data/classification.tsv via kg.classification), resolved by a row's
name under the rows above it; a name the lists cannot place stays uncoded."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kg.classification import NameResolver, classification, entries
from kg.document import Table
from kg.extract.lines import read_table_lines
from tests.names_only import names_only_text, scores, write_names_only

# ---------------------------------------------------------------- the list itself


def test_every_listed_code_sits_under_a_listed_parent():
    codes = {e.code for e in entries()}
    bad = [e for e in entries() if len(e.code) not in (3, 5, 7) or not e.code.isdigit()
           or (len(e.code) > 3 and e.code[:-2] not in codes)]
    assert not bad, bad[:5]
    assert {e.code[:1] for e in entries()} == {"2", "3", "5"}


def test_renamed_codes_keep_one_code_across_their_names():
    func = classification("functional")
    assert func.candidates("医疗卫生与计划生育支出") == func.candidates("卫生健康支出") == {"210"}
    assert func.candidates("文化体育与传媒支出") == func.candidates("文化旅游体育与传媒支出") == {"207"}
    renamed = [e for e in entries() if e.code == "210"]
    assert all(e.since or e.until for e in renamed) and len(renamed) >= 2


# ---------------------------------------------------------------- resolving names


def resolve(scheme: str, names: list[str]) -> list[str]:
    r = NameResolver(scheme)
    return [r.next(n) for n in names]


def test_a_name_listed_under_many_parents_takes_its_parents_code():
    assert len(classification("functional").candidates("行政运行")) > 5
    assert resolve("functional", ["社会保障和就业支出", "人力资源和社会保障管理事务", "行政运行", "社会保险经办机构",
                                  "民政管理事务", "行政运行"]) == \
        ["208", "20801", "2080101", "2080109", "20802", "2080201"]
    assert resolve("functional", ["一般公共服务支出", "人大事务", "行政运行"]) == ["201", "20101", "2010101"]


def test_an_ambiguous_bare_name_stays_uncoded():
    assert resolve("functional", ["行政运行"]) == [""]
    # its parent is a 款 the list does not hold: the 款 above it is not its parent
    assert resolve("functional", ["社会保障和就业支出", "人力资源和社会保障管理事务", "某某管理事务", "行政运行"]) == \
        ["208", "20801", "", ""]
    # the same 项 name under another 款 of the economic list (办公设备购置 under 309 and 310)
    assert resolve("economic", ["办公设备购置"]) == [""]
    assert resolve("economic", ["资本性支出", "办公设备购置"]) == ["310", "31002"]


def test_codes_agree_with_their_parents():
    names = ["社会保障和就业支出", "其他社会保障和就业支出", "其他社会保障和就业支出", "其他支出", "其他支出"]
    assert resolve("functional", names) == ["208", "20899", "2089999", "229", "22999"]
    assert resolve("economic", ["工资福利支出", "基本工资", "维修(护)费"]) == ["301", "30101", ""]
    assert resolve("economic", ["商品和服务支出", "维修(护)费", "其他对个人和家庭的补助支出"]) == ["302", "30213", ""]
    # a unique 项 whose 款 was printed earlier; one whose 款 was never printed stays uncoded
    assert resolve("functional", ["住房保障支出", "住房改革支出", "购房补贴"])[-1] == "2210203"
    assert resolve("functional", ["财政对城乡居民基本养老保险基金的补助"]) == [""]


def test_a_name_cut_short_by_its_cell_is_read_under_its_parent():
    names = ["社会保障和就业支出", "行政事业单位养老支出", "对机关事业单位基本养老保险基"]
    assert resolve("functional", names) == ["208", "20805", "2080507"]
    assert resolve("economic", ["工资福利支出", "机关事业单位基本养老保险"]) == ["301", "30108"]


def _table(rows: list[list[str]]) -> Table:
    return Table(header=[["科目名称", "合计"]], rows=rows, page=1, title="一般公共预算支出表", unit="万元")


def test_a_names_only_table_gives_coded_lines_and_keeps_unplaced_names_by_name():
    t = _table([["合计", "30"], ["社会保障和就业支出", "30"], ["\u3000\u3000某某管理事务", "30"],
                ["\u3000\u3000\u3000\u3000行政运行", "30"]])
    lines = read_table_lines(t, "万元", "budget", by_name="functional")
    assert [(ln.code, ln.key) for ln in lines] == [("208", ""), ("", "某某管理事务#1"), ("", "行政运行#1")]


# ---------------------------------------------------------------- generated documents


@pytest.fixture(scope="module")
def family_corpus(tmp_path_factory, cjk_font) -> Path:
    from data.family_output import generate_families

    out = tmp_path_factory.mktemp("names_only")
    # seed 13's four documents hold budgets and final accounts (both figure types), 万元 and 元
    generate_families(out, 4, 13, {"txt", "pdf"}, ["standard", "names_only"])
    return out


def _lines(path: Path) -> dict[str, Counter]:
    """The classification lines extraction keeps for one file: (code, figure type, amount,
    splits) per scheme."""
    from kg.extract import extract
    from kg.readers.dispatch import read_document

    out = {"functional": Counter(), "economic": Counter()}
    for ln in extract(read_document(str(path))).lines:
        if ln.scheme in out:
            out[ln.scheme][(ln.code, ln.figure_type, ln.amount, tuple(sorted(ln.splits.items())))] += 1
    return out


@pytest.mark.slow
def test_generated_names_only_documents_read_the_coded_lines(family_corpus):
    """Every code the generator prints is in the national list, so a names-only rendering
    gives the lines of the coded one, codes included."""
    stems = sorted(p.stem for p in (family_corpus / "standard" / "txt").glob("*.txt"))
    kinds = {json.loads(p.read_text("utf-8"))["kind"] for p in (family_corpus / "standard" / "truth").glob("*.json")}
    assert len(stems) == 4 and kinds == {"budget", "final_account"}, kinds
    for stem in stems:
        coded = _lines(family_corpus / "standard" / "txt" / f"{stem}.txt")
        for fmt in ("txt", "pdf"):
            named = _lines(family_corpus / "names_only" / fmt / f"{stem}.{fmt}")
            for scheme in ("functional", "economic"):
                assert coded[scheme], (stem, scheme)
                assert named[scheme] == coded[scheme], (stem, fmt, scheme, coded[scheme] - named[scheme],
                                                        named[scheme] - coded[scheme])


# ---------------------------------------------------------------- the shared seed texts


def test_the_names_only_rendering_drops_every_code_column(shared):
    text = (sorted((shared / "corpus").glob("*.txt"))[0]).read_text(encoding="utf-8")
    out = names_only_text(text)
    assert "科目编码\t" not in out and "\u3000\u3000\u3000\u3000" in out
    assert len(out.splitlines()) == len(text.splitlines())


@pytest.mark.slow
def test_names_only_seed_texts_score_like_the_coded_ones(shared, tmp_path):
    macro, cats, results = scores(shared, write_names_only(shared, tmp_path))
    detail = "; ".join(f"{r['doc']} {k} {c['detail']}" for r in results for k, c in r["categories"].items()
                       if c["f"] < 1 and k in ("functional", "economic", "totals"))
    assert cats["functional"] >= 0.95 and cats["economic"] >= 0.95, (cats, detail)
    # 基本/项目 支出 from the 合计 row of a table printed by names only (人员/公用/专项 columns)
    assert cats["totals"] >= 0.95, (cats, detail)
    assert macro >= 0.95, (macro, cats)
