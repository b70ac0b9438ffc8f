"""Projects: the rows of the project tables (项目支出表, 专项业务经费支出表, 专项资金预算表…).

A project table is recognised by its title/header (项目支出 / 专项 and a 项目名称 column);
its rows give name, amount, category (a 项目分类 column, or the group row a project sits
under) and implementing agency (agency rows printed with a unit code above the projects).
Performance and declaration forms are never a source of new projects: a name they print
next to the amount of an already known project becomes that project's skos:altLabel.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from kg import vocab as V
from kg.document import Document, Table
from kg.extract.base import CODE_RE, Facts, ProjectFact, Prov, TargetFact, clean_name, header_paths, norm
from kg.extract.tables import is_kind, table_kinds
from kg.money import doc_unit, normalize, parse_decimal, table_factor
from kg.readers.outline import OUTLINE, OUTLINE_RE

_SKIP_NAMES = re.compile(r"^(合计|总计|小计|本年合计|其中[:：]?|项目名称|序号|\d+)$")
_FORM_WORDS = ("绩效", "申报表", "目标表", "评价")
_EXCLUDE_TITLES = (V.PROCUREMENT_WORD, "债务", "政府购买服务", V.STATE_CAPITAL, V.GOV_FUND, V.THREE_PUBLIC_WORD, "会议费",
                   "培训费")


def _col(paths: list[list[str]], pattern: str, skip: set[int] = frozenset()) -> int | None:
    for i, p in enumerate(paths):
        if i in skip or not p:
            continue
        if re.search(pattern, "/".join(p)):
            return i
    return None


def project_table_score(t: Table) -> int:
    title = norm(t.title or "")
    head = norm(" ".join(c for h in t.header for c in h))
    label = title + "|" + head
    if any(w in title for w in _FORM_WORDS) or any(w in title for w in _EXCLUDE_TITLES):
        return 0
    s = 0
    if re.search(rf"{V.PROJECT.label}|项目预算|专项业务经费|专项资金|项目明细", title):
        s += 3
    if re.search(r"项目名称|\(项目\)名称|（项目）名称|^项目$|\|项目", head) or re.search(r"项目名称", label):
        s += 2
    if not t.header:
        return 0
    return s


def _is_group_row(name: str, desc: str | None, next_desc: str | None, amount: Decimal | None,
                  next_amount: Decimal | None) -> bool:
    """A category row ("履职项目", "专项资金项目", "特定目标类"): a short label that, unlike
    the projects under it, has no description; without a description column, one whose
    amount covers the next row."""
    n = norm(name)
    if not (re.search(r"(项目|类|支出)$", n) and len(n) <= 10):
        return False
    if desc is not None:
        return not desc and (bool(next_desc) or next_desc is None)
    return next_amount is None or amount is None or amount >= next_amount


def read_project_table(t: Table, unit: str, agency: str | None, kind: str = "budget") -> list[ProjectFact]:
    paths = header_paths(t)
    factor = table_factor(t, unit)
    code_col = _col(paths, r"(单位|部门)(编码|代码)")
    name_col = _col(paths, r"项目名称|\(项目\)名称|（项目）名称|项目$", {code_col} if code_col is not None else set())
    if name_col is None:
        name_col = _col(paths, r"^项目|名称")
    if name_col is None:
        return []
    cat_col = _col(paths, r"项目(分类|类别|类型|性质)|^类别|^分类")
    unit_col = _col(paths, r"(单位|部门)名称|实施单位|执行单位")
    skip = {i for i in (code_col, name_col, cat_col, unit_col) if i is not None}
    amt_col = None
    budget, final = V.BUDGET.column, V.FINAL_ACCOUNT.column
    pats = (rf"^(合计|总计|项目金额|金额|本年预算|{budget}|预算金额|{final})", rf"合计|总计|金额|{budget}|{final}",
            rf"本年拨款|{V.GPB}")
    if kind == V.FINAL_ACCOUNT.code:
        # a final account's own figure is the outturn
        pats = (rf"{V.FINAL_ACCOUNT.word}|{V.ACTUAL}支出|{V.CURRENT_EXPENDITURE}",) + pats
    for pat in pats:
        amt_col = _col(paths, pat, skip)
        if amt_col is not None:
            break
    basis_col = _col(paths, V.alternation(V.PROJECT_BASIS_WORDS), skip | {amt_col})
    quarters = {i: _QUARTER_NUMBER[q.group(1)] for i, p in enumerate(paths)
                if p and (q := re.match(V.QUARTER_PATTERN, p[-1])) and i not in skip}
    desc_col = _col(paths, r"简介|说明|用途|内容|备注",
                    skip | {amt_col, basis_col, *quarters} - {None})
    out: list[ProjectFact] = []
    category = None
    current_agency = None
    rows = t.rows

    def amount_of(r):
        if amt_col is not None and amt_col < len(r):
            v = parse_decimal(r[amt_col])
            if v is not None:
                return normalize(v * factor)
        for i in range(name_col + 1, len(r)):
            if i not in skip:
                v = parse_decimal(r[i])
                if v is not None:
                    return normalize(v * factor)
        return None

    for ri, r in enumerate(rows):
        if name_col >= len(r):
            continue
        name = clean_name(r[name_col])
        code = norm(r[code_col]) if code_col is not None and code_col < len(r) else ""
        amount = amount_of(r)
        if code and re.fullmatch(r"\d{3,12}", code):
            current_agency = name  # an agency row: projects below belong to it
            category = None
            continue
        if not name or _SKIP_NAMES.match(norm(name)):
            continue
        desc = clean_name(r[desc_col]) if desc_col is not None and desc_col < len(r) else None
        nxt = amount_of(rows[ri + 1]) if ri + 1 < len(rows) else None
        nxt_desc = None
        if desc_col is not None and ri + 1 < len(rows) and desc_col < len(rows[ri + 1]):
            nxt_desc = clean_name(rows[ri + 1][desc_col])
            nxt_name = norm(rows[ri + 1][name_col]) if name_col < len(rows[ri + 1]) else ""
            if not nxt_desc and re.search(r"(项目|类)$", nxt_name) and len(nxt_name) <= 10:
                nxt_desc = None  # a group under a group ("专用项目" over "履职项目")
        if cat_col is None and _is_group_row(name, desc, nxt_desc, amount, nxt) and ri + 1 < len(rows):
            category = name
            continue
        cat = clean_name(r[cat_col]) if cat_col is not None and cat_col < len(r) and r[cat_col].strip() else category
        impl = clean_name(r[unit_col]) if unit_col is not None and unit_col < len(r) and r[unit_col].strip() else current_agency
        page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
        p = ProjectFact(name, amount, cat, impl, [], Prov(page, clean_name(t.title or "") or None, ri + 1))
        if basis_col is not None and basis_col < len(r) and clean_name(r[basis_col]):
            p.basis = clean_name(r[basis_col])
        for i, q in quarters.items():
            v = parse_decimal(r[i]) if i < len(r) else None
            if v is not None:
                p.plan[q] = normalize(v * factor)
        out.append(p)
    return out


_QUARTER_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def read_targets(t: Table) -> list[tuple[str, TargetFact]]:
    """(project name, target) for each row of a performance-target table; a row with its name
    cell blank is another target of the project named above it."""
    paths = header_paths(t)
    name_col = _col(paths, r"项目名称|\(项目\)名称|（项目）名称")
    cols = [_col(paths, rf"(?:{V.alternation(words)})$") for words in V.TARGET_LEVEL_CELLS]
    if name_col is None or cols[2] is None:
        return []
    out: list[tuple[str, TargetFact]] = []
    current = None
    for ri, r in enumerate(t.rows):
        def cell(i, r=r):
            return clean_name(r[i]) if i is not None and i < len(r) and clean_name(r[i]) else None

        current = cell(name_col) or current
        indicator = cell(cols[2])
        if current is None or indicator is None or _SKIP_NAMES.match(norm(current)):
            continue
        page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
        out.append((current, TargetFact(cell(cols[0]), cell(cols[1]), indicator, cell(cols[3]),
                                        Prov(page, clean_name(t.title or "") or None, ri + 1))))
    return out


def _similar(a: str, b: str) -> bool:
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    common = len(set(a) & set(b))
    return common >= 0.5 * min(len(set(a)), len(set(b)))


_NUM_PREFIX = re.compile(rf"^\s*{OUTLINE}\s*")


def _add_alt(p: ProjectFact, name: str, f: Facts, banned: set[str]) -> None:
    n = norm(name)
    if n == norm(p.name) or n in banned or (f.agency and n == norm(f.agency)):
        return
    known = [norm(p.name)] + [norm(a) for a in p.alt_names]
    if any(k.startswith(n) for k in known):  # a truncated print of a known name
        return
    p.alt_names[:] = [a for a in p.alt_names if not n.startswith(norm(a))]
    p.alt_names.append(name)


def add_variants(doc: Document, f: Facts, primary_ids: set[int], unit: str) -> None:
    """Names printed beside a known project's amount in other tables → altLabels. Only the
    first name-like cell of a row counts (later cells are descriptions), and rows that carry
    a classification code are classification lines, not projects."""
    if not f.projects:
        return
    banned = {norm(ln.name) for ln in f.lines}
    for ti, t in enumerate(doc.tables()):
        if ti in primary_ids:
            continue
        factor = table_factor(t, unit)
        for r in t.rows:
            if any(CODE_RE.match(norm(a)) and b.strip() and parse_decimal(b) is None for a, b in zip(r, r[1:], strict=False)):
                continue
            nums = [normalize(v * factor) for v in (parse_decimal(c) for c in r) if v is not None]
            if not nums:
                continue
            for c in r:
                name = clean_name(_NUM_PREFIX.sub("", c))
                n = norm(name)
                if not n or parse_decimal(c) is not None:
                    continue
                if not (3 <= len(n) <= 40) or re.search(r"[:：。；;，,]|\d{3,}", n):
                    continue
                hits = [p for p in f.projects if p.amount is not None and any(abs(p.amount - x) <= 100 for x in nums)
                        and _similar(p.name, name)]
                if len(hits) == 1:
                    _add_alt(hits[0], name, f, banned)
                break  # only the first text cell of a row names something
        # key-value forms: "项目名称 | X" with the amount in a later row ("项目总预算 | 15")
        _form_variants(t, f, factor, banned)


def _form_variants(t: Table, f: Facts, factor: Decimal, banned: set[str]) -> None:
    name = None
    for r in t.header + t.rows:
        cells = [clean_name(c) for c in r]
        for i, c in enumerate(cells[:-1]):
            if re.fullmatch(r"项目(\(政策\)|（政策）)?名称", norm(c)):
                name = next((x for x in cells[i + 1:] if x), None)
        if name is None:
            continue
        if any(re.search(r"资金总额|项目总预算|预算资金|当年预算|项目金额", norm(c)) for c in cells):
            nums = [normalize(v * factor) for v in (parse_decimal(c) for c in cells) if v is not None]
            nums += [x for c in cells for x in _inline_wan(c)]
            hits = [p for p in f.projects if p.amount is not None and any(abs(p.amount - x) <= 100 for x in nums)]
            if len(hits) > 1:
                hits = [p for p in hits if _similar(p.name, name)]
            if len(hits) == 1 and _similar(hits[0].name, name):
                _add_alt(hits[0], name, f, banned)
            name = None


def _inline_wan(cell: str) -> list[Decimal]:
    m = re.search(rf"(\d[\d,]*(?:\.\d+)?)\s*{V.WAN}", cell)
    if m:
        v = parse_decimal(m.group(1))
        if v is not None:
            return [normalize(v * V.YUAN_PER_WAN)]
    return []


_SECTION_TITLE = re.compile(r"^(?P<name>.{2,40}?)(?P<suffix>(?:项目)?(?:经费|资金)?(?:情况说明|说明|简介|概况))$")
_SECTION_MARK = re.compile(r"立项依据|项目概述|实施主体|年度预算安排|项目总预算|预算安排")
_SECTION_AMOUNT = re.compile(r"(?:项目总预算|年度预算|预算安排|总预算|预算资金|项目预算)[^\d。；]{0,8}?(\d[\d,]*(?:\.\d+)?)\s*"
                             rf"({V.alternation((V.WAN_YUAN, V.WAN, V.YUAN))})")


def narrative_projects(doc: Document, f: Facts) -> list[ProjectFact]:
    """Projects described in their own sections ("科技创新专项经费情况说明" → 一、项目概述 /
    二、立项依据 / … / 六、年度预算安排 "项目总预算1720.00万")."""
    from kg.extract.base import logical_paragraphs
    from kg.money import to_yuan

    paras = logical_paragraphs(doc)
    out: list[ProjectFact] = []
    for i, (page, text) in enumerate(paras):
        t = clean_name(text)
        m = _SECTION_TITLE.match(norm(t))
        if not m or len(t) > 48 or OUTLINE_RE.match(t) or "部分" in t:
            continue
        if any(V.scope_kind(sc, k) in norm(t) for sc in V.SCOPES for k in V.KINDS):
            continue  # the disclosure's own title ("…2024年部门预算公开说明"), not a project's section
        body = []
        for _, nxt in paras[i + 1: i + 40]:
            if _SECTION_TITLE.match(norm(nxt)) and len(nxt) <= 48 and not OUTLINE_RE.match(nxt):
                break
            body.append(norm(nxt))
        if not any(_SECTION_MARK.search(b) for b in body[:3]) or not any("立项依据" in b or "预算安排" in b for b in body):
            continue
        amount = None
        for bi, b in enumerate(body):
            # the label may be a heading of its own ("六、年度预算安排") with the amount below it
            am = _SECTION_AMOUNT.search(b) or (bi + 1 < len(body) and re.search(r"预算安排$|总预算$|项目预算$", b)
                                                and _SECTION_AMOUNT.search(b + body[bi + 1]))
            if am:
                amount = to_yuan(am.group(1), V.unit_word(am.group(2)))
                break
        name = m.group("name")
        printed = clean_name(t)
        base = printed[: len(printed) - len(m.group("suffix"))] if printed.endswith(m.group("suffix")) else name
        full = re.sub(r"(情况说明|说明|简介|概况)$", "", printed)
        alts = [full] if norm(full) != norm(base) else []
        out.append(ProjectFact(base, amount, None, None, alts, Prov(page, None, None, printed), section_title=printed))
    return out


def extract_projects(doc: Document, f: Facts) -> None:
    unit = f.unit or doc_unit(doc)
    tables = doc.tables()
    kinds = table_kinds(doc, f.kind)
    # a table the classifier knows as another standard table (a performance-target form, the
    # procurement list) lists no projects of its own, whatever its columns are called
    scored = [(project_table_score(t) if is_kind(kinds.get(id(t)), V.TK_PROJECT.key) or kinds.get(id(t)) is None
               else 0, i, t) for i, t in enumerate(tables)]
    chosen = [(i, t) for s, i, t in scored if s >= 3]
    projects: list[ProjectFact] = []
    seen: dict[tuple[str, str], int] = {}
    counts: dict[str, int] = {}
    for _i, t in chosen:
        local: dict[tuple, int] = {}
        for p in read_project_table(t, unit, f.agency, f.kind):
            key = (norm(p.name), str(p.amount))
            local[key] = local.get(key, 0) + 1
            # the same project in a second project table is the same node; twice in one
            # table it is two projects
            if key in seen and local[key] <= seen[key]:
                continue
            seen[key] = max(seen.get(key, 0), local[key])
            n = norm(p.name)
            counts[n] = counts.get(n, 0) + 1
            p.key = hashlib.sha1(f"{n}|{counts[n]}".encode()).hexdigest()[:12]
            projects.append(p)
    for p in narrative_projects(doc, f):
        same = [q for q in projects if norm(q.name) in {norm(p.name), *map(norm, p.alt_names)}
                or (q.amount is not None and p.amount is not None and abs(q.amount - p.amount) <= 100 and _similar(q.name, p.name))]
        if same:
            same[0].section_title = p.section_title
            for alt in [p.name] + p.alt_names:
                if norm(alt) != norm(same[0].name) and alt not in same[0].alt_names:
                    same[0].alt_names.append(alt)
            continue
        n = norm(p.name)
        counts[n] = counts.get(n, 0) + 1
        p.key = hashlib.sha1(f"{n}|{counts[n]}".encode()).hexdigest()[:12]
        projects.append(p)
    f.projects = projects
    add_variants(doc, f, {i for i, _ in chosen}, unit)
    # performance targets, from the tables the classifier knows as target tables, to the project named
    for t in tables:
        if is_kind(kinds.get(id(t)), V.TK_PERFORMANCE.key):
            for name, target in read_targets(t):
                owner = next((p for p in projects if norm(name) in {norm(p.name), *map(norm, p.alt_names)}), None)
                if owner is not None:
                    owner.targets.append(target)
