"""Entity linking: find the agencies, projects, classification concepts and policies a
question names, against the labels the graph holds (never against a list in code).

`Lexicon.load(store)` reads every label once with SPARQL; `Lexicon.link(...)` matches a
question against them. Matching works on the normalized question (text.squash):

1. exact — a label (or altLabel) occurs verbatim; the longest wins and its span is masked
   so a shorter name inside it ("经办中心" inside the agency's full name) is not linked too;
2. near miss — people shorten names ("子洲县养老保险经办中心" for "子洲县机关事业单位和
   居民养老保险经办中心") or add/drop a suffix ("…专项经费" / "…经费"). A label is
   aligned to the question with difflib (monotone common blocks); it links when the blocks
   cover enough of the label (recall) and lie close together in the question (density),
   so scattered shared characters (市, 中心, 经费) do not make a match.

Candidates are pre-selected through a character-bigram index, so linking stays cheap with
thousands of labels.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from api.qa.aliases import Form, forms_of, split_place
from api.qa.text import find_policy_numbers, normalize_policy_number, squash
from kg.report import CONTENT_FULL, CONTENT_TABLES, CONTENT_TEXT
from kg.store import PREFIXES

# Key of an agency known only from a disclosure's title (the graph has no node for it).
UNLINKED = "urn:budgetkg:agency-by-title:"

# A place the graph does not know, as questions write it: two characters and a level (上海市).
_PLACE_TOKEN = re.compile(r"[\u4e00-\u9fff]{2}(?:省|市|县|区)")

PREFIX_BLOCK = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


@dataclass(frozen=True)
class Entry:
    """One name of one entity."""

    iri: str
    name: str  # squashed label
    label: str  # as stored
    kind: str  # agency | project | concept | policy
    meta: tuple = ()  # kind-specific: project → (disclosure, agency IRIs…); concept → (notation, scheme)


@dataclass
class Match:
    entry: Entry
    score: float  # ranking weight: matched characters, tempered by recall and density
    start: int  # span in the squashed question
    end: int
    exact: bool
    recall: float = 1.0  # share of the label's characters the question carries
    how: str = "label"  # label | alt | near | alias:<rule> | abbrev | suffix: how the name was read
    rivals: list[str] = field(default_factory=list)  # other agencies the same words name as well

    @property
    def iri(self) -> str:
        return self.entry.iri

    @property
    def length(self) -> int:
        return self.end - self.start


def _beyond_parent(child: str, parent: str) -> str:
    """What a unit's name adds to its parent's words: 天门市人力资源和社会保障信息中心 under
    天门市人力资源和社会保障局 → 信息中心. "" when they share too little to say."""
    n = 0
    while n < min(len(child), len(parent)) and child[n] == parent[n]:
        n += 1
    tail = child[n:]
    return tail if n >= 4 and 2 <= len(tail) < len(child) - 3 else ""


def _subsequence_share(short: str, long_: str) -> float:
    """How much of `short`, read left to right, is a subsequence of `long_` (社保局 in
    社会保险事业管理局: all of it)."""
    j = 0
    hit = 0
    for ch in short:
        pos = long_.find(ch, j)
        if pos >= 0:
            hit, j = hit + 1, pos + 1
    return hit / len(short) if short else 0.0


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


class NameIndex:
    """Names of one entity kind, matched against question text."""

    def __init__(self, entries: list[Entry]):
        self.entries = [e for e in entries if e.name]
        self._by_bigram: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entries):
            for g in _bigrams(e.name):
                self._by_bigram[g].append(i)

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, q: str, allowed: set[str] | None = None) -> list[Entry]:
        hits: dict[int, int] = defaultdict(int)
        for g in _bigrams(q):
            for i in self._by_bigram.get(g, ()):
                hits[i] += 1
        out = []
        for i, n in hits.items():
            e = self.entries[i]
            if allowed is not None and e.iri not in allowed:
                continue
            if n >= min(2, len(_bigrams(e.name))):
                out.append(e)
        return out

    def match(self, q: str, allowed: set[str] | None = None, min_recall: float = 0.5,
              min_density: float = 0.7, min_chars: int = 3) -> list[Match]:
        """All entries that occur in q exactly or as a near miss, best first."""
        found: list[Match] = []
        for e in self.candidates(q, allowed):
            m = align(e, q, min_recall=min_recall, min_density=min_density, min_chars=min_chars)
            if m is not None:
                found.append(m)
        # Weight first: a near miss explaining "鞍山市社保中心" outranks an exact short
        # alias ("社保中心") of another agency inside it.
        found.sort(key=lambda m: (-m.score, -m.exact, -(m.end - m.start), -len(m.entry.name)))
        return found

    def best(self, q: str, **kw) -> Match | None:
        ms = self.match(q, **kw)
        return ms[0] if ms else None


def align(e: Entry, q: str, min_recall: float = 0.5, min_density: float = 0.7, min_chars: int = 3) -> Match | None:
    """Exact occurrence of e.name in q, or a near miss (see the module doc), or None."""
    name = e.name
    pos = q.find(name)
    if pos >= 0:
        # An exact name scores its length (plus a nudge over a near miss of equal weight).
        return Match(e, len(name) + 0.5, pos, pos + len(name), True, 1.0)
    if len(name) < 3:
        return None
    sm = difflib.SequenceMatcher(None, name, q, autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size]
    # Keep runs of two or more characters; a single character only when it sits right
    # beside such a run in both strings (the 费 of 公务用车运行费 vs …运行维护费).
    keep = []
    for i, b in enumerate(blocks):
        if b.size >= 2:
            keep.append(b)
            continue
        near = False
        for j in (i - 1, i + 1):
            if 0 <= j < len(blocks) and blocks[j].size >= 2:
                o = blocks[j]
                gap_a = b.a - (o.a + o.size) if j < i else o.a - (b.a + b.size)
                gap_b = b.b - (o.b + o.size) if j < i else o.b - (b.b + b.size)
                if 0 <= gap_a <= 3 and 0 <= gap_b <= 1:
                    near = True
        if near:
            keep.append(b)
    if not keep:
        return None
    # The densest stretch of the question: drop blocks far from the biggest one.
    core = max(keep, key=lambda b: b.size)
    sel = [core]
    for b in sorted(keep, key=lambda b: abs(b.b - core.b)):
        if b is core:
            continue
        lo = min(x.b for x in sel)
        hi = max(x.b + x.size for x in sel)
        if b.b + b.size <= lo:
            gap = lo - (b.b + b.size)
        elif b.b >= hi:
            gap = b.b - hi
        else:
            continue
        if gap <= 6:
            sel.append(b)
    matched = sum(b.size for b in sel)
    start = min(b.b for b in sel)
    end = max(b.b + b.size for b in sel)
    recall = matched / len(name)
    density = matched / (end - start)
    if matched < min_chars or recall < min_recall or density < min_density:
        return None
    # Rank by how much of the question the label explains (matched characters), tempered
    # by how much of the label the question carries: a long name shortened in the question
    # beats a short name sharing only its first characters.
    return Match(e, round(matched * (0.5 + 0.5 * recall) * density, 4), start, end, False, recall)


_CONTENT_ORDER = {CONTENT_FULL: 0, CONTENT_TEXT: 1, CONTENT_TABLES: 2}


def _file_order(sel, several: list[str]) -> dict[tuple[str, str], int]:
    """{(disclosure, file): rank} for the disclosures printed in several files: the running
    text (with the title page) before the tables, as kg.publication lays them out."""
    if not several:
        return {}
    values = " ".join(f"<{d}>" for d in several)
    try:
        rows = sel(f"""SELECT DISTINCT ?d ?f ?c WHERE {{ VALUES ?d {{ {values} }}
                        ?d bkg:hasFile ?n . ?n bkg:fileName ?f ; bkg:fileContent ?c }}""")
    except Exception:  # noqa: BLE001 - no file nodes: the files by name
        return {}
    return {(r["d"], str(r["f"])): _CONTENT_ORDER.get(str(r["c"]), 9) for r in rows}


def mask(q: str, spans: list[tuple[int, int]]) -> str:
    """q with the given spans blanked out (same length, so spans stay valid)."""
    chars = list(q)
    for s, e in spans:
        for i in range(s, min(e, len(chars))):
            chars[i] = "\u3000"
    return "".join(chars)


@dataclass
class Disclosure:
    iri: str
    source_file: str
    year: int | None
    kind: str | None
    agency: str | None
    agency_label: str | None
    scope: str | None = None  # department (部门预算/决算) | unit (单位预算/决算)
    inferred: str = ""  # what the graph lacks and was read from the title or file name ("agency", "year")
    # Every file the disclosure was read from, in its combined document's order (kg.publication:
    # the running text before the tables); `source_file` is the first, the one with the title.
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.files:
            self.files = (self.source_file,) if self.source_file else ()
        elif self.source_file not in self.files:
            self.source_file = self.files[0]


@dataclass
class Lexicon:
    """Every name the graph knows, loaded once per store."""

    agencies: NameIndex
    projects: NameIndex
    concepts: NameIndex
    policies: list[Entry]
    policy_titles: NameIndex
    disclosures: list[Disclosure] = field(default_factory=list)
    agency_labels: dict[str, str] = field(default_factory=dict)
    concepts_by_code: dict[str, list[Entry]] = field(default_factory=dict)
    concept_info: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)  # iri → (code, label, scheme)
    policy_info: dict[str, str] = field(default_factory=dict)  # iri → document number (or 《title》)
    agency_places: dict[str, str] = field(default_factory=dict)  # iri → bkg:cityOrCounty
    agency_parents: dict[str, str] = field(default_factory=dict)  # iri → org:subOrganizationOf
    agency_titles: dict[str, list[str]] = field(default_factory=dict)  # iri → names its disclosures' titles print

    @classmethod
    def load(cls, store, name_for=None) -> Lexicon:
        """`name_for(source_file) -> (name | None, year | None)` reads a disclosure's title (or
        its file name) for what the graph does not record: the agency of a disclosure with
        no bkg:reportingAgency, the year of one with no bkg:fiscalYear, and how a titled
        disclosure names its own agency (an everyday name of it)."""
        # The default graph is the union of the disclosure graphs kept as a set (kg.store),
        # so each property is read once, in its own subquery: Oxigraph hash-joins those
        # instead of seeking once per row (at 10,000 disclosures the GRAPH ?g forms took
        # 44 s, the concept query alone 26 s: every graph repeats the classification scheme).
        # DISTINCT keeps a server whose union is a bag (Oxigraph --union-default-graph) right.
        sel = lambda q: store.select(PREFIX_BLOCK + q)  # noqa: E731
        agencies = []
        agency_labels: dict[str, str] = {}
        rows = sel("""SELECT DISTINCT ?a ?l ?alt WHERE { { SELECT ?a WHERE { ?a a bkg:Agency } }
                        { { SELECT ?a ?l WHERE { ?a rdfs:label ?l } } UNION
                          { SELECT ?a ?alt WHERE { ?a skos:altLabel ?alt } } } }""")
        # ORDER BY ?a ?l, in Python (a SPARQL sort decodes every string through the store)
        rows.sort(key=lambda r: (r["a"], r["l"] is not None, str(r["l"] or ""), str(r["alt"] or "")))
        for r in rows:
            name = r["l"] if r["l"] is not None else r["alt"]
            if name is None:
                continue
            if r["l"] is not None:
                agency_labels.setdefault(r["a"], str(r["l"]))
            agencies.append(Entry(r["a"], squash(str(name)), str(name), "agency", () if r["l"] is not None else ("alt",)))
        for e in agencies:
            agency_labels.setdefault(e.iri, e.label)

        # One record per disclosure: one printed in several files (kg.publication) has a row per
        # file here, and a record per row made a lookup by disclosure return either file.
        rows_by_d: dict[str, list[dict]] = {}
        # A blank template (bkg:isTemplate) is no agency's disclosure: never an answer.
        for r in sel("""SELECT DISTINCT ?d ?f ?y ?k ?a ?sc WHERE {
                        { SELECT ?d WHERE { ?d a bkg:Disclosure } }
                        MINUS { SELECT ?d WHERE { ?d bkg:isTemplate true } }
                        OPTIONAL { SELECT ?d ?f WHERE { ?d bkg:sourceFile ?f } }
                        OPTIONAL { SELECT ?d ?y WHERE { ?d bkg:fiscalYear ?y } }
                        OPTIONAL { SELECT ?d ?k WHERE { ?d bkg:documentKind ?k } }
                        OPTIONAL { SELECT ?d ?a WHERE { ?d bkg:reportingAgency ?a } }
                        OPTIONAL { SELECT ?d ?sc WHERE { ?d bkg:disclosureScope ?sc } } }"""):
            rows_by_d.setdefault(r["d"], []).append(r)
        order = _file_order(sel, [d for d, rs in rows_by_d.items() if len({r["f"] for r in rs}) > 1])
        discl = []
        for d_iri, rs in rows_by_d.items():
            # the first value of each property in a stable order (a disclosure has one of each,
            # unless its graph disagrees with itself)
            rs = sorted(rs, key=lambda r: tuple(str(r[k] or "") for k in ("f", "y", "k", "a", "sc")))
            first = {k: next((r[k] for r in rs if r[k] is not None), None) for k in ("y", "k", "a", "sc")}
            files = sorted({str(r["f"]) for r in rs if r["f"] is not None},
                           key=lambda f: (order.get((d_iri, f), 9), f))
            discl.append(Disclosure(d_iri, files[0] if files else "",
                                    int(first["y"]) if first["y"] is not None else None,
                                    str(first["k"]) if first["k"] is not None else None, first["a"],
                                    agency_labels.get(first["a"]) if first["a"] else None,
                                    str(first["sc"]) if first["sc"] is not None else None, files=tuple(files)))

        titles: dict[str, list[str]] = defaultdict(list)
        if name_for is not None:
            known = {e.iri for e in agencies}
            for d in discl:
                name, year = None, None
                for f in d.files or (d.source_file,):  # the tables half of a pair prints no title
                    name, year = name_for(f, d.agency is None or d.year is None) or (None, None)
                    if name or year:
                        break
                if d.year is None and year:
                    d.year, d.inferred = int(year), d.inferred + "year "
                if not name:
                    continue
                if d.agency is None:
                    # The graph names no agency: the title's name, unless it is a known agency's
                    # (then the disclosure is that agency's, read from its title).
                    same = next((e for e in agencies if e.kind == "agency" and e.name == squash(name)), None)
                    d.agency = same.iri if same else UNLINKED + squash(name)
                    d.agency_label = agency_labels.get(d.agency, name)
                    d.inferred += "agency "
                    agency_labels.setdefault(d.agency, name)
                    if d.agency not in known:
                        known.add(d.agency)
                        agencies.append(Entry(d.agency, squash(name), name, "agency"))
                elif squash(name) != squash(agency_labels.get(d.agency, "")):
                    titles[d.agency].append(name)

        places: dict[str, str] = {}
        parents: dict[str, str] = {}
        for r in sel("""SELECT DISTINCT ?a ?place ?parent WHERE { { SELECT ?a WHERE { ?a a bkg:Agency } }
                        { { SELECT ?a ?place WHERE { ?a bkg:cityOrCounty ?place } } UNION
                          { SELECT ?a ?parent WHERE { ?a org:subOrganizationOf ?parent } } } }"""):
            if r["place"] is not None:
                places.setdefault(r["a"], str(r["place"]))
            if r["parent"] is not None:
                parents.setdefault(r["a"], r["parent"])

        projects = []
        rows = sel("""SELECT DISTINCT ?p ?l ?d ?ia WHERE { { SELECT ?p WHERE { ?p a bkg:Project } }
                        { { SELECT ?p ?l WHERE { ?p rdfs:label ?l } } UNION { SELECT ?p ?l WHERE { ?p skos:altLabel ?l } } }
                        OPTIONAL { SELECT ?p ?d WHERE { ?p bkg:disclosure ?d } }
                        OPTIONAL { SELECT ?p ?ia WHERE { ?p bkg:implementingAgency ?ia } } }""")
        rows.sort(key=lambda r: (r["p"], str(r["l"]), r["d"] or "", r["ia"] or ""))  # a stable order
        for r in rows:
            projects.append(Entry(r["p"], squash(str(r["l"])), str(r["l"]), "project", (r["d"], r["ia"])))

        concepts = []
        by_code: dict[str, list[Entry]] = defaultdict(list)
        concept_info: dict[str, tuple[str, str, str | None]] = {}
        for r in sel("""SELECT DISTINCT ?c ?n ?l ?s WHERE { ?c a skos:Concept .
                        OPTIONAL { ?c skos:notation ?n } OPTIONAL { ?c skos:prefLabel ?l }
                        OPTIONAL { ?c skos:inScheme ?s } }"""):
            label = str(r["l"]) if r["l"] is not None else ""
            code = str(r["n"] or "")
            e = Entry(r["c"], squash(label), label, "concept", (code, r["s"]))
            if e not in concepts:
                concepts.append(e)
            if code and e not in by_code[code]:
                by_code[code].append(e)
            old = concept_info.get(r["c"])
            concept_info[r["c"]] = (code or (old[0] if old else ""), (old[1] if old and old[1] else label),
                                    r["s"] or (old[2] if old else None))

        policies = []
        policy_titles = []
        policy_info: dict[str, str] = {}
        seen: set[Entry] = set()
        seen_titles: set[Entry] = set()
        for r in sel("""SELECT DISTINCT ?pol ?n ?t WHERE { ?pol a bkg:Policy .
                        OPTIONAL { ?pol bkg:documentNumber ?n } OPTIONAL { ?pol dcterms:title ?t } }"""):
            if r["n"] is not None:
                num = normalize_policy_number(str(r["n"]))
                e = Entry(r["pol"], num, str(r["n"]), "policy")
                if e not in seen:  # a set: `e not in policies` was quadratic (1,600 policies at 10k)
                    seen.add(e)
                    policies.append(e)
                policy_info[r["pol"]] = str(r["n"])
            if r["t"] is not None:
                e = Entry(r["pol"], squash(str(r["t"])), str(r["t"]), "policy")
                if e not in seen_titles:
                    seen_titles.add(e)
                    policy_titles.append(e)
                policy_info.setdefault(r["pol"], "《" + str(r["t"]) + "》")
        return cls(NameIndex(agencies), NameIndex(projects), NameIndex(concepts), policies, NameIndex(policy_titles),
                   discl, agency_labels, dict(by_code), concept_info, policy_info, places, parents, dict(titles))

    # --- lookups ------------------------------------------------------------------
    def disclosure_of_file(self, source_file: str | None) -> Disclosure | None:
        """The disclosure a file was read from (any of its files)."""
        if not hasattr(self, "_by_file"):
            self._by_file = {f: d for d in self.disclosures for f in d.files}
        return self._by_file.get(source_file) if source_file else None

    def disclosure(self, iri: str | None) -> Disclosure | None:
        if not hasattr(self, "_by_iri"):
            self._by_iri = {d.iri: d for d in self.disclosures}
        return self._by_iri.get(iri) if iri else None

    def disclosures_of(self, agency: str | None = None, year: int | None = None,
                       kind: str | None = None, scope: str | None = None) -> list[Disclosure]:
        """Matching disclosures, the likeliest reading first: newest year, budget before
        final account, department (部门) before unit (单位) scope."""
        out = [d for d in self.disclosures
               if (agency is None or d.agency == agency) and (year is None or d.year == year)
               and (kind is None or d.kind == kind) and (scope is None or d.scope == scope)]
        return sorted(out, key=lambda d: (-(d.year or 0), d.kind != "budget", d.scope == "unit", d.source_file))

    def link_agencies(self, q: str) -> list[Match]:
        """Agencies named in q, non-overlapping, in question order. Each match lists as
        `rivals` the other agencies the same words name equally well (an everyday name
        without the place is shared by that kind of agency in every place)."""
        ms = self.agencies.match(q, min_recall=0.5, min_density=0.75, min_chars=4)
        # A shortened agency name keeps its kind (…中心, …局, …大队): a near miss must end
        # where the label ends, or "机关事业单位…养老保险" inside a line's name would link.
        ms = [m for m in ms if m.exact or q[m.end - 1] == m.entry.name[-1]]
        # A near miss leaves out words of the name, it does not put others in: "天门市社会保险中心"
        # is not 天门市人力资源和社会保障信息中心 (险 is no character of it there).
        ms = [m for m in ms if m.exact or _subsequence_share(q[m.start:m.end], m.entry.name) == 1.0]
        for m in ms:
            if not m.exact:
                m.how = "near"
            elif m.entry.meta and m.entry.meta[0] == "alt":
                m.how = "alt"
        # A near miss that covers a different place is another place's agency ("上海市社会
        # 保险事业管理局" is not 天门市's).
        ms = [m for m in ms if m.exact or not self._place_conflict(q, m.start, m.end, m.iri)]
        ms = ms + self._everyday(q) + self._abbreviated(q)
        ms.sort(key=lambda m: (-m.score, -m.exact, m.how != "label"))
        if not ms:
            ms = [m for m in self._by_suffix(q) if not self._place_conflict(q, m.start, m.end, m.iri)]
        chosen: list[Match] = []
        for m in ms:
            same = next((c for c in chosen if c.start == m.start and c.end == m.end), None)
            if same is not None and m.iri != same.iri and abs(m.score - same.score) < 0.3 and m.iri not in same.rivals:
                same.rivals.append(m.iri)  # the same words, read as well as another agency
                continue
            if any(m.iri == c.iri or m.iri in c.rivals or (m.start < c.end and c.start < m.end) for c in chosen):
                continue
            chosen.append(m)
        return sorted(chosen, key=lambda m: m.start)

    # --- everyday names -------------------------------------------------------------------
    def _forms(self) -> dict[str, list[tuple[str, Form]]]:
        """Every everyday form of every agency name → [(agency, form)], built once."""
        if getattr(self, "_form_index", None) is None:
            labels: dict[str, str] = {}
            alts: dict[str, list[str]] = defaultdict(list)
            for e in self.agencies.entries:
                label = self.agency_labels.get(e.iri) or labels.get(e.iri) or e.label
                labels.setdefault(e.iri, label)
                if e.label != label:
                    alts[e.iri].append(e.label)
            index: dict[str, list[tuple[str, Form]]] = defaultdict(list)
            known = {squash(p) for p in self.agency_places.values() if p}
            own: dict[str, list[Form]] = {}
            for iri, label in labels.items():
                own[iri] = forms_of(label, alts.get(iri, []), self.agency_titles.get(iri, []),
                                    self.agency_places.get(iri), known)
                for f in own[iri]:
                    if all(a != iri for a, _ in index[f.name]):
                        index[f.name].append((iri, f))
            # Named through its parent: "天门市人社局信息中心" for 天门市人力资源和社会保障信息中心 —
            # the parent's forms, then what the unit's name adds to the parent's words.
            for iri, parent in self.agency_parents.items():
                tail = _beyond_parent(squash(labels.get(iri, "")), squash(labels.get(parent, "")))
                if not tail:
                    continue
                for pf in own.get(parent, []):
                    name = pf.name + tail
                    if name not in index or all(a != iri for a, _ in index[name]):
                        rule = pf.rule if pf.rule in ("level", "bare") else "full"  # a form without the place stays one
                        index[name].append((iri, Form(name, rule, pf.place)))
            self._form_index = dict(index)
            # Abbreviations keep a name's first two characters — or, for a form that starts
            # with its level word (县学生资助管理中心 → 县资助中心), that word alone.
            self._by_head: dict[str, list[str]] = defaultdict(list)
            for name, hits in self._form_index.items():
                if len(name) >= 4:
                    level = all(f.rule == "level" for _, f in hits)
                    self._by_head[name[:1] if level else name[:2]].append(name)
            self._places = {f.place for fs in self._form_index.values() for _, f in fs if f.place}
        return self._form_index

    def _label(self, iri: str, default: str) -> str:
        return self.agency_labels.get(iri) or next((e.label for e in self.agencies.entries if e.iri == iri), default)

    def _place_conflict(self, q: str, start: int, end: int, agency: str) -> bool:
        """Does the question name another place around a name read without (all of) its
        own? ("上海市社保局" is no 天门市 agency's.) The agency's place is its
        bkg:cityOrCounty or the place its label starts with."""
        self._forms()
        label = squash(self._label(agency, ""))
        own = self.agency_places.get(agency) or split_place(label)[1]
        # The text before the name and its first characters, where a place is written.
        window = q[max(0, start - 6):min(end, start + 6)]
        tokens = [p for p in self._places if p in window]
        tokens += [m.group(0) for m in _PLACE_TOKEN.finditer(window)]
        for t in tokens:
            if t in label or (own and (own in t or t in own)):
                continue
            return True
        return False

    def _everyday(self, q: str) -> list[Match]:
        """Everyday forms (aliases.py) written verbatim in q: the place dropped or cut to its
        level, the formal parts in their everyday spelling, the names titles print."""
        index = self._forms()
        out: list[Match] = []
        n = len(q)
        for i in range(n):
            for j in range(min(n, i + 40), i + 2, -1):
                hits = index.get(q[i:j])
                if not hits:
                    continue
                for iri, f in hits:
                    if f.rule in ("label", "alt"):
                        continue  # the label index reads these, near misses included
                    if f.rule in ("level", "bare") and self._place_conflict(q, i, j, iri):
                        continue
                    # Weaker than the label itself, stronger than an abbreviation of it.
                    bonus = {"title": 0.4, "full": 0.4, "level": 0.3, "bare": 0.2}.get(f.rule, 0.2)
                    out.append(Match(Entry(iri, f.name, self._label(iri, f.name), "agency"),
                                     (j - i) + bonus, i, j, False, 1.0, "alias:" + f.rule))
                break  # the longest form starting here
        return out

    def _abbreviated(self, q: str) -> list[Match]:
        """Abbreviations people write: the place and the kind of body kept, the words in
        between cut to a character or two ("天门市社保局" for 天门市社会保险事业管理局,
        "某市人社局" for 某市人力资源和社会保障局, "市人社局" for the level form). The
        question's characters must be a subsequence of a name (or an everyday form of it)
        that starts with its first two characters and ends on its last; the tightest
        readings win — several agencies read as tightly are rivals."""
        index = self._forms()
        found: list[Match] = []
        for start in range(len(q) - 1):
            for name in self._by_head.get(q[start:start + 2], []) + self._by_head.get(q[start], []):
                j, k, end, skipped, gap = 0, start, None, 0, 0
                while k < len(q):
                    pos = name.find(q[k], j)
                    if pos < 0:
                        break
                    if pos == len(name) - 1:
                        end, gap = k + 1, skipped
                    skipped += pos - j
                    j, k = pos + 1, k + 1
                if end is None or end - start < max(4, 0.3 * len(name)) or end - start == len(name):
                    continue
                for iri, f in index[name]:
                    if f.rule in ("level", "bare") and self._place_conflict(q, start, end, iri):
                        continue
                    # Score: characters read, less the label characters skipped before the
                    # last one (社保局 reads 社会保险… more tightly than 人力资源和社会保障局).
                    penalty = {"label": 0, "alt": 0, "title": 0.001, "full": 0.002}.get(f.rule, 0.003)
                    found.append(Match(Entry(iri, name, self._label(iri, name), "agency"),
                                       (end - start) - 0.01 * gap - penalty, start, end, False,
                                       (end - start) / len(name), "abbrev"))
        if not found:
            return []
        # One reading per agency (its best), then the best readings of each span.
        best: dict[str, Match] = {}
        for m in found:
            if m.iri not in best or m.score > best[m.iri].score:
                best[m.iri] = m
        kept: list[Match] = []
        for m in sorted(best.values(), key=lambda m: -m.score):
            clash = [k for k in kept if k.start < m.end and m.start < k.end]
            if all(k.score - m.score < 0.005 for k in clash):  # no overlap, or as good: a rival
                kept.append(m)
        return kept

    def nearest_agencies(self, text: str, k: int = 3, year: int | None = None) -> list[str]:
        """The agencies whose names share the most of `text` (an unresolved name), best
        first — what an answer offers when the name asked about is not found."""
        t = squash(text)
        core = split_place(t)[2] or t
        grams = _bigrams(core)
        if not grams:
            return []
        scored = []
        for iri, label in self.agency_labels.items():
            name = squash(label)
            body = split_place(name)[2] or name
            g = _bigrams(body)
            # Shared pairs of characters, or the name read as an abbreviation of the label's.
            share = max(len(grams & g) / max(1, len(grams)), 0.8 * _subsequence_share(core, body))
            place = self.agency_places.get(iri) or split_place(name)[1]
            if share > 0 and place and place in t:
                share += 0.3  # the place the question names first
            if share > 0:
                has_year = year is None or any(d.year == year for d in self.disclosures if d.agency == iri)
                scored.append((share + (0.05 if has_year else 0), label, iri))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [iri for s, _, iri in scored[:k] if s >= 0.25]

    def _by_suffix(self, q: str) -> list[Match]:
        """A name cut to its distinctive ending ("信息中心"): a suffix of four or more
        characters that ends exactly one agency's label."""
        if not hasattr(self, "_suffixes"):
            owners: dict[str, set[str]] = defaultdict(set)
            entry_of: dict[str, Entry] = {}
            for e in self.agencies.entries:
                for n in range(4, len(e.name) - 1):
                    owners[e.name[-n:]].add(e.iri)
                    entry_of.setdefault(e.name[-n:], e)
            self._suffixes = {suf: entry_of[suf] for suf, iris in owners.items() if len(iris) == 1}
        best: Match | None = None
        for n in range(min(len(q), 40), 3, -1):  # longest first: the first hit is the answer
            for i in range(len(q) - n + 1):
                e = self._suffixes.get(q[i:i + n])
                if e is not None:
                    best = Match(e, float(n), i, i + n, False, n / len(e.name), "suffix")
                    break
            if best:
                break
        return [best] if best else []

    def link_policies(self, q: str) -> list[Entry]:
        """Policies whose 文号 is written in q (any bracket, full-width digits): matched
        on (year, serial) and a known issuer code ending right before the bracket."""
        out: list[Entry] = []
        for before, year, serial, _s, _e in find_policy_numbers(q):
            best: Entry | None = None
            for e in self.policies:
                num = e.name
                tail = f"〔{year}〕{serial}号"
                if not num.endswith(tail):
                    continue
                issuer = num[: -len(tail)]
                if issuer and before.endswith(issuer) and (best is None or len(issuer) > len(best.name)):
                    best = e
            if best is not None and best not in out:
                out.append(best)
        for m in self.policy_titles.match(q, min_recall=0.8, min_density=0.8, min_chars=4):
            if m.entry not in out:
                out.append(m.entry)
        return out

    def link_projects(self, q: str, disclosures: set[str] | None = None, agency: str | None = None) -> list[Match]:
        """Projects named in q — of the given disclosures when the question's agency/year
        fixed them (other years' projects of the same name must not answer), else of the
        agency, else of any disclosure."""
        allowed = None
        if disclosures is not None:
            allowed = {e.iri for e in self.projects.entries if e.meta[0] in disclosures}
        elif agency is not None:
            allowed = {e.iri for e in self.projects.entries if e.meta[1] == agency}
        return self.projects.match(q, allowed=allowed, min_recall=0.6, min_density=0.75, min_chars=3)

    def link_concepts(self, q: str) -> list[Match]:
        return self.concepts.match(q, min_recall=0.7, min_density=0.8, min_chars=2)
