"""Internal units (内设机构) and staff counts (编制 / 实有 / 离退休).

Internal units come from the 机构设置 section: either an enumeration sentence
("内设机构包括：A、B、C。") or numbered paragraphs "1、办公室：负责…". Staff counts come
from sentences of the 人员构成 / 人员情况 section wherever they are printed.
"""

from __future__ import annotations

import re

from kg import vocab as V
from kg.document import Document, Heading, Table
from kg.extract.base import Facts, clean_name, logical_paragraphs, norm
from kg.readers.outline import L2_RE, OUTLINE, OUTLINE_RE, PART_RE

UNIT_SUFFIX = ("室", "科", "部", "处", "股", "中心", "队", "组", "站", "所", "窗口", "办", "局", "院", "馆", "大队", "支队", "分局", "庭", "团",
               "厅")
_NUMBERED = re.compile(rf"^\s*[-•·]?\s*{OUTLINE}\s*([^：:，,。；;]{{2,24}}?)\s*[：:]")
_ENUM = re.compile(r"(?:内设(?:机构|科室|部门)?|下设)(?:[^：:。]{0,20}?)(?:包括|包含|有|为|分别是|分别为|[：:])?\s*[：:]?\s*([^。]+)")
_SECTION = re.compile(r"机构设置|内设机构|机构情况|组织机构")


def _is_unit(name: str) -> bool:
    n = re.sub(r"[（(][^）)]*[)）]$", "", norm(name))
    # "38个处室", "3个专门委员会": a count of units, not one of them
    return 2 <= len(n) <= 20 and n.endswith(UNIT_SUFFIX) and not re.search(r"\d+个", n)


def _split_glued(item: str) -> list[str]:
    """"财务室参保缴费室" (a lost 、) → two units; names with brackets are left alone."""
    if re.search(r"[（()）]", item):
        return [item]
    parts = re.findall(r".+?(?:办公室|中心|窗口|室|科|部|处|股|队|组|站|所)(?=.{2,}|$)", item)
    # each part a name of its own: "宣传科教处" is one office, not 宣传科 + 教处
    if len(parts) >= 2 and "".join(parts) == item and all(len(p) >= 3 and _is_unit(p) for p in parts):
        return parts
    return [item]


# "单位设有综合股、检测股和质量管理股共 3 个内设机构": the units named before their count.
_COUNTED = re.compile(r"(?:设有|设立|设置|下设|内设)([^。；;：:]{2,200}?)(?:共|等)?\s*(?:\d+|[一二三四五六七八九十]+)\s*个"
                      r"(?:内设机构|职能科室|科室|处室|股室|部门|机构)")


def enumerated_units(text: str) -> list[str]:
    out: list[str] = []
    t = clean_name(text)
    for m in _COUNTED.finditer(norm(t)):
        for it in re.split(r"[、，,；;]|和|及|以及", m.group(1)):
            it = re.split(r"包括|下设|设有|现有", it)[-1]
            for p in _split_glued(clean_name(it)):
                if _is_unit(p) and p not in out:
                    out.append(p)
    for m in _ENUM.finditer(t):
        body = re.split(r"等(?:\d+个|[一二三四五六七八九十]+个)?(?:科室|部门|机构|内设机构)?$|等[，,；;]", m.group(1))[0]
        # "…等 20 个处室和省委机要局": the count closes one list and 和 adds one more name
        body = re.sub(r"等\s*\d+\s*个[\u4e00-\u9fff]{1,6}?(?:和|及|以及)", "、", body)
        items = [clean_name(x) for x in re.split(r"[、，,；;]|和(?=[\u4e00-\u9fff]{2,}(?:室|科|部|处|股|中心)$)", body)]
        for it in items:
            it = re.split(r"[：:]|包括|下设|设有", it)[-1]  # "内设机构包括…下设办公厅": the name after the verb
            it = re.sub(r"^(?:\d+个)?(?:内设机构|科室)?", "", it)
            for p in _split_glued(it):
                if _is_unit(p) and p not in out:
                    out.append(p)
    return out


_MEMBERS_INTRO = re.compile(r"单位构成|编制范围|本部门中|本部(?:以及|及|和)下属|下属\d+家")
_MEMBER_ITEM = re.compile(r"^[（(]?\d{1,2}[)）.、．]\s*(.+)$")
_SELF = re.compile(r"本部$|本级$|机关本级$|机关$")


