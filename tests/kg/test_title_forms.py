"""The title and cover forms disclosures across China print their header in: the year in
Chinese numerals (二〇二四年, 二零二四年度), 年度, wrappers ("关于…的说明/报告"), the agency on a
line of its own or in a cover field (编制单位：…), scope hints ((本级), (汇总)), 中共 organs,
a publication date under the title, a title split over two lines.

Each form is built at run time: the seed texts of ../shared (their covers rewritten, nothing of
them kept here) and the generator's documents (their titles rewritten in the document model,
no option of data/ needed) must read the same agency, year, kind and scope in every form as in
the one they were printed in. The words each variant prints (部门预算, 单位决算 …) are the
original's own, chosen from its extracted facts."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

import kg.vocab as V
from kg.document import Document, Page, Paragraph, Table
from kg.extract.base import Facts, norm
from kg.extract.header import extract_header
from kg.readers.dispatch import read_document

DIGITS = "〇一二三四五六七八九"


def cn_year(y: int, zero: str = "〇") -> str:
    return "".join(DIGITS[int(c)] if c != "0" else zero for c in str(y))


def variants(ag: str, y: int, kind: str, scope: str) -> dict[str, tuple[str, str]]:
    """name -> (cover text, scope it must read): the forms of one header. `kind` and `scope` are
    codes; the cover prints their words the way titles do."""
    kw = V.kind_by_code(kind).word
    sw = next(s.word for s in V.SCOPES if s.code == scope)
    sk = sw + kw
    pub = y + 1 if kind == V.FINAL_ACCOUNT.code else y  # a final account is published the year after
    k = next(k for k in range(len(ag) // 2, len(ag)) if not re.search(r"(局|中心|委|会|部|办|院|所|站|队|室)$", ag[:k]))
    region = re.match(r"^.{1,6}?[市县区]", ag).group(0)
    hint = "本级" if scope == V.UNIT.code else "汇总"
    return {
        "numeral_year": (f"{ag}{cn_year(y)}年{sk}公开", scope),
        "numeral_year_ling_nian_du": (f"{ag}{cn_year(y, '零')}年度{sk}", scope),
        "numeral_year_circle_spaced": (f"{ag} {cn_year(y, '○')} 年{sk}公开说明", scope),
        "nian_du": (f"{ag}{y}年度{sk}公开", scope),
        "year_first_numeral": (f"{cn_year(y)}年度{ag}{sk}", scope),
        "about_explanation": (f"关于{ag}{y}年度{sk}公开的说明", scope),
        "about_report": (f"关于{ag}{y}年{sk}的报告", scope),
        "about_numeral_situation": (f"关于{ag}{cn_year(y)}年度{sk}公开情况说明", scope),
        "about_publishing": (f"关于公开{ag}{y}年{sk}的说明", scope),
        "agency_about": (f"{ag}关于{y}年度{sk}公开的说明", scope),
        "own_line": (f"{ag}\n\n{y}年{sk}", scope),
        "own_line_numeral": (f"{ag}\n\n{cn_year(y)}年度{sk}公开", scope),
        "information_disclosure": (f"{ag}{y}年{sk}信息公开", scope),
        "disclosure_explanation": (f"{ag}{y}年{sk}公开说明", scope),
        "field_compiler": (f"{y}年{sk}公开\n\n{pub}年2月\n\n编制单位：{ag}", scope),
        "field_unit_name": (f"{cn_year(y)}年{sk}\n\n单位名称：{ag}", scope),
        "field_department_name": (f"{y}年度{sk}\n\n部门名称：{ag}\n\n{pub}年3月", scope),
        "year_without_nian": (f"{ag}{y}{sk}公开", scope),
        "year_line_alone": (f"{ag}\n\n{y}\n\n{sk}", scope),
        "qualified_kind": (f"{ag}{y}年{sw}收支{kw}", scope),
        "kind_then_year_line": (f"{ag}\n\n{sk}公开\n\n{cn_year(y)}年度", scope),
        "date_above": (f"{pub}年2月\n\n{ag}{y}年{sk}公开", scope),
        "labelled_date_above": (f"公开时间：{pub}年2月10日\n\n{ag}\n\n{y}年度{sk}", scope),
        "split_name": (f"{ag[:k]}\n\n{ag[k:]}{y}年{sk}公开", scope),
        "split_kind": (f"{ag}{y}年{sk[:-1]}\n\n{sk[-1]}公开", scope),
        "attachment_above": (f"附件2\n\n{ag}{y}年{sk}公开", scope),
        "government_above": (f"{region}人民政府\n\n{ag}\n\n{y}年{sk}", scope),
        "numeral_date_below": (f"{ag}\n\n{y}年度{sk}\n\n{cn_year(pub)}年三月", scope),
        "year_after_kind": (f"{ag}{sk}（{y}年度）\n\n{pub}年8月", scope),
        "no_year_date_below": (f"{ag}\n\n{sk}公开\n\n{pub}年8月", scope),
        # 本级 (the agency's own office) or 汇总 (the department added up) in place of the scope word
        "scope_hint_bracketed": (f"{ag}（{hint}）{y}年{kw}公开", scope),
        "scope_hint_after_kind": (f"{ag}{y}年{kw}（{hint}）", scope),
        "scope_word_before_year": (f"{ag}{sw}{y}年{kw}", scope),
    }


def header(path: Path) -> Facts:
    f = Facts()
    extract_header(read_document(path), f)
    return f


def check(got: Facts, ag: str, y: int, kind: str, scope: str) -> list[str]:
    want = {"agency": ag, "year": y, "kind": kind, "scope": scope}
    have = {"agency": got.agency, "year": got.fiscal_year, "kind": got.kind, "scope": got.scope}
    return [f"{k}: {have[k]!r} != {want[k]!r}" for k in want if have[k] != want[k]]


# --- the seed texts of ../shared, their covers rewritten ------------------------------


def _cover_end(lines: list[str]) -> int:
    """The line the cover ends before: the table of contents (目录)."""
    for i, line in enumerate(lines[:40]):
        if norm(line) == V.CONTENTS_WORD:
            return i
    raise AssertionError("a seed text without a table of contents near its start: the cover cannot be told apart")


def test_seed_texts_read_the_same_header_in_every_title_form(corpus_txt, tmp_path):
    failures = []
    for path in corpus_txt:
        f0 = header(path)
        assert f0.agency and f0.fiscal_year, path.name
        lines = path.read_text(encoding="utf-8").split("\n")
        end = _cover_end(lines)
        for name, (cover, scope) in variants(f0.agency, f0.fiscal_year, f0.kind, f0.scope).items():
            out = tmp_path / f"{path.stem[:3]}_{name}.txt"
            out.write_text("\n\n" + cover + "\n\n" + "\n".join(lines[end:]), encoding="utf-8")
            bad = check(header(out), f0.agency, f0.fiscal_year, f0.kind, scope)
            if bad:
                failures.append(f"{path.stem[:3]} {name}: {'; '.join(bad)}")
    assert not failures, "\n".join(failures)


# --- the generator's documents, their titles rewritten -------------------------------


def _generated(n: int = 8):
    from data.corpus import plan_corpus

    world, plan = plan_corpus(11, n)
    return world, plan


def test_generated_documents_read_the_same_header_in_every_title_form(tmp_path):
    from data.corpus import build_doc
    from data.renderers import render_txt

    world, plan = _generated()
    failures, scopes = [], set()
    for a, y, kind, stem in plan:
        doc = build_doc(world, a, y, kind, stem)
        truth = doc.truth
        scope = truth["synthetic"]["scope"]
        scopes.add(scope)
        assert doc.blocks[0] == ("h1", doc.title)
        for name, (cover, want_scope) in variants(a.name, y, kind, scope).items():
            doc.title = cover
            doc.blocks[0] = ("h1", cover)
            out = tmp_path / f"{stem}_{name}.txt"
            out.write_text(render_txt(doc), encoding="utf-8")
            bad = check(header(out), truth["agency"]["name"], truth["fiscal_year"], truth["kind"], want_scope)
            if bad:
                failures.append(f"{stem} {a.name} {name}: {'; '.join(bad)}")
    assert scopes == {V.DEPARTMENT.code, V.UNIT.code}, "the plan should hold both scopes"
    assert not failures, "\n".join(failures)


# The forms whose lines a PDF sets apart (a cover of several lines, a field, a date) or whose
# characters a PDF's fonts print differently (〇, ○): read through the PDF reader too.
PDF_FORMS = ("numeral_year_circle_spaced", "about_numeral_situation", "own_line_numeral", "field_compiler",
             "split_name", "numeral_date_below", "scope_hint_bracketed")


def test_generated_pdfs_read_the_same_header_in_title_forms(tmp_path):
    """Each line of the cover is a block of its own, as a PDF cover sets it."""
    from data.corpus import build_doc
    from data.renderers import render_pdf

    world, plan = _generated()
    picked = {}
    for a, y, kind, stem in plan:  # one of each scope
        doc = build_doc(world, a, y, kind, stem)
        picked.setdefault(doc.truth["synthetic"]["scope"], (a, y, kind, stem))
    failures = []
    for scope, (a, y, kind, stem) in sorted(picked.items()):
        forms = variants(a.name, y, kind, scope)
        for name in PDF_FORMS:
            cover, want_scope = forms[name]
            doc = build_doc(world, a, y, kind, stem)
            first, *rest = cover.split("\n\n")
            doc.title = first
            doc.blocks[0:1] = [("h1", first)] + [("p", x) for x in rest]
            out = tmp_path / f"{stem}_{name}.pdf"
            out.write_bytes(render_pdf(doc))
            bad = check(header(out), a.name, y, kind, want_scope)
            if bad:
                failures.append(f"{stem} {a.name} {name}: {'; '.join(bad)}")
    assert len(picked) == 2
    assert not failures, "\n".join(failures)


def test_tables_only_publication_with_numeral_years_in_its_table_titles(tmp_path):
    """A publication of tables alone says its year only in the tables' titles; printed in
    Chinese numerals ("二〇二四年部门收支预算总表") it is the same year."""
    from data.corpus import build_disclosure
    from data.families import tables_only
    from data.renderers import render_txt

    world, plan = _generated()
    failures = []
    for a, y, kind, stem in plan[:4]:
        b, doc = build_disclosure(world, a, y, kind, stem)
        (_, _), (_, sheet) = tables_only(b, doc, random.Random(0))
        n = 0
        for what, t in sheet.blocks:
            if what == "table" and str(y) in t.title:
                t.title = t.title.replace(str(y), cn_year(y))
                n += 1
        assert n, "the tables-only half should print the year in its table titles"
        out = tmp_path / f"tables_{kind}_{a.idx}.txt"  # no year in the file name either
        out.write_text(render_txt(sheet), encoding="utf-8")
        bad = check(header(out), a.name, y, kind, doc.truth["synthetic"]["scope"])
        if bad:
            failures.append(f"{stem} {a.name}: {'; '.join(bad)}")
    assert not failures, "\n".join(failures)


# --- invented covers: party organs, dates, nameplates ----------------------------------


def _cover_doc(*lines: str, name: str = "cover.txt") -> Document:
    table = Table(header=[["项目", "预算数"]], rows=[["本年收入合计", "100.00"]], page=1, title="收支总表", unit="万元")
    return Document(name, "0" * 64, [Page(1, [Paragraph(x, 1) for x in lines] + [Paragraph("目录", 1), table])])


@pytest.mark.parametrize("title, agency, city", [
    ("中共青禾市委组织部2031年部门预算", "中共青禾市委组织部", "青禾市"),
    ("中共青禾市委组织部二〇三一年部门预算公开", "中共青禾市委组织部", "青禾市"),
    ("关于中国共产党青禾市委员会办公室2031年度部门预算公开的说明", "中国共产党青禾市委员会办公室", "青禾市"),
    ("共青团青禾市委员会2031年部门预算", "共青团青禾市委员会", "青禾市"),
    ("中共青禾市纪律检查委员会\n青禾市监察委员会\n2031年部门预算", None, "青禾市"),
])
def test_party_organs(title, agency, city):
    f = Facts()
    extract_header(_cover_doc(*title.split("\n")), f)
    assert f.fiscal_year == 2031 and f.kind == V.BUDGET.code
    if agency:
        assert f.agency == agency
    else:  # two nameplates of one organ stacked on the cover: one of them, never both run together
        assert f.agency in ("中共青禾市纪律检查委员会", "青禾市监察委员会")
    assert f.city == city


@pytest.mark.parametrize("lines, agency", [
    (("青禾市人民政府", "青禾市档案馆", "2031年部门预算"), "青禾市档案馆"),
    (("青禾市文化和旅游局", "青禾市档案馆", "2031年部门预算"), "青禾市档案馆"),  # a parent is no alias either
    (("福建省", "青禾市档案馆2031年部门预算"), "青禾市档案馆"),  # a region above a name with its own
    (("青禾市", "档案馆2031年部门预算"), "青禾市档案馆"),  # a name split after its region
])
def test_a_line_above_the_title_that_is_not_the_agency(lines, agency):
    f = Facts()
    extract_header(_cover_doc(*lines), f)
    assert f.agency == agency and lines[0] not in f.agency_aliases


@pytest.mark.parametrize("lines, year", [
    # a final account's cover: the publication date is the year after the fiscal year
    (("青禾市档案馆", "部门决算", "二〇三二年八月", "青禾市档案馆2031年度收入合计100.00万元。"), 2031),
    (("青禾市档案馆", "部门决算", "2032年8月", "2031年度收入合计100.00万元。", "2031年度支出合计100.00万元。"), 2031),
])
def test_a_publication_date_is_not_the_fiscal_year(lines, year):
    f = Facts()
    extract_header(_cover_doc(*lines), f)
    assert (f.agency, f.fiscal_year, f.kind) == ("青禾市档案馆", year, V.FINAL_ACCOUNT.code)


@pytest.mark.parametrize("kind_word, date, kind, year", [
    ("部门决算", "编制日期：2032年8月", V.FINAL_ACCOUNT.code, 2031),
    ("部门决算", "二〇三二年九月", V.FINAL_ACCOUNT.code, 2031),
    ("部门预算", "2031年2月", V.BUDGET.code, 2031),
])
def test_a_cover_that_names_no_year_but_its_date(kind_word, date, kind, year):
    """Nothing but the publication date says when: a final account is published the year after."""
    f = Facts()
    extract_header(_cover_doc("青禾市档案馆", kind_word, date), f)
    assert (f.agency, f.fiscal_year, f.kind) == ("青禾市档案馆", year, kind)


@pytest.mark.parametrize("text, year", [
    ("二〇二四年", "2024年"), ("二零二四年度", "2024年度"), ("二○二四年", "2024年"), ("二O二四年", "2024年"),
    ("第一二三四年", "第一二三四年"),  # no year of our era: left as printed
    ("一九九九年", "1999年"),
])
def test_arabic_years(text, year):
    from kg.extract.header import arabic_years

    assert arabic_years(text) == year


def test_the_cover_ends_at_a_table_of_contents_set_one_character_a_line():
    """"目" and "录" on lines of their own (a letter-spaced heading): what follows is the body."""
    from kg.extract.header import _front_texts

    doc = _cover_doc("青禾市档案馆2031年部门预算", "目", "录", "一、青禾市统计局部门预算情况")
    assert _front_texts(doc) == ["青禾市档案馆2031年部门预算"]
