"""Outline and heading rules: which printed line opens an outline item (第一部分, 第一章, 一、,
（一）, 1、, (1), ①, 第一条) and which of them are headings, at what level.

Pure functions over one line of text."""

from __future__ import annotations

import re

from kg.readers.cells import is_amount

CN_NUM = "一二三四五六七八九十百零〇廿两"
PART_RE = re.compile(rf"^第[{CN_NUM}\d]+(部分|篇)\s*")
CHAPTER_RE = re.compile(rf"^第[{CN_NUM}\d]+章\s*")
L2_RE = re.compile(rf"^[{CN_NUM}]+\s*[、．.]\s*")
L3_RE = re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[)）]\s*")
NUM_ITEM_RE = re.compile(r"^(?:\d{1,2}\s*[、．.](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])\s*")
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
BULLET_RE = re.compile(r"^[-*•·●▪]\s+")
# Sentence-final punctuation: a line ending in one of these ends its sentence.
TERMINAL = "。！？；!?;…"
CLOSERS = "”’」』）)】》\"'"
HEADING_MAX = 40
_AMOUNT_IN_TEXT_RE = re.compile(r"\d\s*(?:亿元|万元|千元|元|%|％)|\d\.\d|\d,\d{3}")


def ends_sentence(s: str) -> bool:
    s = s.rstrip().rstrip(CLOSERS)
    return bool(s) and s[-1] in TERMINAL


def heading_level(line: str) -> int | None:
    """The outline level a line prints, or None for body text. Only short lines without
    sentence punctuation count: "一、主要职责" is a heading, "一、本单位……。" is not."""
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
    rest = NUM_ITEM_RE.sub("", s) if NUM_ITEM_RE.match(s) else ""
    if rest and len(s) <= 30 and not re.search(r"[，,；;：:。！？]", s) and not is_amount(rest.split()[0]):
        return 4
    return None


def strip_md_heading(s: str) -> str:
    m = MD_HEADING_RE.match(s.strip())
    return m.group(2).strip() if m else s.strip()


def outline_start(s: str) -> bool:
    """Does a line open a new item (so it must not be glued onto the previous line)?"""
    return bool(PART_RE.match(s) or CHAPTER_RE.match(s) or L2_RE.match(s) or L3_RE.match(s)
                or NUM_ITEM_RE.match(s) or BULLET_RE.match(s) or s.startswith(("#", "|"))
                or re.match(r"^第[" + CN_NUM + r"\d]+条", s))


def toc_key(s: str) -> str:
    for rx in (PART_RE, CHAPTER_RE, L2_RE, L3_RE):
        m = rx.match(s)
        if m:
            return re.sub(r"\s", "", m.group(0))
    return s
