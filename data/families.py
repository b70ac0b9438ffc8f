"""Layout families: one disclosure printed the ways real ones are (docs/generator.md lists them).

A family takes the document built in the default layout (family a) and the disclosure it was
built from, and reshapes tables and paragraphs by what they are (Table.role, Table.code_width,
Doc.tags) and from the disclosure's facts, never by the words they print. So every family of a
document states the same facts; what a family cannot print (codes in a names-only table) is
listed in Doc.unprintable, which the truth of that family carries. A family's own choices (which
variant, which separator) come from a stream of its own: the facts' stream (Disclosure.r) is not
drawn from after the build, so building a family never changes what the others print.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from data import vocab as V
from data.disclosure import Disclosure
from data.document import Doc, Table, cn
from data.money import pct, resolve_func, tree
from data.truth import extensions, gov_econ_code
from data.world import sub_rng
from kg import vocab as W

MARK = ("<", "^")
CODED = ("functional", "gpb_functional", "economic")
IDEOGRAPHIC_SPACE = "\u3000"
TOTAL = "合计"


# ---------------------------------------------------------------- document surgery

def tables(doc: Doc, *roles: str) -> list[Table]:
    return [x for kind, x in doc.blocks if kind == "table" and (not roles or x.role in roles)]


def replace_blocks(doc: Doc, start: int, end: int, new: list) -> None:
    """Put `new` blocks in place of blocks[start:end], keeping the index-keyed records
    (page-break cuts, tags, hard wraps) on the blocks they belong to."""
    shift = len(new) - (end - start)
    doc.blocks[start:end] = new

    def moved(d: dict) -> dict:
        return {(i + shift if i >= end else i): v for i, v in d.items() if not start <= i < end}
    doc.breaks, doc.tags, doc.hard_wraps = moved(doc.breaks), moved(doc.tags), moved(doc.hard_wraps)


def _drop_marker_rows(header: list[list[str]]) -> list[list[str]]:
    return [h for h in header if not all(c in MARK for c in h)]


def _widths(t: Table, first: list[float], keep_from: int) -> None:
    if t.widths:
        w = first + t.widths[keep_from:]
        t.widths = [x / sum(w) for x in w]


def _label_row(header: list[list[str]], w: int) -> int:
    """The header row that names the code columns (科目编码 over 类|款|项 when split)."""
    for r in range(len(header) - 1, -1, -1):
        if header[r][0] not in MARK and (w == 1 or header[r][1] == "<"):
            return r
    raise ValueError("no code column in the header")


def codes(t: Table) -> list[str]:
    """Each body row's classification code ("" for the 合计 row)."""
    return ["".join(row[:t.code_width]) for row in t.rows]


def reshape_codes(t: Table, k: int, cells: Callable[[str, list[str]], list[str]], sub_labels=(),
                  label: str | None = None, width: float = 0.06) -> None:
    """Print the code columns as k columns: cells(code, row) gives a row's k cells, sub_labels
    the k column heads under the code label (类 款 项) when k > 1."""
    w = t.code_width
    lr = _label_row(t.header, w)
    label = label or t.header[lr][0]
    header = []
    for r, h in enumerate(t.header):
        if r < lr:
            block = [h[0]] + ["<"] * (k - 1)
        elif r == lr:
            block = [label] + ["<"] * (k - 1)
        elif r == lr + 1 and k > 1:
            block = list(sub_labels)
        else:
            block = ["^"] * k
        header.append(block + h[w:])
    if k > 1 and lr + 1 == len(header):
        header.append(list(sub_labels) + ["^"] * (len(header[0]) - k))
    t.header = _drop_marker_rows(header)
    t.rows = [cells(code, row) + row[w:] for code, row in zip(codes(t), t.rows, strict=True)]
    _widths(t, [width] * k, w)
    t.numeric_from += k - w
    t.code_width = k


def drop_column(t: Table, c: int) -> None:
    header = []
    for h in t.header:
        h = list(h)
        if h[c] not in MARK and c + 1 < len(h) and h[c + 1] == "<":
            h[c + 1] = h[c]  # a span that began here begins at its next column
        del h[c]
        header.append(h)
    t.header = _drop_marker_rows(header)
    t.rows = [row[:c] + row[c + 1:] for row in t.rows]
    if t.widths:
        _widths(t, t.widths[:c], c + 1)
    if c < t.numeric_from:
        t.numeric_from -= 1
    if c < t.code_width:
        t.code_width -= 1


