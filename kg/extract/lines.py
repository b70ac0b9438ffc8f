"""Classification lines: 支出功能分类 (2xx), 部门经济分类 (3xx) and 政府经济分类 (5xx) rows.

A classification table is recognised by its code column (科目编码 / 功能科目编码, or
类|款|项 split columns, or codes printed inside the name cell "208 社会保障…"); the amount
columns by their header names (合计, 基本支出/小计, 项目支出/专项, 人员经费, 公用经费,
预算数/决算数). Per scheme one primary table gives the lines (the one a reader would quote:
the table that splits 合计 into 基本/项目 for functions, the basic-expenditure table for
economic codes); other tables of the same scheme only fill splits the primary lacks.
"""

from __future__ import annotations

import re
from decimal import Decimal

from kg import vocab as V
from kg.classification import NameResolver
from kg.document import Document, Table
from kg.extract.base import (
    CODE_NAME_RE,
    CODE_RE,
    Facts,
    Figure,
    Line,
    Prov,
    clean_name,
    header_paths,
    norm,
)
from kg.extract.tables import (
    BASIC_KINDS,
    FUNCTIONAL_ORDER,
    OTHER_FUNDS,
    classify,
    is_continuation,
    is_kind,
    table_kinds,
)
from kg.money import doc_unit, normalize, parse_decimal, table_factor

SPLITS = ("basic", "project", "personnel", "public")


def scheme_of(code: str) -> str | None:
    if not CODE_RE.match(code):
        return None
    head = code[0]
    return {"2": "functional", "3": "economic", "5": "gov_economic"}.get(head)


_OUTTURN_COLUMN = re.compile(V.alternation((V.FINAL_ACCOUNT.word, V.CURRENT_EXPENDITURE, V.EXPENDITURE_SUM, V.ACTUAL)))
# Header words that say a column prints the budget figure: 年初预算数 … (not the fund name 一般公共预算).
_BUDGET_COLUMN = V.alternation(V.BUDGET_FIGURE_WORDS)


class ColumnMap:
    """Which column holds what, read from the header paths."""

    def __init__(self, t: Table, kind: str):
        self.paths = header_paths(t)
        p = ["/".join(x) for x in self.paths]
        self.code = self.name = None
        self.split_codes: list[int] = []
        self.gov_code = None
        for i, x in enumerate(p):
            leaf = self.paths[i][-1] if self.paths[i] else ""
            # the government classification's code column may come first (政府预算支出经济分类科目/科目编码)
            if self.code is None and re.search(r"(科目)?(编码|代码)$", leaf) and "单位" not in leaf and "政府" not in x:
                self.code = i
            elif "政府" in x and re.search(r"编码|代码", leaf):
                self.gov_code = i
            elif leaf in ("类", "款", "项"):
                self.split_codes.append(i)
            elif self.name is None and re.search(r"(科目)?名称$", leaf) and "政府" not in x and "单位" not in leaf:
                self.name = i
        if self.name is None and self.code is not None:
            self.name = self.code + 1
        if self.name is None and self.split_codes:
            self.name = max(self.split_codes) + 1
        self.total = self.exact(("合计", "总计"))
        if self.total is None:
            self.total = self.find(("合计", "总计", "小计", "金额", V.FINAL_ACCOUNT.column, V.BUDGET.column,
                                    V.CURRENT_EXPENDITURE, "本年预算"), top_only=True)
        if kind == V.FINAL_ACCOUNT.code:
            # 决算: prefer an outturn column (决算数 / 本年支出合计) over 年初预算数
            outturn = [i for i, x in enumerate(p) if _OUTTURN_COLUMN.search(x) and i not in self._id_cols()]
            if outturn:
                self.total = outturn[0]
        self.basic = self.find_split(V.alternation(V.BASIC.cells), rf"^(小计|合计)$|{V.BASIC.label}$")
        self.project = self.find_split(V.alternation(V.PROJECT.cells), rf"{V.PROJECT.label}$|{V.SPECIAL}|^(小计|合计)$")
        self.personnel = self.find_split(V.alternation(V.PERSONNEL.cells), r"")
        self.public = self.find_split(V.alternation(V.PUBLIC.cells), r"")

    def _id_cols(self):
        return {i for i in (self.code, self.name, self.gov_code) if i is not None} | set(self.split_codes)

    def exact(self, words) -> int | None:
        ids = self._id_cols()
        for i, path in enumerate(self.paths):
            if i not in ids and path and (path[0] in words or path[-1] in words):
                return i
        return None

    def find(self, words, top_only=False) -> int | None:
        ids = self._id_cols()
        for i, path in enumerate(self.paths):
            if i in ids or not path or (self.name is not None and i < self.name):
                continue
            if any(w in path[0] for w in words) or (not top_only and any(w in path[-1] for w in words)):
                return i
        return None

    def find_split(self, parent: str, leaf: str) -> int | None:
        ids = self._id_cols()
        for i, path in enumerate(self.paths):
            if i in ids or not path:
                continue
            full = "/".join(path)
            if re.search(parent, full) and (not leaf or re.search(leaf, path[-1]) or len(path) == 1):
                if "政府" in full and "基金" in full:
                    continue
                return i
        return None


