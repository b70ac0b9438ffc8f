"""Disclosure totals: income, expenditure, basic/project, personnel/public, 三公,
机关运行经费, 政府采购, carry-overs.

Tables first (a figure printed in a table is what the narrative summarises): labelled rows
of the 收支总表 ("本年收入合计 | 45928.08 | 本年支出合计 | 45928.08"), the 合计 row of the
primary expenditure-by-function table, the first data row of the 三公 table. Narrative
sentences ("机关运行经费预算总额 67.47 万元") fill what no table prints.
"""

from __future__ import annotations

import re
from decimal import Decimal

from kg import vocab as V
from kg.document import Document, Table
from kg.extract.base import (
    Facts,
    Figure,
    Prov,
    clean_name,
    funding_scope,
    header_paths,
    logical_paragraphs,
    norm,
)
from kg.extract.lines import ColumnMap, _figure_groups, _score
from kg.extract.tables import BASIC_KINDS, FUNCTIONAL_ORDER, is_kind, table_kinds
from kg.money import doc_unit, normalize, parse_decimal, table_factor, to_yuan
from kg.readers.outline import OUTLINE_RE

# Measures a labelled table row states, tried in this order on each row label.
ROW_LABELS = {m.key: V.alternation(m.rows) for m in (V.INCOME, V.EXPENDITURE, V.CARRY_OVER, V.CARRY_FORWARD,
                                                       V.PERSONNEL, V.PUBLIC, V.GRAND_INCOME, V.GRAND_EXPENDITURE)}


def _label(cell: str) -> str:
    return OUTLINE_RE.sub("", norm(cell))


def table_row_totals(doc: Document, unit: str, kind: str) -> dict[str, Figure]:
    found: dict[str, Figure] = {}
    for t in doc.tables():
        factor = table_factor(t, unit)
        paths = header_paths(t)
        outturn_cols = {i for i, p in enumerate(paths) if any(V.FINAL_ACCOUNT.word in x for x in p)}
        for ri, r in enumerate(t.rows):
            cells = [_label(c) for c in r]
            for i, c in enumerate(cells):
                if not c or parse_decimal(c) is not None:
                    continue
                for key, pat in ROW_LABELS.items():
                    if key in found or not re.fullmatch(pat, c):
                        continue
                    value = None
                    for j in range(i + 1, len(cells)):
                        if kind == V.FINAL_ACCOUNT.code and outturn_cols and j not in outturn_cols and parse_decimal(r[j]) is not None \
                                and any(k > j and parse_decimal(r[k]) is not None for k in outturn_cols):
                            continue
                        v = parse_decimal(r[j])
                        if v is not None:
                            value = v
                            break
                        if cells[j]:  # the next label: this one printed no figure
                            break
                    if value is None and key in (V.CARRY_OVER.key, V.CARRY_FORWARD.key):
                        value = Decimal(0)  # a blank carry-over row prints "nothing carried"
                    if value is not None:
                        page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
                        found[key] = Figure(normalize(value * factor), Prov(page, clean_name(t.title or "") or None, ri + 1, clean_name(r[i])))
    return found


# The id cells of a table's 合计 row: 合计/总计 (or the expenditure total's label), or a row number.
_TOTAL_ROW_ID = re.compile(rf"(合计|总计|{V.alternation(V.EXPENDITURE_TOTAL_LABELS)}|\d{{1,2}})?")


