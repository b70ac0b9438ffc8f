"""The national classification lists (政府收支分类科目), and the codes of a table's rows
printed by name only.

A disclosure that prints its classification tables without a code column still prints each
row under its parent (社会保障和就业支出, then 行政事业单位养老支出, then 机关事业单位基本养老保险
缴费支出). The national lists (kg/data/classification.tsv, loaded through kg.vocab) give each
name its code, but many names recur under several parents (行政运行 is the 01 项 of dozens of
款), so a row is resolved by its ancestors: the rows above it that the list places it under.
A name the list does not hold, or holds under no printed ancestor and more than once, stays
without a code: a wrong code would put the line into another classification's sums.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg import vocab as V

SCHEME_BY_HEAD = {"2": "functional", "3": "economic", "5": "gov_economic"}
# A printed name shorter than this is never matched as the beginning of a listed one.
_MIN_PREFIX = 4


def name_key(name: str) -> str:
    """A name as compared: NFKC, no spaces, no punctuation (full- and half-width brackets
    alike, so 维修(护)费 is 维修（护）费)."""
    s = re.sub(r"[\s\u3000]+", "", unicodedata.normalize("NFKC", name or ""))
    return re.sub(r"[、，,。.:：;；“”\"'‘’《》()（）\-—_/·]", "", s)


def _loose(key: str) -> str:
    end = V.CLASSIFICATION_NAME_ENDING
    return key[: -len(end)] if key.endswith(end) and len(key) > len(end) else key


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    since: int | None  # first fiscal year of this name (None: as far back as the list goes)
    until: int | None  # last fiscal year of this name (None: still in use)


class Classification:
    """One scheme's list: codes by name, children by parent."""

    def __init__(self, entries: list[Entry]):
        self.names: dict[str, set[str]] = {}
        self.by_key: dict[str, set[str]] = {}
        self.by_loose: dict[str, set[str]] = {}
        self.children: dict[str, set[str]] = {}
        for e in entries:
            key = name_key(e.name)
            self.names.setdefault(e.code, set()).add(key)
            self.by_key.setdefault(key, set()).add(e.code)
            self.by_loose.setdefault(_loose(key), set()).add(e.code)
            if len(e.code) > 3:
                self.children.setdefault(e.code[:-2], set()).add(e.code)

    def candidates(self, name: str) -> set[str]:
        """Every code the list names `name` (or `name` with or without the ending 支出)."""
        key = name_key(name)
        return set(self.by_key.get(key, ())) or set(self.by_loose.get(_loose(key), ()))

    def child_by_prefix(self, parent: str, name: str) -> str | None:
        """The one child of `parent` whose listed name begins with the printed one (a name cut
        short by its cell: 对机关事业单位基本养老保险基…)."""
        key = name_key(name)
        if len(key) < _MIN_PREFIX:
            return None
        hits = {c for c in self.children.get(parent, ()) if any(n.startswith(key) for n in self.names[c])}
        return hits.pop() if len(hits) == 1 else None


@cache
def entries() -> tuple[Entry, ...]:
    path = Path(__file__).resolve().parent / V.CLASSIFICATION_FILE
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, *years = line.split("\t") + ["", ""]
        since, until = (int(y) if y.strip() else None for y in years[:2])
        out.append(Entry(code.strip(), name.strip(), since, until))
    return tuple(out)


@cache
def classification(scheme: str) -> Classification:
    return Classification([e for e in entries() if SCHEME_BY_HEAD.get(e.code[:1]) == scheme])


class NameResolver:
    """The codes of one table's rows printed by name only, read top to bottom.

    The path holds the codes of the rows the next row may sit under (its 类, 款, 项). A row
    takes the code its name has under the deepest of them, else the 类 its name is, else the
    one code its name has in the whole list when that code's parent was printed above. After
    a row the list cannot place, the path may be wrong (that row may have been a 款 whose 项
    follow), so only a name with one code in the whole list is resolved until one resolves.
    """

    def __init__(self, scheme: str):
        self.c = classification(scheme)
        self.path: list[str] = []
        self.seen: set[str] = set()
        self.lost = False

    def next(self, name: str) -> str:
        """The code of the row named `name` ("" when the list cannot tell it)."""
        code = self._resolve(name)
        if not code:
            self.lost = True
            return ""
        self.lost = False
        self.seen.add(code)
        while self.path and not code.startswith(self.path[-1]):
            self.path.pop()
        self.path.append(code)
        return code

    def _resolve(self, name: str) -> str | None:
        cands = self.c.candidates(name)
        if self.lost and len(cands) != 1:
            return None
        for parent in reversed(self.path):
            under = {c for c in cands if c[:-2] == parent and len(c) > 3}
            if len(under) == 1:
                return under.pop()
        top = {c for c in cands if len(c) == 3}
        if len(top) == 1:
            return top.pop()
        if len(cands) == 1:
            code = next(iter(cands))
            return code if code[:-2] in self.seen else None
        if not cands and not self.lost:
            for parent in reversed(self.path):
                code = self.c.child_by_prefix(parent, name)
                if code:
                    return code
        return None
