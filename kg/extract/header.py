"""Disclosure header: agency, year, kind, scope, parent bureau, unit code, template check.

The agency's full name comes from the title ("<agency> 2024 年部门预算公开"), which covers
often split over lines or put after the year line; a "预算单位：/预算主管部门：" field wins
when the title names only a region. The unit code and the parent bureau come from the
income table's code column (213 天门市…局 above 213002 <agency>) or from sentences such as
"…是…的二级单位" / "属于…下属单位" / "主管部门：…".
"""

from __future__ import annotations

import re
from collections import Counter

from kg import vocab as V
from kg.document import Document, Heading, Paragraph, Table
from kg.extract.base import Facts, clean_name, norm

ORG_SUFFIX = ("局", "中心", "委员会", "委", "部", "办公室", "办", "院", "所", "队", "站", "会", "处", "馆", "社",
              "校", "学", "公司", "厅", "署", "室", "园", "台", "团", "政府", "小组", "场", "厂", "库", "宫", "科", "组",
              "区委", "党校", "报社", "电台", "监狱", "看守所", "中队", "大队", "支队", "总队", "联社", "基地")
_QUALIFIERS = V.alternation(V.TITLE_KIND_QUALIFIERS)
# "2024年部门预算", also without its 年 ("…办公厅2018预算公开") where no figure can be meant
TITLE_RE = re.compile(r"(?<![\d.,])(?P<year>(?:19|20)\d{2})(?:\s*年度?)?\s*(?P<level>区级|市级|县级|省级|镇级)?\s*"
                      rf"(?P<scope>{V.scope_pattern()})?\s*(?:{_QUALIFIERS})?\s*(?P<kind>{V.kind_pattern()})")
YEAR_FIRST_RE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?(?P<name>[\u4e00-\u9fff（）()]{3,40}?)\s*"
                           rf"(?P<scope>{V.scope_pattern()})?\s*(?:{_QUALIFIERS})?\s*(?P<kind>{V.kind_pattern()})")
FIELD_RE = re.compile(rf"(?:{V.alternation(V.COVER_AGENCY_LABELS)})\s*[:：]\s*(\S[^\s:：]{{2,40}})")
# the year after the kind: "<agency>部门决算（2024年度）"; never a publication date ("2025年8月")
KIND_FIRST_RE = re.compile(rf"(?P<scope>{V.scope_pattern()})?\s*(?:{_QUALIFIERS})?\s*(?P<kind>{V.kind_pattern()})"
                           r"(?:公开)?\s*[(（]?\s*(?P<year>(?:19|20)\d{2})\s*年度?(?!\s*(?:\d{1,2}|"
                           rf"[{V.MONTH_NUMERALS}]{{1,3}})月)\s*[)）]?")
YEARLESS_RE = re.compile(rf"(?P<scope>{V.scope_pattern()})?\s*(?:{_QUALIFIERS})?\s*(?P<kind>{V.kind_pattern()})"
                         r"[\u4e00-\u9fff]{0,6}$")
# "二〇二四年", "二零二四年度": a year in Chinese numerals, read as the digits it stands for
_NUMERAL_YEAR = re.compile(rf"([{''.join(V.YEAR_NUMERALS)}]{{4}})(?=\s*年)")
# "2025年8月", "二〇二五年八月": a date on the cover (when it was published), not a fiscal year
_DATE_AFTER_YEAR = re.compile(rf"\s*(?:\d{{1,2}}|[{V.MONTH_NUMERALS}]{{1,3}})月")
_LEADS = re.compile(rf"^(?:{V.alternation(V.TITLE_LEADS)})")
_TAILS = re.compile(rf"(?:{V.alternation(V.TITLE_NAME_TAILS)})$")
_HINTS = re.compile(rf"[(（]?(?P<hint>{V.alternation(w for w, _ in V.SCOPE_HINTS)})[)）]?")
_BRACKETED_HINT = re.compile(rf"[(（](?P<hint>{V.alternation(w for w, _ in V.SCOPE_HINTS)})[)）]")
_HINT_SCOPES = {w: s.code for w, s in V.SCOPE_HINTS}
_ORGAN_PREFIX = re.compile(rf"^(?:{V.alternation(V.ORGAN_PREFIXES)})")
# a date on a line of its own, labelled or not ("2025年8月", "公开时间：2024年2月10日"): no part of a title
_DATE_LINE = re.compile(rf"^[^\d]{{0,8}}?(?P<year>(?:19|20)\d{{2}})年(?:\d{{1,2}}|[{V.MONTH_NUMERALS}]{{1,3}})月"
                        rf"(?:(?:\d{{1,2}}|[{V.MONTH_NUMERALS}]{{1,3}})日)?$")
