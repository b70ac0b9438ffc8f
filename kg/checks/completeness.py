"""Completeness and identity: does the document carry what it says it carries, for the agency,
year and kind it names?

  contents_table_missing  a table the 目录 lists that the document does not print (only where the
                          document prints tables at all: a text-only file of a publication split in
                          two carries its tables in the other file)
  template_placeholder    a template's placeholder left in (XX局, XX单位, XXX万元, XX%)
  heading_year            a heading or table title naming the document's own kind (部门预算, …决算表)
                          with another year, or with the other kind
  asset_date              the asset reporting date: the end of the reporting year in a 决算, a day of
                          the year before in a 预算 (the budget is drawn up before its year starts)
  doubled_full_stop       "。。" (a warning: style, not a contradiction)
"""

from __future__ import annotations

import re

from kg import vocab as V
from kg.checks import finding
from kg.document import Document, Heading, Table
from kg.extract.base import Facts, FindingFact, clean_name, norm
from kg.readers.outline import OUTLINE_RE, PART_RE

RULES = ("contents_table_missing", "template_placeholder", "heading_year", "asset_date", "doubled_full_stop")

# XX局, XX 单位, XXX万元, XX%: Latin X's standing for a name or a figure (after NFKC).
PLACEHOLDER = re.compile(r"(?<![A-Za-z])[Xx]{2,}(?=\s*[\u4e00-\u9fff%])|(?<=[\u4e00-\u9fff])\s*[Xx]{2,}(?![A-Za-z])")
_YEAR_KIND = re.compile(rf"((?:19|20)\d\d)\s*年度?[^，。；]{{0,24}}?({V.scope_pattern()})?({V.kind_pattern()})"
                        rf"(?:{V.TABLE_WORD}|公开|情况|说明|$)")
_DATE = re.compile(rf"(?:{V.alternation(V.ASSET_DATE_WORDS)})\s*((?:19|20)\d\d)\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日")
_DOUBLED = re.compile(rf"{V.FULL_STOP}\s*{V.FULL_STOP}(?!\s*{V.FULL_STOP})")


def _texts(doc: Document):
    """(page, text, is a heading or title) of every heading, paragraph and table title."""
    for b in doc.blocks():
        if isinstance(b, Table):
            if b.title:
                yield b.page, b.title, True
            continue
        for line in b.text.split("\n"):
            yield b.page, line, isinstance(b, Heading)


def _contents(doc: Document) -> tuple[list[tuple[int, str]], set[int]]:
    """The 目录's entries ((page, entry), continuation lines joined) and the ids of the blocks
    it is printed in. It ends where the body starts: at the first entry printed again."""
    blocks = [b for b in doc.blocks() if not isinstance(b, Table)]
    start = next((i for i, b in enumerate(blocks) if norm(b.text).startswith(V.CONTENTS_WORD)), None)
    if start is None:
        return [], set()
    entries: list[tuple[int, str]] = []
    used = {id(blocks[start])}
    first = None
    head_rest = norm(blocks[start].text)[len(V.CONTENTS_WORD):]
    lines = [(blocks[start].page, x) for x in head_rest.split("\n") if x.strip()] if head_rest else []
    for b in blocks[start + 1:start + 80]:
        if first is not None and norm(b.text) == first:
            break
        used.add(id(b))
        lines += [(b.page, x) for x in b.text.split("\n") if x.strip()]
        if first is None and lines:
            first = norm(lines[0][1])
    for page, line in lines:
        t = norm(line)
        if re.fullmatch(r"[\d—\-－第页.·…]*", t):
            continue  # a page number or leader dots
        t = re.sub(r"[.·…]{2,}\d*$|\d+$", "", t)
        if entries and not OUTLINE_RE.match(t) and not PART_RE.match(t):
            entries[-1] = (entries[-1][0], entries[-1][1] + t)
        else:
            entries.append((page, t))
    return entries, used


def _core(title: str) -> str:
    """A table's name without numbering, year, leading 部门/单位 and a trailing note in brackets."""
    t = OUTLINE_RE.sub("", norm(title))
    t = re.sub(r"^(?:公开)?\d{0,2}表", "", t)
    t = re.sub(r"^(?:(?:19|20)\d\d年度?)", "", t)
    t = re.sub(rf"^(?:{V.scope_pattern()})", "", t)
    return re.sub(r"[(（][^)）]*[)）]$", "", t)


def _loose(name: str) -> str:
    """A table's name without the qualifiers titles drop or add (支出, 财政拨款, 一般公共预算):
    a 目录's 政府采购支出预算表 is the 政府采购预算表 printed."""
    for w in (V.GPB, V.FISCAL_GRANT, V.CURRENT_EXPENDITURE[-2:]):
        name = name.replace(w, "")
    return name


