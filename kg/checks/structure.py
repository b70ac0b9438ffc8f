"""The structure each document states, for the sum rules to follow instead of one template's.

* What a year's expenditure is made of: 基本支出 + 项目支出 and whatever else the document
  prints beside them as parts of the same total (a 单位预留机动经费 column or row, 上缴上级支出,
  对附属单位补助支出 …): the columns that share 基本支出's parent in a table's header, or the
  numbered rows that follow 基本支出/项目支出 in a summary table's label column.
* What the 三公 table is: its 三公 subtotal is the sum of 因公出国（境）费, 公务用车购置及运行费
  and 公务接待费 only, even where the table also carries 会议费 and 培训费 and a grand 合计 over
  all five.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from kg import vocab as V
from kg.document import Document, Table
from kg.extract.base import Figure, Prov, clean_name, header_paths, norm
from kg.money import normalize, parse_decimal, table_factor
from kg.readers.outline import OUTLINE_RE

SUM_LABEL = re.compile(rf"^(?:{V.alternation(V.SUM_WORDS)})$")
_BASIC = V.BASIC.label
_PROJECT = V.PROJECT.label


def label_of(cell: str) -> str:
    return OUTLINE_RE.sub("", norm(cell))


def _numbered(cell: str) -> bool:
    return bool(OUTLINE_RE.match(norm(cell)))


def _carry(label: str) -> bool:
    return any(w in label for w in V.CARRY_FORWARD.rows + V.CARRY_FORWARD_WORDS)


@dataclass
class Split:
    """One printing of a total with its parts: 合计 = 基本支出 + 项目支出 + others."""

    total: Figure | None
    basic: Figure
    project: Figure
    others: list[tuple[str, Figure]] = field(default_factory=list)

    def parts(self) -> list[Figure]:
        return [self.basic, self.project] + [f for _, f in self.others]


def _fig(t: Table, ri: int, ci: int, factor: Decimal, blank_zero: bool = False) -> Figure | None:
    r = t.rows[ri]
    v = parse_decimal(r[ci]) if ci < len(r) else None
    if v is None:
        if not blank_zero:
            return None
        v = Decimal(0)
    page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
    return Figure(normalize(v * factor), Prov(page, clean_name(t.title or "") or None, ri + 1))


def _header_splits(t: Table, factor: Decimal) -> list[Split]:
    """A header whose columns put 基本支出 and 项目支出 side by side under one parent: every
    other column under that parent (but totals and carry-forwards) is a part of the same total."""
    # a form line printed inside the header ("部门：… | 单位：万元") heads no column
    form = [r for r in t.header if any(re.search(r"[:：]", norm(c)) for c in r)]
    paths = header_paths(Table([r for r in t.header if r not in form], [], t.page) if form else t)
    basic = [i for i, p in enumerate(paths) if p and p[-1] == _BASIC]
    project = [i for i, p in enumerate(paths) if p and p[-1] == _PROJECT]
    if not basic or not project:
        # 基本支出 spanning 人员/公用 columns: its own column is the leftmost under it
        basic = [i for i, p in enumerate(paths) if _BASIC in p and p[-1] in V.SUM_WORDS] or basic
    if len(basic) != 1 or len(project) != 1:
        return []
    b, p = basic[0], project[0]
    depth = paths[b].index(_BASIC) if _BASIC in paths[b] else len(paths[b]) - 1
    parent = paths[b][:depth]
    if paths[p][:depth] != parent:
        return []
    total = others = None
    sibling_cols = []
    for i, path in enumerate(paths):
        if i in (b, p) or len(path) <= depth or path[:depth] != parent:
            continue
        head = path[depth]
        if head in (_BASIC, _PROJECT) or head in V.LINE_SPLIT_WORDS:
            continue
        if SUM_LABEL.match(head) or head in V.EXPENDITURE_TOTAL_LABELS:
            total = i if total is None else total
        elif not _carry(head) and not any(w in head for w in V.ID_COLUMN_WORDS):
            sibling_cols.append((head, i))
    if total is None:
        return []
    out = []
    for ri, r in enumerate(t.rows):
        cells = [norm(c) for c in r]
        if not any(SUM_LABEL.match(label_of(c)) or label_of(c) in V.EXPENDITURE_TOTAL_LABELS for c in cells) \
                and len(t.rows) > 1:
            continue
        tf, bf, pf = _fig(t, ri, total, factor), _fig(t, ri, b, factor, True), _fig(t, ri, p, factor, True)
        if tf is None:
            continue
        others = [(h, _fig(t, ri, i, factor, True)) for h, i in sibling_cols]
        out.append(Split(tf, bf, pf, others))
        break
    return out


def _label_splits(t: Table, factor: Decimal) -> list[Split]:
    """A summary table listing expenditure by purpose in a label column ("一、基本支出 | 7877.76",
    "二、项目支出 | …", "三、单位预留机动经费 | 1685.72", then "支出合计 | …")."""
    out = []
    n = t.n_cols
    for ci in range(n):
        rows = {}
        for ri, r in enumerate(t.rows):
            if ci < len(r) and label_of(r[ci]) in (_BASIC, _PROJECT):
                rows[label_of(r[ci])] = ri
        if len(rows) != 2:
            continue
        vcol = next((j for j in range(ci + 1, n) if any(parse_decimal(r[j]) is not None for r in t.rows if j < len(r))),
                    None)
        if vcol is None:
            continue
        basic = _fig(t, rows[_BASIC], vcol, factor, True)
        project = _fig(t, rows[_PROJECT], vcol, factor, True)
        others, total = [], None
        for ri in range(min(rows.values()), len(t.rows)):
            r = t.rows[ri]
            lab = label_of(r[ci]) if ci < len(r) else ""
            if not lab or ri in rows.values():
                continue
            if SUM_LABEL.match(lab) or lab in V.EXPENDITURE_TOTAL_LABELS or lab in V.SUMMARY_TOTAL_LABELS \
                    or any(lab.endswith(w) for w in V.SUM_WORDS):
                total = _fig(t, ri, vcol, factor)
                break
            if _numbered(r[ci]) and not _carry(lab):
                others.append((lab, _fig(t, ri, vcol, factor, True)))
        out.append(Split(total, basic, project, others))
    return out


def expenditure_splits(doc: Document, unit: str) -> list[Split]:
    """Every printing of the year's expenditure with its parts, as each table states them."""
    out = []
    for t in doc.tables():
        factor = table_factor(t, unit)
        out += _header_splits(t, factor)
        out += _label_splits(t, factor)
    return out