# a line of its own above a title that is not part of it: "附件2：", "附件一"
_ATTACHMENT = re.compile(rf"^{V.ATTACHMENT_WORD}[\d一二三四五六七八九十]*[:：]?$")
PLACEHOLDER_RE = re.compile(r"X{2,}|×{2,}|＊{2,}|\*{2,}|[Xx]{2,}")
# 州 ends a region (恩施州) unless a 市/县/区/旗 follows it, when it is part of the name (杭州市, 祥州县)
REGION_RE = re.compile(r"^((?:[\u4e00-\u9fff]{2,8}?(?:省|自治区|市))?(?:[\u4e00-\u9fff]{1,8}?(?:市|县|区|旗|州(?![市县区旗])|盟))?)")


def looks_like_org(name: str) -> bool:
    n = norm(name)
    n = re.sub(r"[（(][^）)]*[)）]$", "", n)
    return len(n) >= 3 and n.endswith(ORG_SUFFIX)


def _front_texts(doc: Document, limit: int = 14) -> list[str]:
    out = []
    for b in doc.blocks():
        if isinstance(b, Table):
            if out:
                break
            continue
        t = clean_name(b.text)
        if not t:
            continue
        if norm(t).startswith(V.CONTENTS_WORD):
            break
        if out and norm(out[-1]) + norm(t) == V.CONTENTS_WORD:  # "目" / "录" set a line apart each
            out.pop()
            break
        out.append(t)
        if len(out) >= limit:
            break
    return out


def _strip_brackets(s: str) -> tuple[str, list[str]]:
    """"鞍山市…中心（鞍山市…执法队）" → base name and the bracketed nameplates."""
    alts = [clean_name(x) for x in re.findall(r"[（(]([^（）()]{4,40})[)）]", s)]
    base = re.sub(r"[（(][^（）()]*[)）]", "", s).strip()
    return base, [a for a in alts if looks_like_org(a)]


def arabic_years(text: str) -> str:
    """"二〇二四年" → "2024年" (also 二零二四, 二○二四); numerals that are no year are left alone."""
    def digits(m: re.Match) -> str:
        y = int("".join(str(V.YEAR_NUMERALS[c]) for c in m.group(1)))
        return str(y) if 1900 <= y <= 2099 else m.group(1)
    return _NUMERAL_YEAR.sub(digits, text)


def _n(text: str | None) -> str:
    return arabic_years(norm(text))


def _unwrap(name: str) -> tuple[str, str | None]:
    """The agency's name out of the words a title wraps it in, and the scope the wrapping hints:
    "关于X" / "X关于" → X; "X（本级）", "X本级" → X, one unit; "X单位" → X, one unit."""
    name, hint = _LEADS.sub("", name), None
    while True:
        before = name
        name = _TAILS.sub("", name)
        m = re.search(_HINTS.pattern + "$", name)
        if m and len(name) > len(m.group(0)):
            hint = hint or _HINT_SCOPES[m.group("hint")]
            name = name[: m.start()]
        for s in V.SCOPES:  # "…商务委员会单位2025年预算": the scope word printed before the year
            if name.endswith(s.word) and looks_like_org(_strip_brackets(name[: -len(s.word)])[0]):
                hint = hint or s.code
                name = name[: -len(s.word)]
        if name == before:
            return name, hint