def split_totals(doc: Document, unit: str, kind: str) -> dict[str, Figure]:
    """basic/project/personnel/public (and the total) from the 合计 rows of classified tables."""
    out: dict[str, Figure] = {}
    tables = []
    kinds = table_kinds(doc, kind)
    for ti, t in enumerate(doc.tables()):
        tk = kinds.get(id(t))
        groups = _figure_groups(t)
        if groups:  # a 决算 table with 年初预算数 and 决算数 groups: read the document's own figure
            t = groups[V.kind_by_code(kind).figure_type]
        cm = ColumnMap(t, kind)
        # a classified table, or an expenditure table split into 基本/项目 without codes (支出总表
        # as one row: 合计 | 基本支出 | 项目支出 | 单位预留机动经费)
        # or a classified table printed by names only, whose 合计 row is the one with 合计 in it
        if cm.code is None and not cm.split_codes and not (
                is_kind(tk, *FUNCTIONAL_ORDER) and cm.basic is not None and cm.project is not None) and not (
                is_kind(tk, *FUNCTIONAL_ORDER, *BASIC_KINDS) and cm.name is not None):
            continue
        row = None
        ids = [i for i in [cm.code, cm.name, *cm.split_codes] if i is not None]
        for ri, r in enumerate(t.rows):
            cells = [norm(c) for c in r]
            id_text = "".join(cells[i] for i in ids if i < len(cells))
            if re.search(r"\d{3}", id_text):
                continue  # a coded row
            # the 合计 row: its label cells say 合计/总计 (or are blank in the first row)
            if _TOTAL_ROW_ID.fullmatch(id_text) and \
                    (re.search(r"合计|总计", "".join(cells)) or (ri == 0 and not id_text)) and \
                    cm.total is not None and cm.total < len(r) and parse_decimal(r[cm.total]) is not None:
                row = (ri, r)
                break
        if row is None:
            continue
        econ = is_kind(tk, *BASIC_KINDS) and not any(re.match(r"^2\d\d", norm(c)) for x in t.rows[:3] for c in x[:4])
        econ = econ or any(re.match(r"^3\d\d", norm(x[0] if x else "")) for x in t.rows[:3])
        tables.append((ti, t, cm, row, "economic" if econ else "functional", tk))
    if not tables:
        return out

    def score(item):
        ti, t, cm, row, scheme, tk = item
        return (_score(t, [], "functional", tk) if scheme == "functional" else -5, -ti)

    for _ti, t, cm, (ri, r), scheme, tk in sorted(tables, key=score, reverse=True):
        factor = table_factor(t, unit)
        page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
        prov = Prov(page, clean_name(t.title or "") or None, ri + 1)

        def val(i, r=r, factor=factor):
            if i is None or i >= len(r):
                return None
            v = parse_decimal(r[i])
            return normalize(v * factor) if v is not None else None

        vals = {"basic": val(cm.basic), "project": val(cm.project), "personnel": val(cm.personnel),
                "public": val(cm.public)}
        basic_only = scheme == "economic" or is_kind(tk, *BASIC_KINDS)
        if basic_only:
            # a basic-expenditure table: its total is the basic total
            vals["basic"] = vals["basic"] or val(cm.total)
            vals["project"] = None
        if vals["basic"] is None and cm.basic is None and vals["personnel"] is not None and vals["public"] is not None:
            vals["basic"] = vals["personnel"] + vals["public"]
        if scheme == "functional" and val(cm.total) is not None and "expenditure_table" not in out \
                and not basic_only:
            out["expenditure_table"] = Figure(val(cm.total), prov)
        if vals["basic"] is not None:
            out.setdefault("basic@" + funding_scope(t.title), Figure(vals["basic"], prov))
        if None not in (vals["basic"], vals["project"], val(cm.total)) and cm.total not in (cm.basic, cm.project):
            # the 合计 row's own split, for checks (合计 = 基本 + 项目 within each table)
            for k, v in (("total", val(cm.total)), ("basic", vals["basic"]), ("project", vals["project"])):
                out[f"row@{_ti}:{k}"] = Figure(v, prov)
        for k, v in vals.items():
            if v is not None and k not in out and (cm.__dict__.get(k) != cm.total or k == "basic"):
                out[k] = Figure(v, prov)
    return out


def summary_splits(doc: Document, unit: str, kind: str) -> list[dict[str, Figure]]:
    """人员经费 / 公用经费 as printed in the 总计 row of each uncoded table that has those
    columns (the 财务收支总表): the same 基本支出 another table splits, for checks to compare."""
    out = []
    for t in doc.tables():
        cm = ColumnMap(t, kind)
        if cm.code is not None or cm.split_codes or cm.personnel is None or cm.public is None:
            continue
        factor = table_factor(t, unit)
        for ri in range(len(t.rows) - 1, -1, -1):
            r = t.rows[ri]
            if not any(_label(c) in V.SUMMARY_TOTAL_LABELS for c in r):
                continue
            vals = [parse_decimal(r[i]) if i < len(r) else None for i in (cm.personnel, cm.public)]
            if None in vals:
                break
            page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
            prov = Prov(page, clean_name(t.title or "") or None, ri + 1)
            out.append({"personnel": Figure(normalize(vals[0] * factor), prov),
                        "public": Figure(normalize(vals[1] * factor), prov)})
            break
    return out


