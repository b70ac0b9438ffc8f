"""One disclosure printed in every layout family of the generator, compared fact by fact with
family a's text rendering (the reference). Used by tests/kg/test_families.py (the metamorphic
test, issue 12 item 4) and bench/bench_families.py (the same measure over more seeds).

Each file is read and extracted as ingest does (kg.pipeline.prepare) and its graph reduced to the
figure-bearing facts of ../shared/eval/score_graph.py's categories: header (year, kind, scope,
agency, unit code, parent), totals (every measure of kg.vocab), projects (name, amount),
policies, links, functional and economic lines (code and every amount of the line) and internal
units. A publication in two files (tables_only) is the union of both files' facts. Where a
family cannot print a fact, its truth says so (synthetic.unprintable) and the comparison
follows: lines are matched by name instead of code, an uncounted unit list by no units at all.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import rdflib

from kg import vocab as W

REFERENCE = ("standard", "txt")
CATEGORIES = ("header", "totals", "projects", "policies", "links", "functional", "economic", "units")

BKG = "https://w3id.org/budgetkg/def#"
PREFIXES = f"""PREFIX bkg: <{BKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def norm(s) -> str:
    """score_graph.py's name normalization: NFKC, no spaces, no punctuation."""
    s = re.sub(r"[\s\u3000]+", "", unicodedata.normalize("NFKC", str(s)))
    return re.sub(r"[、，,。.:：;；“”\"'‘’《》()（）\-—_/·]", "", s)


def norm_number(s) -> str:
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s)))
    return re.sub(r"[【\[（(](\d{4})[】\]）)]", r"〔\1〕", s)


def _q(g: rdflib.Graph, query: str) -> list:
    return list(g.query(PREFIXES + query))


def _value(x):
    return None if x is None else x.toPython()


def facts(g: rdflib.Graph, by_name: bool = False) -> dict[str, Counter]:
    """The figure-bearing facts of every disclosure in `g`, by category. `by_name` keys
    classification lines by their label instead of their code (a family without codes)."""
    out = {c: Counter() for c in CATEGORIES}
    for (d,) in _q(g, "SELECT ?d WHERE { ?d a bkg:Disclosure }"):
        bind = {"d": d}
        for p in ("fiscalYear", "documentKind", "disclosureScope"):
            for (v,) in g.query(PREFIXES + f"SELECT ?v WHERE {{ ?d bkg:{p} ?v }}", initBindings=bind):
                out["header"][(p, str(v))] = 1
        for row in g.query(PREFIXES + """SELECT ?al ?code ?pl WHERE { ?d bkg:reportingAgency ?a . ?a rdfs:label ?al .
                OPTIONAL { ?a bkg:unitCode ?code } OPTIONAL { ?a org:subOrganizationOf ?p . ?p rdfs:label ?pl } }""",
                           initBindings=bind):
            out["header"][("agency", norm(row[0]))] = 1
            if row[1] is not None:
                out["header"][("unitCode", str(row[1]))] = 1
            if row[2] is not None:
                out["header"][("parent", norm(row[2]))] = 1
        for m in W.MEASURES:
            for (v,) in g.query(PREFIXES + f"SELECT ?v WHERE {{ ?d bkg:{m.prop} ?v }}", initBindings=bind):
                out["totals"][(m.prop, _value(v))] = 1
        for name, amount in g.query(PREFIXES + """SELECT ?l ?amt WHERE { ?p a bkg:Project ; bkg:disclosure ?d ;
                rdfs:label ?l . OPTIONAL { ?p bkg:amount ?amt } }""", initBindings=bind):
            out["projects"][(norm(name), _value(amount))] += 1
        for (n,) in g.query(PREFIXES + """SELECT DISTINCT ?n WHERE { { ?d dcterms:references ?pol }
                UNION { ?p bkg:disclosure ?d ; bkg:basedOnPolicy ?pol } ?pol bkg:documentNumber ?n }""",
                            initBindings=bind):
            out["policies"][norm_number(n)] = 1
        for n, label in g.query(PREFIXES + """SELECT DISTINCT ?n ?l WHERE { ?p bkg:disclosure ?d ; bkg:basedOnPolicy ?pol ;
                rdfs:label ?l . ?pol bkg:documentNumber ?n }""", initBindings=bind):
            out["links"][(norm_number(n), norm(label))] = 1
        for scheme, cat in (("FunctionalClassification", "functional"), ("EconomicClassification", "economic")):
            for row in g.query(PREFIXES + f"""SELECT ?code ?name ?amt ?b ?p ?pe ?pu WHERE {{
                    ?l a bkg:BudgetLine ; bkg:disclosure ?d ; bkg:classification ?c ; bkg:amount ?amt .
                    ?c skos:inScheme bkg:{scheme} . OPTIONAL {{ ?c skos:notation ?code }}
                    OPTIONAL {{ ?c skos:prefLabel ?name }}
                    OPTIONAL {{ ?l bkg:basicExpenditure ?b }} OPTIONAL {{ ?l bkg:projectExpenditure ?p }}
                    OPTIONAL {{ ?l bkg:personnelExpenditure ?pe }} OPTIONAL {{ ?l bkg:publicExpenditure ?pu }} }}""",
                               initBindings=bind):
                key = norm(row[1]) if by_name else (None if row[0] is None else str(row[0]))
                out[cat][(key, *(_value(x) for x in row[2:]))] += 1
        for (u,) in g.query(PREFIXES + """SELECT DISTINCT ?l WHERE { ?d bkg:reportingAgency ?a .
                ?a org:hasUnit ?u . ?u rdfs:label ?l }""", initBindings=bind):
            out["units"][norm(u)] = 1
    return out


