"""Outline and heading rules, one set for every reader and for extraction: which printed line
opens an outline item (第一部分, 第一章, 一、, （一）, 1、, (1), ①, 第一条) and which of them are
headings, at what level.

Pure functions over one line of text. The marker grammar is written once here, as pattern
pieces; the compiled patterns, `outline_marker`, `heading_level` and `strip_outline_number`
are built from them.
"""

from __future__ import annotations

import re

from kg import vocab as V
from kg.readers.cells import is_amount

# Chinese numerals as outlines print them (十一, 二十, 廿, 〇 …).
CN_NUM = "一二三四五六七八九十百零〇廿两"
# --- marker pieces (regex source, no anchors) ------------------------------------------------
PART = rf"第[{CN_NUM}\d]+(?:部分|篇)"
CHAPTER = rf"第[{CN_NUM}\d]+章"
SECTION = rf"第[{CN_NUM}\d]+节"
ARTICLE = rf"第[{CN_NUM}\d]+条"
CN_ITEM = rf"[{CN_NUM}]+\s*[、．.]"  # 一、 二． 三.
CN_PAREN = rf"[（(]\s*[{CN_NUM}]+\s*[)）]"  # （一） (二)
NUM_ITEM = r"\d{1,2}\s*(?:、|[．.](?!\d))"  # 1、 2. 3． — never the 1 of 1.5, but 2、12333
NUM_PAREN = r"[（(]\d{1,2}[)）]"  # (1) （2）
NUM_CLOSE = r"\d{1,2}\s*[)）](?!\d)"  # 1） 2) — closed by a bracket it never opened
CIRCLED = r"[①-⑳]"
# Any outline marker, the longest alternatives first (for composing: no anchor, no group).
OUTLINE = rf"(?:{PART}|{CHAPTER}|{SECTION}|{ARTICLE}|{CN_ITEM}|{CN_PAREN}|{NUM_ITEM}|{NUM_PAREN}|{NUM_CLOSE}|{CIRCLED})"

PART_RE = re.compile(rf"^{PART}\s*")
CHAPTER_RE = re.compile(rf"^{CHAPTER}\s*")
L2_RE = re.compile(rf"^{CN_ITEM}\s*")
L3_RE = re.compile(rf"^{CN_PAREN}\s*")
NUM_ITEM_RE = re.compile(rf"^(?:{NUM_ITEM}|{NUM_PAREN}|{NUM_CLOSE}|{CIRCLED})\s*")
OUTLINE_RE = re.compile(rf"^{OUTLINE}")

MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
BULLET_RE = re.compile(r"^[-*•·●▪]\s+")
# Sentence-final punctuation: a line ending in one of these ends its sentence.
TERMINAL = "。！？；!?;…"
CLOSERS = "”’」』）)】》\"'"
HEADING_MAX = 40
NUMBERED_HEADING_MAX = 30
_AMOUNT_IN_TEXT_RE = re.compile(rf"\d\s*(?:{V.alternation(V.UNITS_LONGEST_FIRST)}|%|％)|\d\.\d|\d,\d{{3}}")


def ends_sentence(s: str) -> bool:
    s = s.rstrip().rstrip(CLOSERS)
    return bool(s) and s[-1] in TERMINAL


def heading_level(line: str, *, numbered_items: bool = True) -> int | None:
    """The outline level a line prints, or None for body text: # … ###### (markdown level),
    第X部分/篇 1, 第X章 2, 一、 2, （一） 3, and with `numbered_items` a short 1、/(1)/① item 4.
    Only short lines without sentence punctuation or a stated figure count: "一、主要职责" is
    a heading, "一、本单位……。" and "（一）收入预算 12.5 万元，包括：" are not.

    `numbered_items=False` is the PDF reader's rule: a PDF line is a printed line, and a
    short numbered one there is mostly a list entry or the first line of a wrapped item
    ("2.某某中心" under "具体包括："), while a text export's short numbered line is a
    sub-heading of its own."""
    s = line.strip()
    m = MD_HEADING_RE.match(s)
    if m:
        return len(m.group(1))
    if len(s) > HEADING_MAX or ends_sentence(s) or s.endswith(("，", ",", "、", "：", ":")) or "。" in s:
        return None
    if _AMOUNT_IN_TEXT_RE.search(s):
        return None  # "一、收入预算 120.5 万元" states a figure; headings name things
    if PART_RE.match(s):
        return 1
    if CHAPTER_RE.match(s):
        return 2
    if L2_RE.match(s) and not is_amount(s.split()[0]):
        return 2
    if L3_RE.match(s):
        return 3
    if not numbered_items:
        return None
    rest = NUM_ITEM_RE.sub("", s) if NUM_ITEM_RE.match(s) else ""
    if rest and len(s) <= NUMBERED_HEADING_MAX and not re.search(r"[，,；;：:。！？]", s) \
            and not is_amount(rest.split()[0]):
        return 4
    return None


def strip_md_heading(s: str) -> str:
    m = MD_HEADING_RE.match(s.strip())
    return m.group(2).strip() if m else s.strip()


def outline_marker(text: str) -> str:
    """The outline marker a line opens with ("第一部分", "一、", "（一）", "1、"), spaces
    dropped and brackets made full-width so "(一)" and "（一）" compare equal; "" when none."""
    m = OUTLINE_RE.match(text)
    return re.sub(r"\s", "", m.group(0)).replace("(", "（").replace(")", "）") if m else ""


def outline_start(s: str) -> bool:
    """Does a text-export line open a new item (so it must not be glued onto the previous
    line)? An outline marker, or the markdown that starts a block (bullet, #, table row)."""
    return bool(OUTLINE_RE.match(s) or BULLET_RE.match(s) or s.startswith(("#", "|")))


def strip_outline_number(s: str) -> str:
    """A line without the outline number it opens with: "一、主要职责" -> "主要职责"."""
    m = OUTLINE_RE.match(s)
    return s[m.end():].lstrip() if m else s