def _row_code(cells: list[str], cm: ColumnMap, state: dict) -> tuple[str | None, str]:
    name = cells[cm.name] if cm.name is not None and cm.name < len(cells) else ""
    if cm.split_codes:
        parts = [norm(cells[i]) if i < len(cells) else "" for i in cm.split_codes]
        if not any(parts):
            return None, name
        # a later row may print only 款/项 under its class: carry the missing parents
        if parts[0]:
            state["cls"] = parts[0]
            state["kuan"] = parts[1] if len(parts) > 1 else ""
        elif len(parts) > 1 and parts[1]:
            state["kuan"] = parts[1]
        code = parts[0] or state.get("cls", "")
        if len(parts) > 1 and (parts[1] or (len(parts) > 2 and parts[2])):
            code += parts[1] or state.get("kuan", "")
        if len(parts) > 2 and parts[2]:
            code += parts[2]
        return (code if CODE_RE.match(code) else None), name
    code = norm(cells[cm.code]) if cm.code is not None and cm.code < len(cells) else ""
    if not code:
        m = CODE_NAME_RE.match(norm(name))
        if m:
            return m.group(1), m.group(2)
        first = norm(cells[0]) if cells else ""
        m = CODE_NAME_RE.match(first)
        if m:
            return m.group(1), m.group(2)
    return (code if CODE_RE.match(code) else None), name


def _side_by_side(t: Table) -> list[Table]:
    """A table printed as two (or more) code|name|amount blocks side by side → one table per
    block (the 基本支出决算表 puts 301/303 on the left, 302 on the right of the same rows)."""
    paths = header_paths(t)
    starts = [i for i, p in enumerate(paths) if p and re.search(r"(科目)?(编码|代码)$", p[-1]) and "政府" not in "".join(p)
              and "单位" not in p[-1]]
    if len(starts) < 2:
        return [t]
    bounds = starts + [t.n_cols]
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        out.append(Table(header=[r[a:b] for r in t.header], rows=[r[a:b] for r in t.rows], page=t.page,
                         title=t.title, unit=t.unit, pages=list(t.pages), row_pages=list(t.row_pages), bbox=t.bbox))
    return out


def _figure_groups(t: Table) -> dict[str, Table] | None:
    """A 决算 table printing 年初预算数 and 决算数 column groups side by side → one view per
    figure type (identifier columns kept in both), so each group's 合计/基本/项目 columns are
    read on their own; None when the table has a single group."""
    paths = header_paths(t)
    budget = [i for i, p in enumerate(paths) if p and re.search(rf"{_BUDGET_COLUMN}|^{V.BUDGET.column}", p[0])]
    outturn = [i for i, p in enumerate(paths) if p and V.FINAL_ACCOUNT.word in p[0]]
    if not budget or not outturn:
        return None
    ids = [i for i in range(t.n_cols) if i not in budget and i not in outturn and i < min(budget + outturn)]

    def view(cols):
        keep = ids + cols
        return Table(header=[[r[i] if i < len(r) else "" for i in keep] for r in t.header],
                     rows=[[r[i] if i < len(r) else "" for i in keep] for r in t.rows], page=t.page, title=t.title,
                     unit=t.unit, pages=list(t.pages), row_pages=list(t.row_pages), bbox=t.bbox)

    return {"budget": view(budget), "outturn": view(outturn)}


# Row labels that are not a classification's name in a table printed by names only.
_NOT_A_NAME = re.compile(rf"^(?:合计|总计|小计|其中[:：]?|{V.alternation(V.SUMMARY_TOTAL_LABELS)})$")


