"""Policy document numbers (发文字号) and cited titles in free text.

A number is <issuer code><year in brackets><serial>号. Documents print the year in any of
〔〕【】[]（）() or 〈〉, with full-width digits and stray spaces ("财社【2016】101 号");
the normalized form puts the year in 〔〕 with ASCII digits and no spaces ("财社〔2016〕101号").
A 《title》 printed right before or after a number is that policy's title; a 《…》 naming a
law, regulation or rule cited without a number is a law. Pure functions only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Issuer codes are CJK (鄂财社发, 沪商规, 天人社文), sometimes with a 函/字 part; 2–12 chars.
_ISSUER = r"[\u4e00-\u9fff]{1,12}"
_OPEN = r"[〔【\[（(〈<［﹝]"
_CLOSE = r"[〕】\]）)〉>］﹞]"
NUMBER_RE = re.compile(rf"(?P<issuer>{_ISSUER})\s*{_OPEN}\s*(?P<year>(?:19|20)\d{{2}})\s*{_CLOSE}\s*(?:第\s*)?(?P<serial>\d{{1,5}})\s*号")
# Words that often precede an issuer code in running text and are not part of it.
_LEAD = re.compile(r"^.*(?:根据|依据|按照|参照|依照|执行|落实|文件|通知|规定|印发|关于|及|和|与|、|的|为|是|据|照|见|由)(?=[\u4e00-\u9fff]{2,})")
TITLE_RE = re.compile(r"《([^《》\n]{2,80})》")
# A title whose opening 《 is missing: text up to a 》 immediately followed by a number.
_OPEN_TITLE_BEFORE_NUMBER = re.compile(r"([\u4e00-\u9fff、“”]{6,80}(?:通知|办法|意见|规定|决定|方案|细则|批复|规则|标准|条例|意见))》\s*$")
LAW_SUFFIXES = ("法", "条例", "办法", "规定", "规程", "规则", "细则", "准则", "制度", "意见", "决定", "通知", "纲要", "方案", "标准")
_ISSUER_TRIM = ("关于", "根据", "依据", "按照")


@dataclass(frozen=True)
class DocNumber:
    number: str  # normalized
    issuer: str
    year: int
    serial: int
    printed: str
    start: int = 0
    end: int = 0


@dataclass
class Citation:
    number: DocNumber | None
    title: str | None
    start: int
    end: int
    extra: dict = field(default_factory=dict)


def nfkc(s: str) -> str:
    # NFKC maps full-width digits/letters and ideographic spaces, but also turns 〔〕 into
    # nothing special and （） into (); we only rely on it for digits and spaces.
    return unicodedata.normalize("NFKC", s)


def _clean_issuer(issuer: str) -> str:
    issuer = _LEAD.sub("", issuer)
    for w in _ISSUER_TRIM:
        if w in issuer:
            issuer = issuer.split(w)[-1]
    return issuer


def find_numbers(text: str) -> list[DocNumber]:
    """Every document number in `text`, normalized, in order of appearance."""
    out = []
    t = nfkc(text)
    # NFKC keeps string length for these inputs except for rare ligatures; positions refer to t.
    for m in NUMBER_RE.finditer(t):
        issuer = _clean_issuer(m.group("issuer"))
        if len(issuer) < 1:
            continue
        year, serial = int(m.group("year")), int(m.group("serial"))
        number = f"{issuer}〔{year}〕{serial}号"
        start = m.start("issuer") + (len(m.group("issuer")) - len(issuer))
        out.append(DocNumber(number, issuer, year, serial, t[start:m.end()], start, m.end()))
    return out


def normalize_number(printed: str) -> str | None:
    """"财社【2016】101 号" → "财社〔2016〕101号"; None when it is not a document number."""
    found = find_numbers(printed)
    return found[0].number if found else None


def _title_before(t: str, start: int) -> str | None:
    head = t[:start].rstrip(" （(")
    m = re.search(r"《([^《》]{2,80})》\s*[（(]?\s*$", head)
    if m:
        return m.group(1).strip()
    m = _OPEN_TITLE_BEFORE_NUMBER.search(head)
    if m:  # "…的通知》（财社【2016】101号）" with the opening 《 lost
        title = m.group(1)
        return re.split(r"[：:；;。，,]", title)[-1].strip() or None
    return None


def _title_after(t: str, end: int) -> str | None:
    m = re.match(r"\s*[)）]?\s*(?:印发的?)?\s*《([^《》]{2,80})》", t[end:])
    return m.group(1).strip() if m else None


def find_citations(text: str) -> list[Citation]:
    """Numbers with their attached titles, then titles cited without a number (laws)."""
    t = nfkc(text)
    cites: list[Citation] = []
    used_titles: set[tuple[int, int]] = set()
    for n in find_numbers(t):
        title = _title_before(t, n.start) or _title_after(t, n.end)
        cites.append(Citation(n, title, n.start, n.end))
        if title:
            i = t.rfind(title, 0, n.start + 1)
            if i < 0:
                i = t.find(title, n.end)
            used_titles.add((i, i + len(title)))
    for m in TITLE_RE.finditer(t):
        span = (m.start(1), m.end(1))
        if span in used_titles:
            continue
        title = m.group(1).strip()
        if is_law_title(title):
            cites.append(Citation(None, title, m.start(), m.end()))
    cites.sort(key=lambda c: c.start)
    return cites


def is_law_title(title: str) -> bool:
    """A 《…》 naming a law or rule (中华人民共和国预算法, …条例, …办法), not a table or report."""
    title = title.strip()
    if any(x in title for x in ("表", "报告", "公开说明")) and not title.endswith(LAW_SUFFIXES):
        return False
    return title.endswith(LAW_SUFFIXES) or title.startswith("中华人民共和国")