def stated_reserve(doc: Document, unit: str) -> Figure | None:
    """A reserve (单位预留机动经费) the document states as a part of the year's expenditure, in a
    table's split or, where no table prints it beside 基本/项目支出, in its text."""
    for s in expenditure_splits(doc, unit):
        for lab, fig in s.others:
            if any(w in lab for w in V.RESERVE_WORDS) and fig.value:
                return fig
    from kg.checks.precision import AMOUNT_RE
    from kg.extract.base import logical_paragraphs
    from kg.money import to_yuan, unit_word

    for page, text in logical_paragraphs(doc):
        t = norm(text)
        m = re.search(rf"(?:{V.alternation(V.RESERVE_WORDS)})(?:{V.BUDGET.word}数?)?(?:为|是)?\s*" + AMOUNT_RE.pattern, t)
        if m:
            v = to_yuan(m.group(1), unit_word(m.group(2)))
            if v:
                return Figure(v, Prov(page, None, None, m.group(0)))
    return None


def third_parts(doc: Document, unit: str, basic: Figure, project: Figure) -> list[tuple[str, Figure]]:
    """The parts besides 基本支出 and 项目支出 that the document states for the total whose
    基本支出 and 项目支出 these are (the same figures, printed in a split)."""
    for s in expenditure_splits(doc, unit):
        if s.basic.value == basic.value and s.project.value == project.value:
            return [(lab, f) for lab, f in s.others if f.value]
    return []


# --- 三公 ---------------------------------------------------------------------------------


@dataclass
class ThreePublicRow:
    """One row of the 三公 table (the 预算数 or the 决算数 row, or the only one)."""

    label: str
    total: Figure | None  # the 三公 subtotal
    parts: dict[str, Figure]  # abroad, vehicles, vehicle_purchase, vehicle_operation, reception
    extra: dict[str, Figure]  # 会议费, 培训费 (not 三公)
    grand: Figure | None  # a 合计 over 三公 and the extras