def summary_labels(doc: Document, unit: str, where: Figure | None) -> list[tuple[str, Figure]]:
    """Every "label | figure" pair of the table that printed 本年支出合计 (the 收支总表): its
    expenditure side names the function classes without codes ("八、卫生健康支出 | 236.63"),
    for checks to compare with the classified tables."""
    if where is None or where.prov.table is None:
        return []
    out = []
    for t in doc.tables():
        if clean_name(t.title or "") != where.prov.table or where.prov.page not in (t.pages or [t.page]):
            continue
        factor = table_factor(t, unit)
        for ri, r in enumerate(t.rows):
            for i in range(len(r) - 1):
                label, v = _label(r[i]), parse_decimal(r[i + 1])
                if label and v is not None and parse_decimal(r[i]) is None:
                    page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
                    out.append((label, Figure(normalize(v * factor), Prov(page, where.prov.table, ri + 1))))
        break
    return out


# Which column of the 三公 table holds what, by its header (leaf cell, or the joined path for the total).
_THREE_PUBLIC_COLUMNS = [
    (V.THREE_PUBLIC.key, rf"{V.THREE_PUBLIC_WORD}.*(合计|总计)|^合计$|^{V.THREE_PUBLIC_BARE}$"),
    (V.ABROAD.key, V.alternation(V.ABROAD.cells)), (V.VEHICLES.key, V.alternation(V.VEHICLES.cells)),
    (V.VEHICLE_PURCHASE.key, rf"(?:{V.alternation(V.VEHICLE_PURCHASE.cells)})$"),
    (V.VEHICLE_OPERATION.key, rf"(?:{V.alternation(V.VEHICLE_OPERATION.cells)})$"),
    (V.RECEPTION.key, V.alternation(V.RECEPTION.cells)), (V.OPERATING.key, V.alternation(V.OPERATING.cells)),
]


def three_public(doc: Document, unit: str, kind: str) -> dict[str, Figure]:
    keys = _THREE_PUBLIC_COLUMNS
    kinds = table_kinds(doc, kind)
    for t in doc.tables():
        if not is_kind(kinds.get(id(t)), V.TK_THREE_PUBLIC.key):
            continue
        paths = header_paths(t)
        # 会议费 and 培训费 beside the three parts: the table's 合计 is theirs too, not the 三公 total
        extras = any(p and p[-1] in V.NOT_THREE_PUBLIC for p in paths)
        factor = table_factor(t, unit)
        cols: dict[str, int] = {}
        outturn = {i for i, p in enumerate(paths) if any(V.FINAL_ACCOUNT.word in x for x in p)}
        for key, pat in keys:
            for i, p in enumerate(paths):
                if not p or (kind == V.FINAL_ACCOUNT.code and outturn and i not in outturn):
                    continue
                if kind != V.FINAL_ACCOUNT.code and outturn and i in outturn:
                    continue
                # "预算数/决算数" under each heading says which figure, not which item
                p = [x for x in p if x not in (*V.FIGURE_COLUMNS, "金额")] or p
                joined = "/".join(p)
                if key == V.THREE_PUBLIC.key:
                    if extras and V.THREE_PUBLIC_WORD not in joined:
                        continue
                    if extras and (len(p) == 1 or re.search(rf"(?:{V.alternation(V.SUM_WORDS)})$", joined)):
                        cols.setdefault(key, i)  # the 三公 group's own 小计
                        break
                    if re.search(pat, p[0]) or re.search(rf"{V.THREE_PUBLIC_WORD}.*合计", joined):
                        cols.setdefault(key, i)
                        break
                    continue
                if key in (V.VEHICLE_PURCHASE.key, V.VEHICLE_OPERATION.key) and len(p) < 2:
                    continue
                if key == V.VEHICLES.key and not (len(p) == 1 or p[-1] in ("小计", "合计")):
                    continue
                if key in (V.VEHICLE_PURCHASE.key, V.VEHICLE_OPERATION.key) and re.search(r"购置及运行|购置和运行", p[-1]):
                    continue
                if re.search(pat, p[-1] if key != V.THREE_PUBLIC.key else joined) or \
                        (key == V.VEHICLES.key and re.search(pat, joined)):
                    cols.setdefault(key, i)
                    break
        if not cols:
            by_rows = _three_public_by_rows(t, kind, factor)
            if by_rows:
                return by_rows
        if V.THREE_PUBLIC.key not in cols and not (extras and _parts_columns(cols)):
            continue  # (a table of the parts alone is read by the text's parts below)
        # rows may be labelled 预算数 / 决算数 (figure type per row, not per column)
        labels = [norm(r[0]) if r else "" for r in t.rows]
        want = V.kind_by_code(kind).word
        prefer = [ri for ri, lab in enumerate(labels) if want in lab]
        order = prefer + [ri for ri in range(len(t.rows)) if ri not in prefer]
        for ri in order:
            r = t.rows[ri]
            if extras:
                _total_by_parts(r, cols)
            if V.THREE_PUBLIC.key not in cols:
                continue
            v = parse_decimal(r[cols[V.THREE_PUBLIC.key]]) if cols[V.THREE_PUBLIC.key] < len(r) else None
            if v is None and ri in prefer and not any(parse_decimal(c) is not None for c in r):
                v = Decimal(0)  # the 决算数 (预算数) row printed with every cell blank: nothing spent
            if v is None:
                continue
            page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
            prov = Prov(page, clean_name(t.title or "") or None, ri + 1)
            out = {}
            for key, i in cols.items():
                x = parse_decimal(r[i]) if i < len(r) else None
                if x is None and key != V.OPERATING.key:
                    x = Decimal(0)  # a blank part of a printed 三公 row is zero
                if x is not None:
                    out[key] = Figure(normalize(x * factor), prov)
            return out
    return {}