def _full_name(name: str, city: str | None) -> str:
    """"普陀区法律援助中心" printed inside a 上海市普陀区 disclosure → the full name, so one unit
    gets one IRI whichever document lists it."""
    if not city or name.startswith(city) or re.match(r"^[\u4e00-\u9fff]{2,8}?[省市]", name):
        return name
    for k in range(1, len(city)):
        tail = city[k:]
        if len(tail) >= 2 and tail[-1] in "市县区旗州盟" and name.startswith(tail):
            return city[:k] + name
    return name


def member_units(doc: Document, agency: str | None, city: str | None) -> list[str]:
    """Units a 部门 disclosure says it covers (单位构成 table, or "具体包括：1.… 2.…"), minus
    the department itself (本部 / 本级): each is an agency of its own under the department."""
    from kg.extract.base import header_paths
    from kg.extract.header import looks_like_org, same_org

    out: list[str] = []

    def add(raw: str) -> None:
        name = re.split(r"[，,。；;：:]", clean_name(raw))[0]
        name = norm(re.sub(r"[（(][^（）()]*[)）]$", "", norm(name)))
        if not name or _SELF.search(name) or not looks_like_org(name):
            return
        if not re.match(r"^(?:中共)?[\u4e00-\u9fff]{1,8}?[省市区县旗州盟]", name):
            return  # a unit of its own carries its region ("普陀区…中心"); "1.办公室" is an internal office
        name = _full_name(name, city)
        if agency and (norm(name) == norm(agency) or same_org(name, agency) and len(name) <= len(norm(agency))):
            return
        if name not in out:
            out.append(name)

    window = 0
    for b in doc.blocks():
        if isinstance(b, Table):
            if window:
                cols = [i for i, p in enumerate(header_paths(b)) if p and re.search(r"单位名称|单位$", p[-1])]
                if cols:
                    for r in b.rows:
                        if cols[0] < len(r):
                            add(r[cols[0]])
                    window = 0
            continue
        text = clean_name(b.text)
        if _MEMBERS_INTRO.search(norm(text)) and len(norm(text)) < 120:
            window = 5
        elif not window:
            continue
        else:
            window -= 1
        rest = re.split(r"包括\s*[:：]", text, maxsplit=1)
        m = _MEMBER_ITEM.match(rest[-1].strip())
        if m:
            add(m.group(1))
            window = max(window, 2)
    return out


def extract_units(doc: Document, f: Facts) -> None:
    blocks = list(doc.blocks())
    units: list[str] = []
    in_section = False
    section_level = 99
    for b in blocks:
        if isinstance(b, Table):
            continue
        text = b.text
        is_head = isinstance(b, Heading) or (len(norm(text)) <= 30 and OUTLINE_RE.match(norm(text)))
        if is_head and _SECTION.search(norm(text)) and not re.search(r"\d+\s*[、.．]\s*$", text):
            in_section, section_level = True, getattr(b, "level", 99)
            continue
        if is_head and in_section and not _NUMBERED.match(text):
            lvl = getattr(b, "level", 99)
            if isinstance(b, Heading) and lvl <= section_level or L2_RE.match(norm(text)) or PART_RE.match(norm(text)):
                in_section = False
        if in_section:
            m = _NUMBERED.match(clean_name(text))
            if m and _is_unit(m.group(1)):
                name = clean_name(m.group(1))
                if name not in units:
                    units.append(name)
    for _, text in logical_paragraphs(doc):
        for u in enumerated_units(text):
            if u not in units:
                units.append(u)
    if f.agency:
        units = [u for u in units if norm(u) != norm(f.agency)]
    f.internal_units = units
    f.member_units = member_units(doc, f.agency, f.city)
    extract_staff(doc, f)


_STAFF = {
    V.AUTHORIZED_STAFF.key: re.compile(rf"(?:{V.alternation(V.AUTHORIZED_STAFF.text)})(?:为|共|总数)?\s*[:：]?\s*(\d+)\s*[人名个]"),
    V.ACTUAL_STAFF.key: re.compile(rf"(?:{V.alternation(V.ACTUAL_STAFF.text)})(?:为|共)?\s*[:：]?\s*(\d+)\s*人"),
    V.RETIRED_STAFF.key: re.compile(rf"(?:{V.alternation(V.RETIRED_STAFF.text)})(?:为|共)?\s*[:：]?\s*(\d+)\s*人"),
}


def extract_staff(doc: Document, f: Facts) -> None:
    for _, text in logical_paragraphs(doc):
        t = norm(text)
        for key, pat in _STAFF.items():
            if key in f.staff:
                continue
            m = pat.search(t)
            if m:
                f.staff[key] = int(m.group(1))