def _three_columns(paths: list[list[str]]) -> tuple[dict[str, int], dict[str, int], int | None]:
    cols: dict[str, int] = {}
    extra: dict[str, int] = {}
    grand = None
    has_extra = any(p and p[-1] in V.NOT_THREE_PUBLIC for p in paths)
    for i, p in enumerate(paths):
        p = [x for x in p if x not in V.FIGURE_COLUMNS] or p
        if not p:
            continue
        leaf, joined = p[-1], "/".join(p)
        if leaf in V.NOT_THREE_PUBLIC:
            extra[leaf] = i
        elif V.THREE_PUBLIC_WORD in joined and (leaf in V.SUM_WORDS and len(p) > 1 and V.THREE_PUBLIC_WORD in p[-2]
                                                or re.search(rf"{V.THREE_PUBLIC_WORD}.*(?:{V.alternation(V.SUM_WORDS)})$", leaf)):
            cols.setdefault(V.THREE_PUBLIC.key, i)
        elif V.THREE_PUBLIC_WORD in leaf and len(p) == 1:
            cols.setdefault(V.THREE_PUBLIC.key, i)
        elif leaf in V.SUM_WORDS and len(set(p)) == 1:
            if has_extra:
                grand = i if grand is None else grand
            else:
                cols.setdefault(V.THREE_PUBLIC.key, i)
        elif any(w in leaf for w in V.ABROAD.cells):
            cols.setdefault(V.ABROAD.key, i)
        elif any(w in joined for w in V.VEHICLES.cells) and (leaf in V.SUM_WORDS or len(p) == 1):
            cols.setdefault(V.VEHICLES.key, i)
        elif any(leaf.endswith(w) for w in V.VEHICLE_PURCHASE.cells) and not any(w in leaf for w in V.VEHICLES.cells):
            cols.setdefault(V.VEHICLE_PURCHASE.key, i)
        elif any(leaf.endswith(w) for w in V.VEHICLE_OPERATION.cells) and not any(w in leaf for w in V.VEHICLES.cells):
            cols.setdefault(V.VEHICLE_OPERATION.key, i)
        elif any(w in leaf for w in V.RECEPTION.cells):
            cols.setdefault(V.RECEPTION.key, i)
    return cols, extra, grand


# the group (公务用车购置及运行费) before its parts: its label contains theirs
_ROW_PARTS = ((V.ABROAD.key, V.ABROAD.cells), (V.VEHICLES.key, V.VEHICLES.cells),
              (V.VEHICLE_PURCHASE.key, V.VEHICLE_PURCHASE.cells), (V.VEHICLE_OPERATION.key, V.VEHICLE_OPERATION.cells),
              (V.RECEPTION.key, V.RECEPTION.cells))


def _item_rows(t: Table, factor: Decimal) -> list[ThreePublicRow]:
    """The one-item-per-line layout: "合计 | x", "1、因公出国（境）费 | y", …"""
    parts: dict[str, Figure] = {}
    extra: dict[str, Figure] = {}
    total = None
    for ri, r in enumerate(t.rows):
        if len(r) < 2:
            continue
        lab = re.sub(r"^其中[:：]?", "", label_of(r[0]))
        vi = next((j for j in range(1, len(r)) if parse_decimal(r[j]) is not None), None)
        fig = _fig(t, ri, vi, factor) if vi is not None else _fig(t, ri, 1, factor, True)
        if lab in V.NOT_THREE_PUBLIC:
            extra[lab] = fig
        elif SUM_LABEL.match(lab) or V.THREE_PUBLIC_WORD in lab:
            total = total or fig
        else:
            for key, words in _ROW_PARTS:
                if any(w in lab for w in words) and key not in parts:
                    parts[key] = fig
                    break
    if total is None or not parts:
        return []
    return [ThreePublicRow("", total, parts, extra, None)]


def three_public_rows(doc: Document, unit: str) -> list[ThreePublicRow]:
    out = []
    for t in doc.tables():
        label = norm((t.title or "") + " ".join(c for h in t.header for c in h))
        if V.THREE_PUBLIC_WORD not in label or not t.rows:
            continue
        factor = table_factor(t, unit)
        paths = header_paths(t)
        # a header pairing 预算数 and 决算数 under every item: one set of columns per figure
        groups = {w: [p if w in p else [] for p in paths] for w in V.FIGURE_COLUMNS
                  if sum(w in p for p in paths) > 1}
        if len(groups) < 2:
            groups = {"": paths}
        for word, gpaths in groups.items():
            cols, extra, grand = _three_columns(gpaths)
            if V.THREE_PUBLIC.key not in cols or not any(k in cols for k in (V.ABROAD.key, V.RECEPTION.key)):
                if word == "":
                    out += _item_rows(t, factor)
                continue
            for ri, r in enumerate(t.rows):
                nums = [c for c in r if parse_decimal(c) is not None]
                lab = word or (norm(r[0]) if r and parse_decimal(r[0]) is None else "")
                if not nums and not (lab and lab in V.FIGURE_COLUMNS):
                    continue
                parts = {k: _fig(t, ri, i, factor, True) for k, i in cols.items() if k != V.THREE_PUBLIC.key}
                out.append(ThreePublicRow(lab, _fig(t, ri, cols[V.THREE_PUBLIC.key], factor, True), parts,
                                          {k: _fig(t, ri, i, factor, True) for k, i in extra.items()},
                                          _fig(t, ri, grand, factor) if grand is not None else None))
    return out