def contents_missing(doc: Document) -> list[FindingFact]:
    entries, used = _contents(doc)
    listed = [(p, e) for p, e in entries if e.endswith(V.TABLE_WORD) and not PART_RE.match(e)]
    if not listed or not doc.tables():
        return []
    hay = set()
    for b in doc.blocks():
        if id(b) in used:
            continue
        if isinstance(b, Table):
            # a title the reader left inside the table (a row of its own) counts as printed
            hay |= {_core(b.title or "")} | {_core(c) for r in b.header + b.rows for c in r if c}
        else:
            hay |= {_core(x) for x in b.text.split("\n")}
    hay = {h for h in hay if len(h) >= 4}

    loose_hay = {_loose(h) for h in hay}

    def present(entry: str) -> bool:
        core, loose = _core(entry), _loose(_core(entry))
        # a shorter printed title inside the listed name ("收入支出决算总表" in "财政拨款收入支出决算总表"
        # does not count: only a table's name, which ends in 表)
        return any(core in h or (len(h) >= 6 and h.endswith(V.TABLE_WORD) and h in core) for h in hay) or \
            (len(loose) >= 5 and any(loose in h for h in loose_hay))

    found = [present(e) for _, e in listed]
    if not any(found):
        return []
    return [finding.stated("contents_table_missing", f"{V.CONTENTS_WORD}列有“{clean_name(e)}”，但文件中没有这张表",
                           clean_name(e), "—", [p], f"contents:{_core(e)}")
            for (p, e), ok in zip(listed, found, strict=True) if not ok]


def placeholders(doc: Document) -> list[FindingFact]:
    out, seen = [], set()
    for page, text, _ in _texts(doc):
        t = clean_name(text)
        for m in PLACEHOLDER.finditer(t):
            ctx = t[max(0, m.start() - 8):m.end() + 8]
            if ctx in seen:
                continue
            seen.add(ctx)
            out.append(finding.stated("template_placeholder", f"模板占位符“{m.group(0).strip()}”未替换：“{ctx}”",
                                      "—", ctx, [page], f"placeholder:{page}:{ctx}"))
    return out


def heading_years(doc: Document, f: Facts) -> list[FindingFact]:
    if not f.fiscal_year:
        return []
    own = V.kind_by_code(f.kind).word
    out, seen = [], set()
    titles = [(page, text) for page, text, heading in _texts(doc)
              if heading or (page == (doc.pages[0].number if doc.pages else 1) and len(norm(text)) <= 40)]
    # the kind is only checked where some heading states the document's own: a file of tables
    # with no title page has its kind from nothing but a default
    kind_stated = any(m.group(3) == own for _, text in titles for m in _YEAR_KIND.finditer(norm(text)))
    for page, text in titles:
        t = norm(text)
        for m in _YEAR_KIND.finditer(t):
            year, kind = int(m.group(1)), m.group(3)
            scoped = m.group(2) is not None or t[m.end():].startswith(V.TABLE_WORD) or m.group(0).endswith(V.TABLE_WORD)
            bad_year = year != f.fiscal_year
            bad_kind = kind_stated and kind != own and scoped and V.OPENING_BUDGET not in t
            if not (bad_year or bad_kind) or (t, page) in seen:
                continue
            seen.add((t, page))
            expected = f"{f.fiscal_year}年{own}"
            out.append(finding.stated("heading_year", f"标题“{clean_name(text)}”与文件的年度和类别（{expected}）不符",
                                      expected, f"{year}年{kind}", [page], f"heading:{page}:{t[:30]}"))
    return out


def asset_dates(doc: Document, f: Facts) -> list[FindingFact]:
    if not f.fiscal_year:
        return []
    final = f.kind == V.FINAL_ACCOUNT.code
    out = []
    for b in doc.blocks():
        if isinstance(b, Table):
            continue
        t = norm(b.text)
        for m in _DATE.finditer(t):
            around = t[m.end():m.end() + 40]
            if not any(w in around for w in V.ASSET_WORDS):
                continue
            y, mo, d = (int(x) for x in m.groups())
            ok = (y, mo, d) == (f.fiscal_year, *V.YEAR_END) if final else y == f.fiscal_year - 1
            if ok:
                continue
            want = f"{f.fiscal_year}年{V.YEAR_END[0]}月{V.YEAR_END[1]}日" if final else f"{f.fiscal_year - 1}年内"
            out.append(finding.stated("asset_date", f"资产统计日期印为 {y}年{mo}月{d}日，{V.kind_by_code(f.kind).word}"
                                      f"应为 {want}", want, f"{y}年{mo}月{d}日", [b.page], f"asset_date:{y}-{mo}-{d}"))
    return out


def doubled_stops(doc: Document) -> list[FindingFact]:
    out = []
    for b in doc.blocks():
        if isinstance(b, Table):
            continue
        for m in _DOUBLED.finditer(b.text):
            ctx = re.sub(r"\s+", "", b.text[max(0, m.start() - 12):m.end()])
            out.append(finding.stated("doubled_full_stop", f"句号重复：“{ctx}”", V.FULL_STOP, m.group(0), [b.page],
                                      f"stop:{b.page}:{ctx}", finding.WARNING))
    return out


def check(doc: Document, f: Facts) -> list[FindingFact]:
    return contents_missing(doc) + placeholders(doc) + heading_years(doc, f) + asset_dates(doc, f) + doubled_stops(doc)