def read_table_lines(t: Table, unit: str, kind: str, by_name: str | None = None) -> list[Line]:
    """The coded rows of `t` as lines; with `by_name` (a scheme), a table printed without codes
    (names indented under their parents) gives its named rows as lines of that scheme, each
    with the code the national list gives its name under the rows above it (kg.classification),
    or none where the list cannot tell."""
    parts = _side_by_side(t)
    if len(parts) > 1:
        return [ln for p in parts for ln in read_table_lines(p, unit, kind, by_name)]
    groups = _figure_groups(t)
    if groups:
        out = []
        for ftype, view in groups.items():
            for ln in read_table_lines(view, unit, "budget", by_name):
                ln.figure_type = ftype
                out.append(ln)
        return out
    cm = ColumnMap(t, kind)
    if cm.code is None and not cm.split_codes and cm.name is None:
        # no named columns: codes printed inside the first cell
        cm.name = 0
    factor = table_factor(t, unit)
    figure_type = V.kind_by_code(kind).figure_type
    if cm.total is not None:
        col = "/".join(cm.paths[cm.total])
        if V.FINAL_ACCOUNT.word in col:
            figure_type = V.FINAL_ACCOUNT.figure_type
        elif re.search(rf"{V.BUDGET.column}|{_BUDGET_COLUMN}", col):  # not the fund name 一般公共预算
            figure_type = V.BUDGET.figure_type
    out = []
    state: dict = {}
    seen: dict[str, int] = {}
    resolver = NameResolver(by_name) if by_name else None
    for ri, r in enumerate(t.rows):
        code, name = _row_code(r, cm, state)
        key = ""
        if not code and by_name:
            label = clean_name(name)
            if not label or _NOT_A_NAME.match(norm(label)) or parse_decimal(label) is not None:
                continue
            # the national list gives the row its code from its name under the rows above it
            code, scheme = resolver.next(label), by_name
            if not code:
                seen[norm(label)] = seen.get(norm(label), 0) + 1
                key = f"{norm(label)}#{seen[norm(label)]}"
        elif not code:
            continue
        else:
            scheme = scheme_of(code)
        if scheme is None:
            continue

        def val(i, r=r):
            if i is None or i >= len(r):
                return None
            v = parse_decimal(r[i])
            return normalize(v * factor) if v is not None else None

        total = val(cm.total)
        if total is None:
            # a row whose total cell is blank but prints figures elsewhere: take the first one
            for i in range((cm.name or 0) + 1, len(r)):
                if i != cm.gov_code and val(i) is not None:
                    total = val(i)
                    break
        splits = {k: val(getattr(cm, k)) for k in SPLITS}
        splits = {k: v for k, v in splits.items() if v is not None and getattr(cm, k) != cm.total}
        if total is not None and (splits.get("basic") is not None or splits.get("project") is not None):
            # blank split cells in a row that has a total are printed zeros
            for k in ("basic", "project"):
                if getattr(cm, k) is not None and k not in splits:
                    splits[k] = Decimal(0)
        if "basic" not in splits and cm.basic is None and "personnel" in splits and "public" in splits:
            splits["basic"] = splits["personnel"] + splits["public"]
        page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
        out.append(Line(scheme, code, clean_name(name), total, splits,
                        Prov(page, clean_name(t.title or "") or None, ri + 1), figure_type, key))
    return out


def _score(t: Table, lines: list[Line], scheme: str, kind: V.TableKind | None = None) -> int:
    """How much `t` is the table a reader would quote for `scheme`'s lines: by the standard
    table it is (kg.extract.tables), then by the splits its columns print."""
    if kind is None:
        kind = classify(t)
    head = norm(" ".join(c for r in t.header for c in r))
    s = 0
    if scheme == "functional":
        s += 4 if any(w in head for w in V.PROJECT.cells) else 0
        s += 3 if V.BASIC.label in head or V.PERSONNEL.label in head else 0
        s -= 6 if is_kind(kind, *BASIC_KINDS) else 0
        s -= 3 if is_kind(kind, *OTHER_FUNDS) else 0
        s += 1 if is_kind(kind, *FUNCTIONAL_ORDER) else 0
        s += 1 if is_kind(kind, FUNCTIONAL_ORDER[0]) else 0  # the whole expenditure before one fund's
    else:
        s += 5 if is_kind(kind, *BASIC_KINDS) or V.BASIC.label in head else 0
        s += 2 if is_kind(kind, BASIC_KINDS[0]) else 0
        s -= 3 if any(w in head for w in V.PROJECT.cells) else 0
        s -= 3 if is_kind(kind, *OTHER_FUNDS) else 0
    return s