def _name_before(lines: list[str], start: int) -> str:
    """The text before a title's year, over the lines the title was joined from, less the
    lines above it that are not part of the name: an attachment number ("附件2："), a region, or
    a whole name of its own when what follows is a name too (a government or a parent bureau
    above the agency, one of two nameplates stacked: the one next to the year is taken; no
    alias is made of the other, which may as well be another organization)."""
    segs, pos = [], 0
    for line in lines:
        if pos >= start:
            break
        segs.append(line[: start - pos])
        pos += len(line)
    segs = [x for x in segs if x]

    def whole(x: str) -> bool:
        return looks_like_org(_strip_brackets(_unwrap(x)[0])[0])
    def region(x: str) -> str:
        return REGION_RE.match(x).group(1)

    # a region alone above a name that starts with a region too ("湖北省" over "天门市…局"); one
    # followed by the rest of its name ("天门市" over "社会保险事业管理局") stays
    while len(segs) > 1 and (_ATTACHMENT.match(segs[0]) or (whole(segs[0]) and whole("".join(segs[1:])))
                             or (region(segs[0]) == segs[0] and region("".join(segs[1:])))):
        segs = segs[1:]
    return "".join(segs)


def _match_title(front: list[str], patterns, named: bool = False) -> tuple[int, int, str, re.Match] | None:
    """The first title the front lines print (line, lines joined, their text, the match); with
    `named`, only one whose text before the match is an agency's name."""
    for i in range(len(front)):
        # a title may be split over up to three lines ("…2024年部门预" / "算公开")
        for w in range(1, 4):
            t = "".join(front[i: i + w])
            for pat in patterns:
                m = pat.search(t)
                if m and (not named or looks_like_org(_strip_brackets(_unwrap(_name_before(front[i: i + w],
                                                                                            m.start()))[0])[0])):
                    return i, w, t, m
    return None