# --- a summary table's 总计 ---------------------------------------------------------------------

GRAND_LABELS = (*V.GRAND_INCOME.rows, *V.GRAND_EXPENDITURE.rows, V.SUM_WORDS[2])


def grand_rows(doc: Document, unit: str) -> list[tuple[Figure, list[Figure], str]]:
    """Each 总计 row of a label | amount summary (收支总表): (总计, [the 合计 above it and every
    row between them], side label). "本年收入合计 | 上年结转 | 收入总计": the structure the table
    states, whatever its rows are called."""
    out = []
    for t in doc.tables():
        factor = table_factor(t, unit)
        n = t.n_cols
        for ci in range(n - 1):
            labels = [label_of(r[ci]) if ci < len(r) else "" for r in t.rows]
            if not any(lab in GRAND_LABELS for lab in labels):
                continue
            for gi, lab in enumerate(labels):
                if lab not in GRAND_LABELS:
                    continue
                base = next((k for k in range(gi - 1, -1, -1) if labels[k].endswith(V.SUM_WORDS[:2])
                             and labels[k] not in GRAND_LABELS), None)
                grand = _fig(t, gi, ci + 1, factor)
                if base is None or grand is None or _fig(t, base, ci + 1, factor) is None:
                    continue
                # numbered rows under a carry-over ("一、一般公共预算财政拨款") split it: not parts of 总计
                parts = [_fig(t, k, ci + 1, factor, True) for k in range(base, gi)
                         if labels[k] and (k == base or not _numbered(t.rows[k][ci]))]
                out.append((grand, parts, f"{ci}"))
    return out


# --- the rule -------------------------------------------------------------------------------


def check(doc: Document, unit: str, printed) -> list:
    """three_public_parts: in every row of the 三公 table, the 三公 subtotal = 因公出国（境）费 +
    公务用车购置及运行费 + 公务接待费, 公务用车购置及运行费 = 购置费 + 运行费, and a grand 合计 =
    三公 + the other columns the table carries (会议费, 培训费)."""
    from kg.checks import finding
    from kg.checks.precision import sum_tolerance

    out = []

    def total(what, parts, whole, where):
        tol = sum_tolerance([printed.step(x.value, x.prov) for x in parts + [whole]])
        x = finding.money("three_public_parts", what, sum((p.value for p in parts), Decimal(0)), whole.value, tol,
                          [whole.prov.page], where)
        if x is not None:
            out.append(x)

    seen = set()
    for row in three_public_rows(doc, unit):
        tag = row.label or "row"
        if (tag, row.total.prov.page if row.total else None) in seen:
            continue
        seen.add((tag, row.total.prov.page if row.total else None))
        p = row.parts
        veh = p.get(V.VEHICLES.key)
        if V.VEHICLE_PURCHASE.key in p and V.VEHICLE_OPERATION.key in p:
            pair = [p[V.VEHICLE_PURCHASE.key], p[V.VEHICLE_OPERATION.key]]
            if veh is not None:
                total(f"{row.label}{V.VEHICLES.label}与{V.VEHICLE_PURCHASE.short}、{V.VEHICLE_OPERATION.short}之和不符",
                      pair, veh, f"three_public:{tag}:vehicles")
            else:
                veh = Figure(pair[0].value + pair[1].value, pair[0].prov)
        three = [x for x in (p.get(V.ABROAD.key), veh, p.get(V.RECEPTION.key)) if x is not None]
        if row.total is not None and len(three) == 3:
            if veh is not p.get(V.VEHICLES.key):
                three = [p[V.ABROAD.key], p[V.VEHICLE_PURCHASE.key], p[V.VEHICLE_OPERATION.key], p[V.RECEPTION.key]]
            total(f"{row.label}{V.THREE_PUBLIC.label}合计与各项之和不符", three, row.total, f"three_public:{tag}:total")
        if row.grand is not None and row.total is not None and row.extra:
            total(f"{row.label}表中合计与{V.THREE_PUBLIC.label}及{'、'.join(row.extra)}之和不符",
                  [row.total, *row.extra.values()], row.grand, f"three_public:{tag}:grand")
    for grand, parts, side in grand_rows(doc, unit):
        tol = sum_tolerance([printed.step(x.value, x.prov) for x in parts + [grand]])
        x = finding.money("grand_totals", f"“{grand.prov.table or ''}”总计与其上合计及结转各行之和不符",
                          sum((p.value for p in parts), Decimal(0)), grand.value, tol, [grand.prov.page],
                          f"table:{grand.prov.table or ''}:{side}:grand")
        if x is not None:
            out.append(x)
    return out