_ENUMERATOR = re.compile(r"^(?:其中[:：]?|[（(]?[一二三四五六七八九十\d]+[)）、.．]?)+")


def _three_public_by_rows(t: Table, kind: str, factor: Decimal) -> dict[str, Figure]:
    """A 三公 table printed as rows ("项目 | 预算数": 合计, 1、因公出国（境）费, 2、公务用车购置及运行费,
    其中：公务用车购置费 …): each part by its row's name, the figure from the column of the
    disclosure's kind (决算数 in a final account, else the first column with an amount)."""
    paths = header_paths(t)
    amount_cols = [i for i in range(1, t.n_cols) if any(parse_decimal(r[i]) is not None for r in t.rows if i < len(r))]
    if not amount_cols:
        return {}
    col = amount_cols[0]
    if kind == V.FINAL_ACCOUNT.code:
        col = next((i for i in amount_cols if i < len(paths) and any(V.FINAL_ACCOUNT.word in x for x in paths[i])), col)
    out: dict[str, Figure] = {}
    for ri, r in enumerate(t.rows):
        label = _ENUMERATOR.sub("", norm(r[0]) if r else "")
        if not label:
            continue
        for key, pat in _THREE_PUBLIC_COLUMNS:
            if key == V.OPERATING.key or key in out:
                continue
            if key in (V.VEHICLE_PURCHASE.key, V.VEHICLE_OPERATION.key) and re.search(r"购置及运行|购置和运行", label):
                continue
            if re.search(pat, label):
                x = parse_decimal(r[col]) if col < len(r) else None
                page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
                out[key] = Figure(normalize((x or Decimal(0)) * factor), Prov(page, clean_name(t.title or "") or None, ri + 1))
                break
    # the total and all three parts, or it is not this table's shape
    if V.THREE_PUBLIC.key not in out or not all(k in out for k in (V.ABROAD.key, V.RECEPTION.key)):
        return {}
    return out


def _parts_columns(cols: dict[str, int]) -> list[list[int]] | None:
    """The columns of the three 三公 parts (the vehicles either as one column or as purchase and
    operation), or None when one part has no column."""
    vehicles = [cols[V.VEHICLES.key]] if V.VEHICLES.key in cols else \
        [cols[k] for k in (V.VEHICLE_PURCHASE.key, V.VEHICLE_OPERATION.key) if k in cols]
    if V.ABROAD.key not in cols or V.RECEPTION.key not in cols or not vehicles:
        return None
    return [[cols[V.ABROAD.key]], vehicles, [cols[V.RECEPTION.key]]]