def read_title(doc: Document, f: Facts) -> None:
    front = [_n(x) for x in _front_texts(doc)]
    dates = [int(m.group("year")) for m in map(_DATE_LINE.match, front) if m]
    front = [x for x in front if not (_ATTACHMENT.match(x) or _DATE_LINE.match(x))]
    name = None
    # the year before the kind, as nearly every title prints it; else after ("部门决算（2024年度）");
    # else a title with no year ("<agency>部门决算" above "2025年8月"): the year is read below
    hit = (_match_title(front, (TITLE_RE, YEAR_FIRST_RE)) or _match_title(front, (KIND_FIRST_RE,))
           or _match_title(front, (YEARLESS_RE,), named=True))
    m = hit[3] if hit else None
    if hit:
        i, w, t, m = hit
        yf = YEAR_FIRST_RE.search(t)  # "2024年青禾市农业局部门预算": the name after the year
        if m.groupdict().get("year"):
            f.fiscal_year = int(m.group("year"))
        f.kind = V.kind_of(m.group("kind")).code
        before, hint = _unwrap(_name_before(front[i: i + w], m.start()))
        bracketed = _BRACKETED_HINT.search(t)  # "…2024年预算（本级）"
        hint = hint or (_HINT_SCOPES[bracketed.group("hint")] if bracketed else None)
        f.scope = V.scope_of(m.group("scope")).code if m.group("scope") else (hint or V.scope_of(None).code)
        cands = [before] if before else []
        if yf and looks_like_org(_strip_brackets(_unwrap(yf.group("name"))[0])[0]):
            cands.append(_unwrap(yf.group("name"))[0])
        # a title line that starts with the year: the name is on a neighbouring line
        cands += front[i + w: i + w + 2] + list(reversed(front[max(0, i - 2): i]))
        for c in cands:
            base, alts = _strip_brackets(_unwrap(re.split(r"[:：]", c)[-1])[0])
            if looks_like_org(base):
                name = base
                f.agency_aliases += alts
                break
        if name is None and before:
            # the text before the year is the name even with an unusual ending, unless it
            # names only a region ("上海市普陀区2026年区级单位预算")
            base = _strip_brackets(re.split(r"[:：]", before)[-1])[0]
            region = REGION_RE.match(base)
            if len(base) >= 4 and not (region and region.group(1) == base) and re.search(r"[\u4e00-\u9fff]{4}", base):
                name = base
    titled = m is not None
    # nameplates printed in brackets on their own lines right after the name
    for t in front:
        tt = norm(t)
        if re.fullmatch(r"[（(][^（）()]{4,40}[)）]", tt) and looks_like_org(tt[1:-1]):
            if tt[1:-1] not in f.agency_aliases:
                f.agency_aliases.append(tt[1:-1])
    # "预算单位：X" on the cover beats a title that only names a region
    field_names = []
    for _, text in _early_texts(doc):
        for m in FIELD_RE.finditer(norm(text)):
            v = _strip_brackets(m.group(1))[0]
            # "编制单位：X日期：2025年3月" read without its spaces: the name ends where an org's name can
            v = next((v[:k] for k in range(len(v), 2, -1) if looks_like_org(v[:k])), v)
            if looks_like_org(v):
                field_names.append(v)
    if name is None and field_names:
        name = field_names[0]
    elif name and field_names and field_names[0] != name and field_names[0].endswith(name) is False \
            and not looks_like_org(name):
        name = field_names[0]
    if not titled:
        table_titles(doc, f)  # a publication of tables alone: its titles say year, scope and kind
    if name is None:
        name = filing_agency(doc)  # a tables-only publication: "部门：…" above each table
    if name is None:
        f.warnings.append("no agency name found in the title")
    f.agency = name
    if V.FINAL_ACCOUNT.word in "".join(norm(t) for t in front) and f.kind == V.BUDGET.code \
            and not any(V.BUDGET.word in norm(t) for t in front):
        f.kind = V.FINAL_ACCOUNT.code
    if f.fiscal_year is None:
        years = Counter(y for _, t in _early_texts(doc, 40) for y in _years(t))
        # a publication of tables alone says its year in the tables' titles, or only in its file name
        years = years or Counter(y for t in doc.tables() for y in _years(t.title))
        years = years or Counter(int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", doc.source_file))
        if years:
            f.fiscal_year = years.most_common(1)[0][0]
        elif dates:
            # only the cover's date says when: a budget is published in its year, a final account the year after
            f.fiscal_year = dates[0] - (1 if f.kind == V.FINAL_ACCOUNT.code else 0)
    if name:
        m = REGION_RE.match(_ORGAN_PREFIX.sub("", name))  # a party organ's region follows its 中共
        if m and m.group(1):
            f.city = m.group(1)


def _years(text: str | None) -> list[int]:
    """The years a text names, less the dates it prints: a 决算 for 2024 is published "2025年8月"."""
    t = _n(text)
    return [int(m.group(1)) for m in re.finditer(r"((?:19|20)\d{2})\s*年", t) if not _DATE_AFTER_YEAR.match(t, m.end())]


_TABLE_TITLE = re.compile(rf"(?P<year>(?:19|20)\d{{2}})\s*年度?\s*(?P<scope>{V.scope_pattern()})?")


def table_titles(doc: Document, f: Facts) -> None:
    """Year, scope and kind from the tables' own titles ("2024年单位收支预算总表", "收入支出决算总表"),
    each the one most titles say, for a publication with no title page."""
    years, scopes, kinds = Counter(), Counter(), Counter()
    for t in doc.tables():
        title = _n(t.title)
        m = _TABLE_TITLE.search(title)
        if m:
            years[int(m.group("year"))] += 1
            if m.group("scope"):
                scopes[m.group("scope")] += 1
        # "一般公共预算财政拨款支出决算表": the fund's name says 预算 too, so 决算 wins where printed
        if V.FINAL_ACCOUNT.word in title:
            kinds[V.FINAL_ACCOUNT.word] += 1
        elif V.BUDGET.word in title:
            kinds[V.BUDGET.word] += 1
    if years and f.fiscal_year is None:
        f.fiscal_year = years.most_common(1)[0][0]
    if scopes:
        f.scope = V.scope_of(scopes.most_common(1)[0][0]).code
    if kinds:
        f.kind = V.kind_of(kinds.most_common(1)[0][0]).code


_FILING_AGENCY = re.compile(rf"^{V.AGENCY_LABEL_PATTERN}[:：]\s*([\u4e00-\u9fff（）()]{{3,40}}?)(?:{V.alternation(V.UNIT_LABELS)}[:：]|$)")


def filing_agency(doc: Document) -> str | None:
    """The agency the filing lines above the tables name ("部门：某某办公厅  单位：万元"), the
    name most of them give; lines broken in a narrow cell are read joined."""
    from kg.extract.base import logical_paragraphs

    names = Counter()
    for _, text in logical_paragraphs(doc):
        m = _FILING_AGENCY.match(norm(text))
        if m and looks_like_org(_strip_brackets(m.group(1))[0]):
            names[_strip_brackets(m.group(1))[0]] += 1
    return names.most_common(1)[0][0] if names else None


def _early_texts(doc: Document, n: int = 30):
    k = 0
    for b in doc.blocks():
        if isinstance(b, (Heading, Paragraph)):
            yield b.page, b.text
            k += 1
            if k >= n:
                return


def is_template(doc: Document, f: Facts) -> bool:
    """A blank template: placeholders (XX局, XXX万元) where a real disclosure prints names."""
    front = " ".join(_front_texts(doc))
    if f.agency and PLACEHOLDER_RE.search(f.agency):
        return True
    if PLACEHOLDER_RE.search(front) and not f.agency:
        return True
    hits = sum(len(PLACEHOLDER_RE.findall(t)) for _, t in _early_texts(doc, 200))
    return hits >= 5 and (f.agency is None or bool(PLACEHOLDER_RE.search(front)))


# --- parent bureau and unit code --------------------------------------------------------

PARENT_PATTERNS = [
    re.compile(r"是([\u4e00-\u9fff（）()]{4,40}?)(?:的|所属的|下属的)?(?:二级单位|下属单位|所属单位|直属单位|二级预算单位)"),
    re.compile(r"(?:属于|隶属于|隶属|归属)([\u4e00-\u9fff（）()]{4,40}?)(?:的)?(?:下属|所属|直属|管理)"),
    re.compile(r"(?:主管部门|预算主管部门|上级主管部门|项目主管部门)\s*[:：为是]?\s*([\u4e00-\u9fff（）()]{2,40})"),
]


def _code_rows(doc: Document):
    """(code, name, page) from tables that list agencies by code (收入总表, 专项业务经费表…)."""
    out = []
    for t in doc.tables():
        paths = [norm("".join(p)) for p in _paths(t)]
        code_cols = [i for i, p in enumerate(paths) if re.search(r"(单位|部门)(\(单位\)|（单位）)?(代码|编码)", p)]
        for r in t.header + t.rows:
            cells = [norm(c) for c in r]
            if code_cols:
                c = code_cols[0]
                if c + 1 < len(cells) and re.fullmatch(r"\d{3,12}", cells[c]) and cells[c + 1] and not cells[c + 1][0].isdigit():
                    out.append((cells[c], clean_name(r[c + 1]), t.page))
            # "013002鞍山市…中心-210300000" printed in one cell
            for cell in cells:
                m = re.match(r"^(\d{3,12})([\u4e00-\u9fff][\u4e00-\u9fff（）()]{3,40})(?:-\d+)?$", cell)
                if m and looks_like_org(m.group(2)):
                    out.append((m.group(1), m.group(2), t.page))
    return out


def _paths(t: Table):
    from kg.extract.base import header_paths
    return header_paths(t)


def same_org(a: str, b: str) -> bool:
    """Do two printed names denote one organization: equal once normalized, or one (six
    characters or more) inside the other ("…社会保险事业管理局" / "…局本级")?"""
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 6 and (long_.startswith(short) or long_.endswith(short) or short in long_)


def is_abbreviation(short: str, full: str) -> bool:
    """"市人社局" abbreviates "天门市人力资源和社会保障局": its characters appear in order and
    it ends the same way."""
    s, f = norm(short), norm(full)
    if not s or len(s) >= len(f) or s[-1] != f[-1]:
        return False
    it = iter(f)
    return all(ch in it for ch in s)


def read_parent_and_code(doc: Document, f: Facts) -> None:
    rows = _code_rows(doc)
    if f.agency:
        mine = [(c, n) for c, n, _ in rows if same_org(n, f.agency)]
        if mine:
            f.unit_code = max(mine, key=lambda x: len(x[0]))[0]
            for _, n in mine:
                if norm(n) != norm(f.agency) and n not in f.agency_aliases:
                    f.agency_aliases.append(n)
    cands: list[str] = []
    if f.unit_code:
        prefixes = [(c, n) for c, n, _ in rows if f.unit_code.startswith(c) and c != f.unit_code
                    and not same_org(n, f.agency or "")]
        if prefixes:
            c, n = max(prefixes, key=lambda x: len(x[0]))
            cands.append(n)
            f.parent_code = c
    for _, text in _all_texts(doc):
        for pat in PARENT_PATTERNS:
            for m in pat.finditer(norm(text)):
                v = re.sub(r"^(?:市|县|区)?(?:委|政府)?$", "", m.group(1))
                v = re.split(r"(?:项目执行单位|实施单位|项目负责人|联系电话)", v)[0]
                if v and (looks_like_org(v)) and not same_org(v, f.agency or ""):
                    cands.append(v)
    for t in doc.tables():
        for r in t.rows + t.header:
            cells = [norm(c) for c in r]
            for i, c in enumerate(cells[:-1]):
                if c in ("主管部门", "项目主管部门", "预算主管部门", "主管单位"):
                    v = next((x for x in cells[i + 1:] if x), "")
                    # a form printed without rules can set the label of the row above into
                    # this cell ("项目(政策)名称" + the bureau): no organization's name holds 名称
                    v = v.rsplit("名称", 1)[-1]
                    if looks_like_org(v) and not same_org(v, f.agency or ""):
                        cands.append(v)
    if not cands and f.agency:
        # "…是主管…的区政府工作部门": a government department answers to that government
        for _, text in _all_texts(doc):
            m = re.search(r"(?:是|为)[^。，,；;]{0,30}?的?(省|市|区|县|州|旗)(?:人民)?政府(?:工作|组成|直属)(?:部门|机构)", norm(text))
            region = REGION_RE.match(norm(f.agency)).group(1)
            if m and region and region.endswith(m.group(1)):
                cands.append(region + "人民政府")
                f.parent_aliases.append(m.group(1) + "政府")
                break
    if not cands:
        return
    # the fullest form: a candidate that another one abbreviates, or the longest
    best = max(cands, key=lambda v: (sum(1 for o in cands if o != v and (is_abbreviation(o, v) or norm(o) == norm(v))), len(v)))
    f.parent = best
    for c in cands:
        if norm(c) != norm(best) and (is_abbreviation(c, best) or same_org(c, best)) and c not in f.parent_aliases:
            f.parent_aliases.append(c)
    # other agencies listed by code under the department (部门预算 with its units)
    for c, n, _ in rows:
        if not same_org(n, f.agency or "") and not same_org(n, best) and c != f.parent_code:
            f.subordinates.setdefault(n, c)


def _all_texts(doc: Document):
    for b in doc.blocks():
        if isinstance(b, (Heading, Paragraph)):
            yield b.page, b.text


_NAMEPLATES = re.compile(r"(?:加挂|挂)([^。；;，,]{4,80}?)(?:的)?牌子")
_SELF_SHORT = re.compile(r"(?:^|[0-9.、．:：，,])([\u4e00-\u9fff]{3,20}?)本部")


def read_nameplates(doc: Document, f: Facts) -> None:
    """Other names of the agency: the nameplates it carries ("加挂A、B牌子") and the short
    form it calls its own office by ("商务委本部" → 商务委, an abbreviation of the full name)."""
    if not f.agency:
        return
    for _, text in _all_texts(doc):
        t = norm(text)
        for m in _NAMEPLATES.finditer(t):
            for name in re.split(r"[、及]", m.group(1)):
                if looks_like_org(name) and not same_org(name, f.agency) and name not in f.agency_aliases:
                    f.agency_aliases.append(name)
        for m in _SELF_SHORT.finditer(t):
            short, it = m.group(1), iter(norm(f.agency))
            if len(short) < len(norm(f.agency)) and all(ch in it for ch in short) and short not in f.agency_aliases:
                f.agency_aliases.append(short)


def extract_header(doc: Document, f: Facts) -> None:
    read_title(doc, f)
    if is_template(doc, f):
        f.template = True
        f.agency, f.agency_aliases = None, []  # "XX局" is a placeholder, not an agency
        f.warnings.append("blank template (XX placeholders), not a disclosure: no agency or figures recorded")
        return
    read_parent_and_code(doc, f)
    read_nameplates(doc, f)
