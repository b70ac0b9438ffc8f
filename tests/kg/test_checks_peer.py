"""A peer's kind of test copy: a published 决算 (../shared/corpus/real) with ten errors planted
into its document model — a template's XX局 left in a heading, a table the 目录 lists removed, a
三公 预算数 left blank, another year in one heading, 收支总计 printed as 0, "决算数大于预算数"
where the figures say smaller, a wrong asset date, a doubled 句号, a completion rate the figures
do not give, a line that no longer adds up. At least 8 of the 10 must be found, each as a
finding the untouched document does not have.

The plants are made by pattern (the first heading of a kind, the first row of a table), never by
the document's own sentences."""

from __future__ import annotations

import re

import pytest

from kg.document import Heading, Paragraph, Table
from kg.extract import extract
from kg.extract.base import norm

NAME = "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"


@pytest.fixture(scope="module")
def original(corpus_real):
    from kg.readers.dispatch import read_document

    path = next(p for p in corpus_real if p.name == NAME)
    return read_document(path)


def _blocks(doc, kind):
    return [b for b in doc.blocks() if isinstance(b, kind)]


def _table(doc, pattern):
    return next(t for t in doc.tables() if re.search(pattern, norm(t.title or "")))


def plant(doc) -> dict[str, set[str]]:
    """Plant the ten errors into `doc` in place; returns each plant's rules."""
    heads = _blocks(doc, Heading)
    paras = _blocks(doc, Paragraph)
    # 1. a template placeholder in a heading
    h = next(h for h in heads if re.match(r"^[一二三四五六七八九十]+、", norm(h.text)))
    h.text = re.sub(r"^([一二三四五六七八九十]+、)", r"\1XX局", h.text)
    # 2. a table the 目录 lists, gone
    gone = next(t for t in doc.tables() if "政府性基金" in norm(t.title or ""))
    for page in doc.pages:
        page.blocks = [b for b in page.blocks if b is not gone]
    # 3. a part of the 三公 row left blank
    tp = _table(doc, "三公")
    row = tp.rows[0]
    nonzero = [i for i, c in enumerate(row) if i > 1 and c.strip() and float(c.replace(",", "")) > 0]
    row[nonzero[0]] = ""
    # 4. another year in one heading
    h = next(h for h in heads if re.search(r"\d{4}\s*年度", h.text))
    h.text = re.sub(r"(\d{4})(\s*年度)", lambda m: f"{int(m.group(1)) - 1}{m.group(2)}", h.text, count=1)
    # 5. 收支总计 printed as 0
    summary = _table(doc, "^收入支出决算总表$")
    total = next(r for r in summary.rows if norm(r[0]) == "总计")
    total[1] = "0.00"
    # 6. 决算数大于预算数 where the figures say smaller
    p = next(p for p in paras if "决算数小于预算数" in norm(p.text) and "年初预算为" in norm(p.text))
    p.text = re.sub(r"决算数\s*小于\s*预\s*算数", "决算数大于预算数", p.text, count=1)
    # 7. the asset date
    p = next(p for p in paras if re.search(r"截至\s*\d{4}\s*年\s*12\s*月\s*31\s*日", p.text))
    p.text = re.sub(r"12\s*月\s*31\s*日", "6 月 30 日", p.text, count=1)
    # 8. a doubled 句号
    p = next(p for p in paras if p.text.count("。") >= 2 and "截至" not in p.text)
    p.text = p.text.replace("。", "。。", 1)
    # 9. a completion rate the figures do not give
    p = next(p for p in paras if re.search(r"完成年初预算的\s*\d+\.\d+%", norm(p.text))
             and not re.search(r"完成年初预算的\s*100", norm(p.text)) and "决算数大于" not in norm(p.text))
    p.text = re.sub(r"(完成年初预算的\s*)(\d+)(\.\d+%)", lambda m: f"{m.group(1)}{int(m.group(2)) - 9}{m.group(3)}", p.text,
                    count=1)
    # 10. a 项 row of the expenditure table that no longer adds up to its 款
    t = _table(doc, "^支出决算表$")
    r = next(r for r in t.rows if re.fullmatch(r"\d{7}", norm(r[0])) and any(re.fullmatch(r"[\d,]+\.\d\d", c) for c in r))
    i = next(i for i, c in enumerate(r) if re.fullmatch(r"[\d,]+\.\d\d", c))
    r[i] = f"{float(r[i].replace(',', '')) + 10:.2f}"
    return {"placeholder": {"template_placeholder"}, "contents": {"contents_table_missing"},
            "three_public_blank": {"three_public_parts"}, "heading_year": {"heading_year"},
            "total_zero": {"grand_totals", "income_equals_expenditure"}, "comparison": {"comparison_word"},
            "asset_date": {"asset_date"}, "doubled_stop": {"doubled_full_stop"}, "completion": {"completion_rate"},
            "sum": {"functional_children_sum", "row_splits_sum", "functional_classes_sum", "class_tables_agree"}}


def test_at_least_8_of_10_planted_errors_in_a_published_final_account(original):
    import copy

    before = {(f.rule, f.where) for f in extract(copy.deepcopy(original)).findings}
    doc = copy.deepcopy(original)
    plants = plant(doc)
    new = {(f.rule, f.where) for f in extract(doc).findings} - before
    found = {name for name, rules in plants.items() if any(rule in rules for rule, _ in new)}
    assert len(found) >= 8, (sorted(set(plants) - found), sorted(new))
    assert isinstance(doc.tables()[0], Table)
