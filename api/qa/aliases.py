"""Everyday names of an agency, derived from how the documents name it (its label, its
skos:altLabels, the titles and file names of its own disclosures, its place) by general
rules — never from a list of agencies.

People write "省检察院" for 江苏省人民检察院, "市人社局" for 某市人力资源和社会保障局,
"中共…省委办公厅" or "…省委办" for 江苏省委办公厅. Three rules produce those names:

1. the place may be dropped, or cut to its level (江苏省 → 省, 天门市 → 市): `place_forms`;
2. formal parts have everyday forms, read both ways (人民检察院 ↔ 检察院, 中国共产党 ↔ 中共,
   委员会 → 委, 办公厅 ↔ 办公室): kg.vocab.NAME_FORMS, `name_forms`;
3. words may be cut to their first characters (人力资源和社会保障局 → 人社局): not
   enumerated here; the linker reads a name as an abbreviation of a form (linking.py).

A form without the place is shared by every agency of that kind in every place; the linker
keeps all of them as candidates and the question's year and kind, or the reader, decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.qa.text import squash
from kg import vocab as V

# A place at the start of a name: a province or city, then a city, county or district.
# (kg.extract.header reads titles with the same shape.)
_PLACE = re.compile(r"^((?:[\u4e00-\u9fff]{2,8}?(?:省|自治区|市))?(?:[\u4e00-\u9fff]{1,8}?(?:市|县|区|旗|州|盟))?)")
_LEVEL = re.compile(r"(自治区|自治州|自治县|省|市|州|县|区|旗|盟)$")
# A 中共 prefix sits before the place ("中共江苏省委办公厅").
_PARTY = tuple(f for f, _ in V.NAME_FORMS[:1]) + tuple(s for _, s in V.NAME_FORMS[:1])

MAX_FORMS = 48  # per name: the rules combine, and a name has few parts they touch


@dataclass(frozen=True)
class Form:
    name: str  # squashed
    rule: str  # "label" | "alt" | "title" | "place" | "level" | "bare" (with "+forms" when rule 2 applied)
    place: str  # the place the full name carries ("" when none)


def split_place(name: str, place_hint: str | None = None, known: set[str] | frozenset = frozenset()
                ) -> tuple[str, str, str]:
    """(party prefix, place, rest) of a squashed agency name: "中共江苏省委办公厅" →
    ("中共", "江苏省", "委办公厅"). `place_hint` (the graph's bkg:cityOrCounty) and then the
    longest of the `known` places (every agency's) win when the name starts with them."""
    party = ""
    for p in _PARTY:
        if name.startswith(p):
            party, name = p, name[len(p):]
            break
    starts = [p for p in ([place_hint] if place_hint else []) + sorted(known, key=len, reverse=True)
              if p and name.startswith(p)]
    if starts:
        place = starts[0]
    else:
        m = _PLACE.match(name)
        place = m.group(1) if m else ""
    if place.endswith("州") and name[len(place):len(place) + 1] in ("县", "市", "区"):
        place = name[:len(place) + 1]  # 源州县: 州 is part of the county's name
    rest = name[len(place):]
    if len(rest) < 2:  # the whole name read as a place ("某某县" alone): no place to drop
        return party, "", name
    return party, place, rest


def level_of(place: str) -> str:
    """The level word a place ends with (江苏省 → 省, 天门市 → 市), "" when none."""
    m = _LEVEL.search(place)
    return m.group(1) if m else ""


def name_forms(name: str) -> set[str]:
    """`name` with every combination of kg.vocab.NAME_FORMS applied, either way."""
    out = {name}
    for formal, everyday in V.NAME_FORMS:
        for s in list(out):
            if formal in s:
                out.add(s.replace(formal, everyday))
            if everyday in s and formal not in s:
                out.add(s.replace(everyday, formal))
        if len(out) > MAX_FORMS:
            break
    return out


def place_forms(name: str, place_hint: str | None = None, known: set[str] | frozenset = frozenset()
                ) -> list[tuple[str, str, str]]:
    """(form, rule, place) of one squashed name: in full, with the place cut to its level,
    and without the place (a 中共 prefix stays optional in each)."""
    party, place, rest = split_place(name, place_hint, known)
    out = [(name, "full", place)]
    if party:
        out.append((place + rest, "full", place))
    if place:
        lvl = level_of(place)
        # "省委办公厅": the level word then the rest, as people inside the province say it.
        if lvl:
            out.append((lvl + rest, "level", place))
            if party:
                out.append((party + lvl + rest, "level", place))
        if len(rest) >= 3:
            out.append((rest, "bare", place))
    return out


def forms_of(label: str, alt: list[str] = (), titles: list[str] = (), place_hint: str | None = None,
             known: set[str] | frozenset = frozenset()) -> list[Form]:
    """Every everyday form of one agency's names, each once (the strongest rule kept)."""
    seen: dict[str, Form] = {}
    rank = {"label": 0, "alt": 1, "title": 2, "full": 3, "level": 4, "bare": 5}
    hint = squash(place_hint) if place_hint else None
    for source, names in (("label", [label]), ("alt", list(alt)), ("title", list(titles))):
        for raw in names:
            n = squash(raw or "")
            if len(n) < 2:
                continue
            for form, rule, place in place_forms(n, hint, known):
                for f in name_forms(form):
                    r = source if (f == n) else rule
                    if len(f) < 3:
                        continue
                    old = seen.get(f)
                    if old is None or rank[r] < rank[old.rule]:
                        seen[f] = Form(f, r, place)
    return list(seen.values())
