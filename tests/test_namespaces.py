"""IRIs come from ontology/namespace.py: no module under kg/, search/ or api/ writes the IRI of
a namespace the graph uses (ontology.namespace.PREFIXES, the SPARQL results namespace) by
hand, in any string constant (f-string parts included; docstrings are prose and left out).
Entity IRIs are minted in kg/rdf/iris.py from ontology.namespace.ID."""

from __future__ import annotations

from pathlib import Path

from test_vocab import strings

from ontology.namespace import PREFIXES, SPARQL_RESULTS, prologue

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("kg", "search", "api")
NAMESPACES = sorted({*PREFIXES.values(), SPARQL_RESULTS}, key=len, reverse=True)


def written_iris(path: Path) -> list[tuple[int, str]]:
    """(line, namespace) for each string constant of the module (docstrings aside) that spells
    one (whole, or a piece of one long enough to be nothing else)."""
    out = []
    for line, text in strings(path):
        for ns in NAMESPACES:
            if ns in text or (len(text) >= 16 and text in ns):
                out.append((line, ns))
                break
    return out


def _modules() -> list[Path]:
    return sorted(p for top in SCANNED for p in (ROOT / top).rglob("*.py"))


def test_no_module_writes_a_namespace_iri():
    found = [f"{p.relative_to(ROOT)}:{line}: {ns}" for p in _modules() for line, ns in written_iris(p)]
    assert not found, "write these with ontology.namespace (BKG, ID, RDF, RDFS, …, PREFIXES, prologue):\n" + \
        "\n".join(found)


def test_the_scan_sees_what_it_looks_for(tmp_path):
    src = tmp_path / "m.py"
    src.write_text('"""Doc: https://w3id.org/budgetkg/def# is fine here."""\n'
                   'X = "http://www.w3.org/2000/01/rdf-schema#"\n'
                   'Q = f"SELECT ?x WHERE {{ ?x <https://w3id.org/budgetkg/def#amount> ?v }}"\n'
                   'OK = "rdfs:label"\n', encoding="utf-8")
    assert [line for line, _ in written_iris(src)] == [2, 3]


def test_prologue():
    assert prologue("bkg", "rdfs") == (f"PREFIX bkg: <{PREFIXES['bkg']}>\n"
                                       f"PREFIX rdfs: <{PREFIXES['rdfs']}>\n")
    assert prologue().count("PREFIX ") == len(PREFIXES)