def add_column(t: Table, at: int, head: list[str], cells: list[str], width: float = 0.12) -> None:
    """Insert a column at index `at`: head gives its header cell per header row."""
    t.header = [h[:at] + [x] + h[at:] for h, x in zip(t.header, head, strict=True)]
    t.rows = [row[:at] + [x] + row[at:] for row, x in zip(t.rows, cells, strict=True)]
    if t.widths:
        w = t.widths[:at] + [width] + t.widths[at:]
        t.widths = [x / sum(w) for x in w]
    if at < t.numeric_from:
        t.numeric_from += 1


def yuan(wan: float | int) -> int:
    return int(Decimal(str(wan)) * 10000)


# ---------------------------------------------------------------- the families

def standard(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(a) the default layout."""
    return [("", doc)]


def split_codes(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(b) every classification code over 类|款|项 columns (economic codes over 类|款), the way
    tables exported from a budgeting system print them: 301 | 01 | 基本工资."""
    for t in tables(doc, *CODED):
        if t.role == "economic":
            reshape_codes(t, 2, lambda c, row: [c[:3], c[3:5]], ["类", "款"])
        else:
            reshape_codes(t, 3, lambda c, row: [c[:3], c[3:5], c[5:7]], ["类", "款", "项"])
    return [("", doc)]


def merged_codes(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(c) code and name in one cell ("2080109 社会保险经办机构"), joined by a space, an
    ideographic space or nothing, as one document does throughout."""
    sep = r.choice([" ", IDEOGRAPHIC_SPACE, ""])
    for t in tables(doc, *CODED):
        name_col = t.code_width
        reshape_codes(t, 1, lambda c, row, n=name_col: [f"{c}{sep}{row[n]}" if c else row[n]],
                      label="科目编码及名称", width=0.45)
        drop_column(t, 1)
    return [("", doc)]


def names_only(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(d) no codes: names indented by level (two ideographic spaces a level in the text
    export; set in from the cell edge in the PDF). The truth's codes are not printed."""
    for t in tables(doc, *CODED):
        levels = [(len(c) - 3) // 2 if c else 0 for c in codes(t)]
        for _ in range(t.code_width):
            drop_column(t, 0)
        t.rows = [[IDEOGRAPHIC_SPACE * 2 * lv + row[0]] + row[1:] for lv, row in zip(levels, t.rows, strict=True)]
    doc.unprintable = ["functional.code", "economic.code"]
    return [("", doc)]


def dual_economic(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(e) the basic-expenditure table prints the department's and the government's economic
    classification side by side (the department's first in most documents)."""
    gov_first = r.random() < 0.3
    for t in tables(doc, "economic"):
        rows = []
        for code, row in zip(codes(t), t.rows, strict=True):
            g = gov_econ_code(b, code) if code else ""
            dept, gov = row[:2], ([g, V.GOV_ECON_NAMES[g]] if g else ["", ""])
            if gov_first and not code:
                dept, gov = ["", ""], row[:2]  # 合计 stays in the first name column
            rows.append((gov + dept if gov_first else dept + gov) + row[2:])
        groups = [[W.ECONOMIC_CLASSIFICATION, "<"], [W.GOV_ECONOMIC_CLASSIFICATION, "<"]]
        first, second = (groups[1], groups[0]) if gov_first else groups
        t.header = [first + second + t.header[0][2:], ["科目编码", "科目名称"] * 2 + t.header[1][2:]]
        t.rows = rows
        t.widths = [0.09, 0.21, 0.09, 0.21, 0.4 / 3, 0.4 / 3, 0.4 / 3]
        t.numeric_from = 4
        t.code_width = 0
    return [("", doc)]


def landscape(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(f) the tables on landscape pages, or on portrait pages turned by /Rotate, and the digits
    set on another baseline than the CJK text (PDF only: the text export is family a's)."""
    doc.pdf_style = {"table_pages": r.choice(["landscape", "rotated"]),
                     "digit_rise": r.choice([1.2, 1.8, -1.2, -1.8])}
    return [("", doc)]


def spreadsheet(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(m) the tables printed from a spreadsheet: every column over two sheet columns (each cell
    spans both), an empty sheet column either side, and ruled blank rows under each table, ruled
    by the sheet's own columns (PDF only: the text export is family a's)."""
    doc.pdf_style = {"sheet": {"split": r.choice([0.3, 0.4, 0.5, 0.6]), "blank_rows": r.randint(2, 5)}}
    return [("", doc)]


def unruled(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(n) the tables printed without column lines: a rule under every row only, or no rules at
    all, cells apart by their alignment and padding (PDF only: the text export is family a's)."""
    doc.pdf_style = {"rules": r.choice(["horizontal", "none"])}
    return [("", doc)]


def flowing(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(g) each table under a sentence of running text; long tables continue on a new page with
    or without their column headers, and a 合计 printed last may stand alone on the next page."""
    total_last = r.random() < 0.7
    i = 0
    while i < len(doc.blocks):
        kind, t = doc.blocks[i]
        if kind != "table" or t.role == "performance":
            i += 1
            continue
        lead = f"本表反映{b.a.name} {b.year} 年{t.title}的情况，具体如下："
        replace_blocks(doc, i, i, [("p", lead)])
        i += 2
        if total_last and t.rows and t.role in ("functional", "gpb_functional", "economic", "project") \
                and TOTAL in t.rows[0]:
            t.rows = t.rows[1:] + t.rows[:1]
        if len(t.rows) >= 8:
            t.breaks = [(len(t.rows) // 2, r.random() < 0.5)]
            if total_last and TOTAL in t.rows[-1] and r.random() < 0.6:
                t.breaks.append((len(t.rows) - 1, False))  # the orphan 合计 row
    return [("", doc)]


def _half_title(b: Disclosure, t: Table) -> str:
    """A table title that carries year, scope and kind: the only place a tables-only file
    states them (2024年部门收支预算总表)."""
    title = t.title
    if b.kind == W.BUDGET.code and t.role != "performance" and not title.endswith(W.BUDGET.word + "表"):
        cut = -2 if title.endswith("总表") else -1
        title = title[:cut] + W.BUDGET.word + title[cut:]
    org = "" if title.startswith(b.org) else b.org
    return f"{b.year}年{'度' if b.kind == W.FINAL_ACCOUNT.code else ''}{org}{title}"


def tables_only(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(h) one publication in two files: the text without its tables, and the tables alone with
    no title page, the agency above each table (部门：… / 单位：…) and the year only in the
    table titles. The pair states every fact; neither half does alone."""
    agency_label = r.choice(W.AGENCY_LABELS[1:])
    unit_label = W.UNIT_LABELS[1] if agency_label == W.UNIT_LABEL else W.UNIT_LABEL
    text = copy.deepcopy(doc)
    blocks = []
    for kind, x in doc.blocks:
        if kind == "table":
            t = copy.deepcopy(x)
            t.title = _half_title(b, t)
            t.agency_label, t.unit_label = agency_label + "：", unit_label + "："
            blocks.append(("table", t))
    sheet = Doc(doc.stem, "", blocks, pdf_style={"running_header": False})
    part = next(i for i, (what, _) in text.tags.items() if what == "tables_part")
    end = next(i for i in range(part + 1, len(text.blocks)) if text.blocks[i][0] == "h1")
    replace_blocks(text, part + 1, end, [("p", "本部分公开表另册发布。")])
    i = 0
    while i < len(text.blocks):  # the tables in the prose (a performance table) go too
        if text.blocks[i][0] == "table":
            replace_blocks(text, i, i + 1, [])
        else:
            i += 1
    return [("_text", text), ("_tables", sheet)]


def reserve(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(i) a third expenditure component, 单位预留机动经费, in its own column and line of the
    summary, and income by source: 财政拨款, 财政专户管理资金 and 其他资金."""
    m, f = b.m, b.fmt
    final = b.kind == W.FINAL_ACCOUNT.code
    col = W.kind_by_code(b.kind).column
    special, service = m.special_account, m.service_income - m.special_account
    # the summary: income by source, expenditure by function and by use
    classes = {c: sum(v) for c, v in tree(resolve_func(m.func_items(), b.a)) if len(c) == 3}
    inc = [(f"一、{W.FISCAL_GRANT}", m.gpb), (f" 1.{W.GPB}", m.gpb), (f" 2.{W.GOV_FUND}{W.BUDGET.word}", 0),
           (f"二、{W.SPECIAL_ACCOUNT}", special), (f"三、{W.OTHER_FUNDS}", service + m.other_income)]
    funcs = [(f"{cn(i)}、{V.SUMMARY_CLASS_NAMES[c]}", classes.get(c, 0)) for i, c in enumerate(V.SUMMARY_CLASSES, 1)]
    uses = [(f"一、{W.BASIC.label}", m.basic), (f"二、{W.PROJECT.label}", m.project)]
    if not final:
        uses.append((f"三、{W.RESERVE}", m.reserve_total))
    body = []
    for i in range(len(funcs)):
        row = []
        for side in (inc, funcs, uses):
            label, v = side[i] if i < len(side) else ("", None)
            row += [label, f.cell(v) if label else ""]
        body.append(row)
    body += [[_row(W.INCOME, "当年"), f.cell(m.income), _row(W.EXPENDITURE, "当年"), f.cell(m.total), "", ""],
             [_row(W.CARRY_OVER, "", "资金"), f.cell(m.carry_in), _row(W.CARRY_FORWARD, "", "资金"), f.cell(m.carry_out),
              "", ""],
             [W.INCOME_SUM, f.cell(m.income + m.carry_in), W.EXPENDITURE_SUM, f.cell(m.total + m.carry_out), "", ""]]
    summary = tables(doc, "summary")[0]
    summary.header = [["收 入", "<", "支 出", "<", "<", "<"], ["项目名称", col, "功能分类", "<", "支出用途", "<"],
                      ["^", "^", "功能科目名称", col, "项目名称", col]]
    summary.rows, summary.numeric_from = body, 1
    summary.widths = [0.2, 0.12, 0.22, 0.12, 0.22, 0.12]
    # income by unit and source
    income = tables(doc, "income")[0]
    vals = [m.income + m.carry_in, m.income, m.gpb, special, service, m.other_income, m.carry_in]
    income.header = [["单位代码", "单位名称", "合计", W.CURRENT_INCOME, "<", "<", "<", "<", income.header[0][-1]],
                     ["^", "^", "^", "小计", W.FISCAL_GRANT, W.SPECIAL_ACCOUNT, W.OTHER_FUNDS, "<", "^"],
                     ["^", "^", "^", "^", W.GPB, "^", W.SERVICE_INCOME, W.OTHER_INCOME, "^"]]
    income.rows = [row[:2] + [f.cell(v) for v in vals] for row in income.rows]
    income.widths = [0.09, 0.22, 0.1, 0.1, 0.1, 0.1, 0.1, 0.09, 0.1]
    # the reserve's own column, where the expenditure tables print the year's budget
    if not final:
        by_code = dict(tree({c: [v] for c, v in m.reserve.items()}))
        for t in tables(doc, "functional", "gpb_functional"):
            cells = [f.cell(m.reserve_total if not c else by_code.get(c, [0])[0]) for c in codes(t)]
            add_column(t, len(t.header[0]), [W.RESERVE] + ["^"] * (len(t.header) - 1), cells)
        project = tables(doc, "project")[0]
        j = project.header[-1].index(W.SERVICE_INCOME)
        shares = _shares(m.projects, special)
        add_column(project, j, ["<", W.SPECIAL_ACCOUNT], [f.cell(special)] + [f.cell(x) for x in shares])
        service_cells = [f.cell(service)] + [f.cell(p.service - x) for p, x in zip(m.projects, shares, strict=True)]
        for row, cell in zip(project.rows, service_cells, strict=True):
            row[j + 1] = cell
    # the prose names the special account where there is one
    if special:
        i = next(i for i, (what, _) in doc.tags.items() if what == "income")
        text = doc.blocks[i][1]
        if final:
            old = f"{W.SERVICE_INCOME} {f.text(m.service_income)}，占 {pct(m.service_income, m.income)}"
            new = (f"{W.SPECIAL_ACCOUNT} {f.text(special)}，占 {pct(special, m.income)}"
                   + (f"；{W.SERVICE_INCOME} {f.text(service)}，占 {pct(service, m.income)}" if service else ""))
        else:
            old = f"{W.SERVICE_INCOME} {f.text(m.service_income)}"
            new = f"{W.SPECIAL_ACCOUNT} {f.text(special)}" + (f"，{W.SERVICE_INCOME} {f.text(service)}" if service else "")
        assert text.count(old) == 1, (old, text)
        doc.blocks[i] = ("p", text.replace(old, new))
    return [("", doc)]


def _row(measure: W.Measure, start: str, end: str = "") -> str:
    """The row label of `measure` a summary by source prints (当年收入小计, 上年结转资金 …)."""
    return next(r for r in measure.rows if r.startswith(start) and r.endswith(end))


def _shares(projects, special: int) -> list[int]:
    """How a 财政专户 amount falls on the projects its service income funds, in order."""
    out, left = [], special
    for p in projects:
        part = min(p.service, left)
        left -= part
        out.append(part)
    return out


def meeting_training(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(j) the 三公 table also carries 会议费 and 培训费: its 合计 is all five, the 三公 total is
    the 小计 under “三公”经费."""
    f, qt = b.fmt, b.quote
    final = b.kind == W.FINAL_ACCOUNT.code

    def row(three: dict, total3: int, econ: dict) -> list[str]:
        meet, train = econ.get("30215", 0), econ.get("30216", 0)
        return [f.cell(v) for v in (total3 + meet + train, total3, three["abroad"], three["car_buy"] + three["car_run"],
                                    three["car_buy"], three["car_run"], three["reception"], meet, train)]
    header = [[TOTAL, f"{qt}经费", "<", "<", "<", "<", "<", W.MEETING_FEE, W.TRAINING_FEE],
              ["^", "小计", W.ABROAD.label, W.VEHICLES.label, "<", "<", W.RECEPTION.label, "^", "^"],
              ["^", "^", "^", "小计", W.VEHICLE_PURCHASE.label, W.VEHICLE_OPERATION.label, "^", "^", "^"]]
    body = [row(b.m.three, b.three_total(), b.m.econ)]
    if final:
        plan = b.plan
        header = [["项目"] + header[0], ["^"] + header[1], ["^"] + header[2]]
        body = [[W.BUDGET.column] + row(plan.three, sum(plan.three.values()), plan.econ),
                [W.FINAL_ACCOUNT.column] + body[0]]
    t = tables(doc, "three_public")[0]
    t.title = t.title.replace("经费", f"经费、{W.MEETING_FEE}、{W.TRAINING_FEE}", 1)
    t.header, t.rows, t.numeric_from, t.widths = header, body, int(final), None
    return [("", doc)]


def unit_lists(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(k) the internal units as running text (with their duties, or "A、B和C"), as a list
    broken across lines, or only counted (then the truth's units are not printed)."""
    a = b.a
    i, (_, head_len) = next((i, v) for i, v in doc.tags.items() if v[0] == "units")
    end = i + 1
    while doc.tags.get(end, (None,))[0] == "units_item":
        end += 1
    head = doc.blocks[i][1][:head_len]
    names = [u for u, _ in a.units]
    how = r.choice(["wrapped", "wrapped", "duties", "and", "count"])
    if how == "duties":
        new = [("p", head + "本单位内设机构及职责如下：" + "；".join(f"{u}，{d}" for u, d in a.units) + "。")]
    elif how == "and":
        listed = "、".join(names[:-1]) + "和" + names[-1] if len(names) > 1 else names[0]
        new = [("p", f"{head}单位设有{listed}共 {len(names)} 个内设机构。")]
    elif how == "count":
        new = [("p", f"{head}单位内设职能机构 {len(names)} 个。")]
        doc.unprintable = ["units"]
    else:
        new = [("p", head), ("p", f"根据工作需要，单位内设{'、'.join(names)}，共 {len(names)} 个内设机构。")]
    replace_blocks(doc, i, end, new)
    if how == "wrapped":
        doc.hard_wraps[i + 1] = r.choice([13, 17, 19, 23])
    return [("", doc)]


def project_details(b: Disclosure, doc: Doc, r: random.Random) -> list[tuple[str, Doc]]:
    """(l) the project table with each project's 立项依据, a budget's quarterly 用款计划, and
    a table of performance targets after it."""
    f, m = b.fmt, b.m
    final = b.kind == W.FINAL_ACCOUNT.code
    ext = {p["name"]: p for p in extensions(b)["projects"]}
    i, t = next((i, x) for i, (kind, x) in enumerate(doc.blocks) if kind == "table" and x.role == "project")
    basis_col = t.header[0][-1] == "政策依据"
    printed = {row[1]: row[-1] for row in t.rows[1:]} if basis_col else {}
    basis_word, plan_word = W.PROJECT_BASIS_WORDS[0], W.QUARTERLY_PLAN_WORDS[0]

    def basis(p) -> str:
        # the basis cell of family a where it has one (it is evidence in the truth), else the
        # numbers in the form this document printed them
        return printed.get(p.name) or "；".join(b.printed.get(pol.number, pol.number) for pol in p.policies)
    if final:
        plan_amt = {p.name: p.amount for p in b.plan.projects}
        header = [["项目分类", "项目名称", basis_word, W.OPENING_BUDGET_COLUMN, W.FINAL_ACCOUNT.column]]
        body = [["", TOTAL, "", f.cell(sum(plan_amt.get(p.name, 0) for p in m.projects)), f.cell(m.project)]]
        body += [[p.category, p.name, basis(p), f.cell(plan_amt.get(p.name, 0)), f.cell(p.amount)] for p in m.projects]
        widths = [0.12, 0.26, 0.34, 0.14, 0.14]
    else:
        quarters = {p.name: [yuan(x) for x in ext[p.name]["quarterly"]] for p in m.projects}
        header = [["项目分类", "项目名称", basis_word, TOTAL, plan_word, "<", "<", "<"],
                  ["^", "^", "^", "^", "一季度", "二季度", "三季度", "四季度"]]
        body = [["", TOTAL, "", f.cell(m.project)] + [f.cell(sum(q[k] for q in quarters.values())) for k in range(4)]]
        body += [[p.category, p.name, basis(p), f.cell(p.amount)] + [f.cell(x) for x in quarters[p.name]]
                 for p in m.projects]
        widths = [0.1, 0.2, 0.22, 0.1] + [0.095] * 4
    t.header, t.rows, t.numeric_from, t.widths = header, body, 3, widths
    rows = []
    for p in m.projects:
        for k, tg in enumerate(ext[p.name]["targets"]):
            rows.append([p.name if k == 0 else "", tg["level1"], tg["level2"], tg["indicator"], tg["value"]])
    targets = b.tab(f"{W.PROJECT.label}{W.PERFORMANCE_WORDS[0]}表", [["项目名称", "一级指标", "二级指标", "三级指标", "指标值"]],
                    rows, numeric_from=5, widths=[0.26, 0.14, 0.18, 0.28, 0.14], role="targets")
    replace_blocks(doc, i + 1, i + 1, [("table", targets)])
    return [("", doc)]


@dataclass(frozen=True)
class Family:
    name: str
    letter: str
    make: Callable[[Disclosure, Doc, random.Random], list[tuple[str, Doc]]]

    @property
    def about(self) -> str:
        return (self.make.__doc__ or "").split("\n")[0]


FAMILIES = {f.name: f for f in (
    Family("standard", "a", standard), Family("split_codes", "b", split_codes),
    Family("merged_codes", "c", merged_codes), Family("names_only", "d", names_only),
    Family("dual_economic", "e", dual_economic), Family("landscape", "f", landscape),
    Family("flowing", "g", flowing), Family("tables_only", "h", tables_only), Family("reserve", "i", reserve),
    Family("meeting_training", "j", meeting_training), Family("unit_lists", "k", unit_lists),
    Family("project_details", "l", project_details), Family("spreadsheet", "m", spreadsheet),
    Family("unruled", "n", unruled),
)}


def family_docs(name: str, b: Disclosure, doc: Doc) -> list[tuple[str, Doc]]:
    """The files family `name` prints document `doc` (built from `b`) as: (stem suffix, Doc),
    one pair for most families, two for a publication in halves."""
    fam = FAMILIES[name]
    return fam.make(b, copy.deepcopy(doc), sub_rng(b.w.seed, "family", name, b.a.idx, b.year, b.kind))