def f1(want: Counter, got: Counter) -> float:
    if not want and not got:
        return 1.0
    return 2 * sum((want & got).values()) / (sum(want.values()) + sum(got.values()))


def compare(want: dict[str, Counter], got: dict[str, Counter]) -> dict[str, tuple[float, list, list]]:
    """category -> (F1, facts missing, facts extra)."""
    return {c: (f1(want[c], got[c]), sorted(map(str, (want[c] - got[c]).elements()))[:6],
                sorted(map(str, (got[c] - want[c]).elements()))[:6]) for c in CATEGORIES}


@cache
def file_graph(path: str) -> rdflib.Graph:
    """The graph ingest would store for one file (empty when it would not ingest it)."""
    from kg.pipeline import prepare

    prep = prepare(path)
    g = rdflib.Graph()
    if not prep.error:
        g.parse(data=prep.ntriples, format="nt")
    return g


@cache
def publication_graph(paths: tuple[str, ...]) -> rdflib.Graph:
    """The graph ingest stores for the halves of one publication: read together as one disclosure."""
    from kg.pipeline import prepare
    from kg.rdf.build import build_publication

    preps = [prepare(p) for p in paths]
    assert not any(p.error for p in preps), [p.error for p in preps]
    built = build_publication([(p.document, p.content) for p in preps], names=sum((p.names for p in preps), ()))
    return built.graph


def family_facts(folder: Path, family: str, fmt: str, stem: str, by_name: bool) -> dict[str, Counter]:
    truth = json.loads((folder / family / "truth" / f"{stem}.json").read_text("utf-8"))
    paths = tuple(str(folder / family / fmt / (name.rsplit(".", 1)[0] + "." + fmt)) for name in truth["synthetic"]["files"])
    # both halves of a publication in two files are one disclosure, as ingest reads them
    return facts(file_graph(paths[0]) if len(paths) == 1 else publication_graph(paths), by_name)


def unprintable(folder: Path, family: str, stem: str) -> set[str]:
    truth = json.loads((folder / family / "truth" / f"{stem}.json").read_text("utf-8"))
    return set(truth["synthetic"]["unprintable"])


def differences(corpora: list[Path], family: str, fmt: str) -> list[str]:
    """Every document whose graph in (family, fmt) differs from family a's text rendering."""
    out = []
    for folder in corpora:
        for truth_file in sorted((folder / family / "truth").glob("*.json")):
            stem = truth_file.stem
            skip = unprintable(folder, family, stem)
            by_name = bool(skip & {"functional.code", "economic.code"})
            want = family_facts(folder, *REFERENCE, stem, by_name)
            if "units" in skip:
                want["units"] = Counter()  # only counted: no unit names to read
            got = family_facts(folder, family, fmt, stem, by_name)
            for cat, (score, missing, extra) in compare(want, got).items():
                if score < 1.0:
                    out.append(f"{folder.name}/{stem} {cat} F1={score:.3f} missing={missing} extra={extra}")
    return out


def reading_complete(folder: Path, family: str, fmt: str, stem: str) -> bool | None:
    """The disclosure's reading report (kg.report) as ingest stores it: complete or not."""
    truth = json.loads((folder / family / "truth" / f"{stem}.json").read_text("utf-8"))
    paths = tuple(str(folder / family / fmt / (name.rsplit(".", 1)[0] + "." + fmt)) for name in truth["synthetic"]["files"])
    g = file_graph(paths[0]) if len(paths) == 1 else publication_graph(paths)
    values = {o.toPython() for o in g.objects(None, rdflib.URIRef(BKG + "complete"))}
    assert len(values) == 1, (family, fmt, stem, values)
    return values.pop()