def _total_by_parts(r: list[str], cols: dict[str, int]) -> None:
    """A 三公 table that also prints 会议费 and 培训费 may lose its group heading's span (a table
    printed without rules sets "“三公”经费" over one column): the 三公 total is then the column,
    left of the parts, that holds their sum. A printed total that already equals the sum stays;
    one that does not is kept when no column holds the sum, so a table whose parts and total
    disagree is still reported as printed."""
    parts = _parts_columns(cols)
    if parts is None:
        return
    total = Decimal(0)
    for group in parts:
        total += sum((parse_decimal(r[i]) or Decimal(0)) for i in group if i < len(r))
    current = cols.get(V.THREE_PUBLIC.key)
    if current is not None and current < len(r) and parse_decimal(r[current]) == total:
        return
    used = {i for group in parts for i in group}
    first_part = min(used)
    for i in range(first_part):
        if i not in used and parse_decimal(r[i]) == total:
            cols[V.THREE_PUBLIC.key] = i
            return


# How the narrative introduces each total, tried in this order on every paragraph.
TEXT_PATTERNS = {
    V.INCOME.key: rf"(?:{V.alternation(V.INCOME.text)})",
    V.EXPENDITURE.key: rf"(?:{V.alternation(V.EXPENDITURE.text)})",
    **{m.key: V.alternation(m.text) for m in (V.BASIC, V.PROJECT, V.PERSONNEL, V.PUBLIC)},
    V.THREE_PUBLIC.key: rf"{V.three_public_pattern()}(?:{V.alternation(V.THREE_PUBLIC_SUFFIXES)})?",
    V.OPERATING.key: V.alternation(V.OPERATING.text),
    V.PROCUREMENT.key: rf"{V.PROCUREMENT_WORD}(?:{V.alternation(V.PROCUREMENT_SUFFIXES)})",
}
_UNITS = V.alternation(V.TEXT_UNITS)
_AMOUNT = r"(?:[（(][^）)\d]{0,16}[)）])?[^\d。；;，,、（(]{0,10}?(\d[\d,，]*(?:\.\d+)?)\s*(" + _UNITS + r")(?![\u4e00-\u9fff]*[增减])"


_FINAL_THREE_PUBLIC = re.compile(rf"{V.three_public_pattern()}[^。；;]{{0,24}}?{V.FINAL_ACCOUNT.word}(?:数)?(?:为|是)?\s*"
                                 rf"(\d[\d,]*(?:\.\d+)?)\s*({_UNITS})")
# "未安排“三公”经费" / "无政府采购预算": the narrative says the figure is nil.
_NO_THREE_PUBLIC = re.compile(rf"(?:未安排|无|没有)(?:{V.FISCAL_GRANT})?{V.three_public_pattern()}")
_NO_PROCUREMENT = re.compile(rf"(?:未安排|无|没有){V.PROCUREMENT_WORD}(?:{V.BUDGET.word}|支出)?")


_CHANGE_BEFORE = re.compile(r"(?:增加|减少|新增|增长|下降|降低|压减|调减|调增)$")


def text_totals(doc: Document, kind: str = "budget") -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    if kind == V.FINAL_ACCOUNT.code:
        # 决算 narratives state the budget first ("预算为 7.28 万元，支出决算为 5.95 万元")
        for page, text in logical_paragraphs(doc):
            m = _FINAL_THREE_PUBLIC.search(norm(text))
            if m:
                v = to_yuan(m.group(1), V.unit_word(m.group(2)))
                if v is not None:
                    out[V.THREE_PUBLIC.key] = Figure(v, Prov(page, None, None, clean_name(text)[:120]))
                    break
    for page, text in logical_paragraphs(doc):
        t = norm(text)
        for key, pat in TEXT_PATTERNS.items():
            if key in out:
                continue
            if key == V.THREE_PUBLIC.key and _NO_THREE_PUBLIC.search(t):
                out[key] = Figure(Decimal(0), Prov(page, None, None, clean_name(text)[:80]))
                continue
            if key == V.PROCUREMENT.key and _NO_PROCUREMENT.search(t):
                out[key] = Figure(Decimal(0), Prov(page, None, None, clean_name(text)[:80]))
                continue
            for m in re.finditer(pat + _AMOUNT, t):
                if re.match(r"(?:比|较)", t[m.end(1) - len(m.group(1)) - 2: m.end(1)] or ""):
                    continue
                if _CHANGE_BEFORE.search(t[max(0, m.start() - 3): m.start()]):
                    continue  # "增加基本支出844.15万元": by how much it grew, not what it is
                v = to_yuan(m.group(1), V.unit_word(m.group(2)))
                if v is not None:
                    out[key] = Figure(v, Prov(page, None, None, clean_name(text)[:120]))
                break
    return out