def extract_lines(doc: Document, f: Facts) -> None:
    unit = f.unit or doc_unit(doc)
    per_scheme: dict[str, list[tuple[int, int, Table, list[Line]]]] = {}
    kinds = table_kinds(doc, f.kind)
    uncoded: list[tuple[int, Table]] = []
    for ti, t in enumerate(doc.tables()):
        lines = read_table_lines(t, unit, f.kind)
        if not lines:
            uncoded.append((ti, t))
        by_scheme: dict[str, list[Line]] = {}
        for ln in lines:
            by_scheme.setdefault(ln.scheme, []).append(ln)
        for scheme, ls in by_scheme.items():
            if scheme == "functional" and len(ls) < 1:
                continue
            per_scheme.setdefault(scheme, []).append((_score(t, ls, scheme, kinds.get(id(t))), ti, t, ls))
    # a scheme no table prints a code of: the tables that print it by names alone
    named = {"functional": FUNCTIONAL_ORDER, "economic": BASIC_KINDS}
    todo = [scheme for scheme in named if scheme not in per_scheme]
    for ti, t in uncoded if todo else ():
        kind = kinds.get(id(t))
        if not any(is_kind(kind, *own) for own in named.values()):
            continue
        readings = {scheme: read_table_lines(t, unit, f.kind, by_name=scheme) for scheme in named}
        # a table whose names the national list places in the other scheme is that scheme's
        # (the basic-expenditure tables by function and by economic class both print names only)
        placed = {scheme: sum(1 for ln in ls if ln.code) for scheme, ls in readings.items()}
        for scheme in todo:
            ls = readings[scheme]
            if ls and is_kind(kind, *named[scheme]) and placed[scheme] == max(placed.values()):
                per_scheme.setdefault(scheme, []).append((_score(t, ls, scheme, kind), ti, t, ls))
    result: list[Line] = []
    for cands in per_scheme.values():
        best = max(c[0] for c in cands)
        first = min(c[1] for c in cands if c[0] == best)
        head = next(c[2] for c in cands if c[1] == first)
        # the primary table plus its continuations (same columns after a page break)
        chosen = [c for c in cands if c[1] == first or (c[1] > first and is_continuation(head, c[2]))]
        primary: dict[tuple[str, str], Line] = {}
        for _, _, _, ls in sorted(chosen, key=lambda c: c[1]):
            for ln in ls:
                primary.setdefault((ln.ident, ln.figure_type), ln)
        # a figure type the primary table lacks (a 决算's 年初预算数 printed in another table)
        have = {ft for _, ft in primary}
        for *_, ls in sorted(cands, key=lambda c: (-c[0], c[1])):
            extra = [ln for ln in ls if ln.figure_type not in have]
            if extra:
                for ln in extra:
                    primary.setdefault((ln.ident, ln.figure_type), ln)
                have |= {ln.figure_type for ln in extra}
        # other tables of the scheme fill splits where their total agrees
        for *_, ls in sorted(cands, key=lambda c: c[1]):
            for ln in ls:
                p = primary.get((ln.ident, ln.figure_type))
                if p is None or p is ln or p.amount is None or ln.amount is None or abs(p.amount - ln.amount) > 100:
                    continue
                for k, v in ln.splits.items():
                    p.splits.setdefault(k, v)
        result.extend(primary.values())
    f.lines = result
    f.line_text = narrative_line_amounts(doc)


_ITEM = re.compile(r"(?:[（(](\d{3})类[)）])?[^（(）)]{0,30}?(?:[（(](\d{2})款[)）])?([\u4e00-\u9fff、]{2,30})[（(](\d{2})?项[)）][”\"]?\s*"
                   rf"(\d[\d,]*(?:\.\d+)?)\s*{V.WAN_YUAN}")
_PLANNED = re.compile(rf"(?:\d{{4}}年)?{V.BUDGET.word}安排\s*(\d[\d,]*(?:\.\d+)?)\s*{V.WAN_YUAN}")


def narrative_line_amounts(doc: Document) -> list[tuple[str, str | None, Figure]]:
    """A 项 the narrative explains ("…购房补贴（03项）207万元 … 2026年预算安排170.03万元"): the
    line's name, its code when printed (类/款/项 parts), and each amount stated for it."""
    from kg.extract.base import logical_paragraphs
    from kg.money import to_yuan

    out = []
    for page, text in logical_paragraphs(doc):
        t = norm(text)
        items = list(_ITEM.finditer(t))
        for k, m in enumerate(items):
            cls, kuan, name, xiang = m.group(1), m.group(2), m.group(3), m.group(4)
            code = cls + kuan + xiang if cls and kuan and xiang else None
            # only this item's sentences: a paragraph may run several items together
            rest = t[m.end(): items[k + 1].start() if k + 1 < len(items) else len(t)]
            for a in [m.group(5)] + [p.group(1) for p in _PLANNED.finditer(rest)]:
                v = to_yuan(a, V.WAN_YUAN)
                if v is not None:
                    out.append((name, code, Figure(v, Prov(page, None, None, clean_name(text)[:120]))))
    return out