_THREE_PARTS = (V.ABROAD, V.VEHICLES, V.RECEPTION)


def text_three_public_parts(doc: Document) -> dict[str, Figure]:
    """The three 三公 parts where the narrative states them in one paragraph ("因公出国（境）费支出
    70 万元 … 公务用车购置及运行费支出 411.20 万元 … 公务接待费支出 28 万元") without a total:
    each part's first amount, and their sum as the total."""
    for page, text in logical_paragraphs(doc):
        t = norm(text)
        if V.THREE_PUBLIC_WORD not in t:
            continue
        found: dict[str, Figure] = {}
        for m in _THREE_PARTS:
            hit = re.search(rf"(?:{V.alternation(m.cells)})" + _AMOUNT, t)
            if hit is None:
                break
            v = to_yuan(hit.group(1), V.unit_word(hit.group(2)))
            if v is None:
                break
            found[m.key] = Figure(v, Prov(page, None, None, clean_name(text)[:120]))
        if len(found) == len(_THREE_PARTS):
            first = found[V.ABROAD.key]
            found[V.THREE_PUBLIC.key] = Figure(sum(x.value for x in found.values()), first.prov)
            return found
    return {}


def extract_totals(doc: Document, f: Facts) -> None:
    unit = f.unit or doc_unit(doc)
    rows = table_row_totals(doc, unit, f.kind)
    splits = split_totals(doc, unit, f.kind)
    tp = three_public(doc, unit, f.kind)
    text = text_totals(doc, f.kind)
    ftype = V.kind_by_code(f.kind).figure_type
    totals: dict[str, Figure] = {}
    for key in ("income", "expenditure", "carry_over", "carry_forward", "grand_income", "grand_expenditure"):
        if key in rows:
            totals[key] = rows[key]
    if "expenditure" not in totals and "expenditure_table" in splits:
        totals["expenditure"] = splits["expenditure_table"]
    for key in ("basic", "project", "personnel", "public"):
        if key in splits:
            totals[key] = splits[key]
        elif key in rows:
            totals[key] = rows[key]
    for key, fig in tp.items():
        totals.setdefault(key, fig)
    for key, fig in text.items():
        totals.setdefault(key, fig)
    if V.THREE_PUBLIC.key not in totals:
        for key, fig in text_three_public_parts(doc).items():
            totals.setdefault(key, fig)
    if "expenditure" not in totals and "grand_expenditure" in totals \
            and totals.get("carry_forward", Figure(Decimal(0))).value == 0:
        totals["expenditure"] = totals["grand_expenditure"]  # nothing carried forward: 支出合计 is the year's
    for key, grand in (("income", "grand_income"), ("expenditure", "grand_expenditure")):
        # a narrative total rounded to 0.01 万元 and a table's exact 总计 with no carry-over: the table
        if key in totals and grand in totals and totals[key].prov.table is None and "carry_over" not in totals \
                and abs(totals[key].value - totals[grand].value) <= 100:
            totals[key] = totals[grand]
    if "income" not in totals and "grand_income" in totals and totals.get("carry_over", Figure(Decimal(0))).value == 0:
        totals["income"] = totals["grand_income"]
    for fig in totals.values():
        fig.figure_type = ftype
    f.totals = totals
    f.basic_by_fund = {k[len("basic@"):]: v for k, v in splits.items() if k.startswith("basic@")}
    f.other_splits = summary_splits(doc, unit, f.kind)
    rows_by_table: dict[str, dict[str, Figure]] = {}
    for k, v in splits.items():
        if k.startswith("row@"):
            ti, part = k[4:].split(":")
            rows_by_table.setdefault(ti, {})[part] = v
    f.total_rows = list(rows_by_table.values())
    f.text_figures = text
    f.summary_labels = summary_labels(doc, unit, totals.get("expenditure"))
