"""Reading the store for a page: SELECT rows as SPARQL-JSON terms, their python values,
and the per-IRI lookups every view uses to read columns for the rows it shows only."""

from __future__ import annotations

from decimal import Decimal

from pyoxigraph import Literal, NamedNode

from api.errors import ApiError
from api.sparql import term_json
from api.views.links import iri_ok
from ontology.namespace import PREFIXES, prologue
from ontology.namespace import XSD as _XSD

XSD = str(_XSD)  # SPARQL-JSON gives datatypes as plain strings: compared as strings
XSD_STRING = XSD + "string"
PROLOGUE = prologue()
_PREFIX_LINES = {f"{p}:": prologue(p) for p in PREFIXES}


def _prologue(sparql: str) -> str:
    """The PREFIX lines of the prefixes the query names (parsing the rest costs each query time)."""
    return "".join(line for name, line in _PREFIX_LINES.items() if name in sparql)


def _term(t) -> dict | None:
    """api.sparql.term_json for the two kinds of term nearly every cell holds, tested by
    class rather than by name: a page converts a few thousand cells."""
    cls = type(t)
    if cls is NamedNode:
        return {"type": "uri", "value": t.value}
    if cls is Literal:
        lang = t.language
        if lang:
            return {"type": "literal", "value": t.value, "xml:lang": lang}
        dt = t.datatype.value
        return {"type": "literal", "value": t.value} if dt == XSD_STRING else {"type": "literal", "value": t.value,
                                                                                 "datatype": dt}
    return term_json(t)


def terms(store, sparql: str) -> list[dict]:
    """SELECT as rows of SPARQL-JSON terms (keeps IRIs and literals apart, unlike store.select)."""
    try:
        res = store.query(_prologue(sparql) + sparql)
        names = [v.value for v in res.variables]
        return [{n: None if t is None else _term(t) for n, t in zip(names, sol, strict=True)} for sol in res]
    except SyntaxError as e:  # a bug in a view, not the user's input
        raise ApiError(500, "internal_error", f"page query failed: {e}") from None


def val(t: dict | None):
    """The python value of a SPARQL-JSON term (Decimal for decimals, int for integers)."""
    if t is None:
        return None
    dt = t.get("datatype", "")
    if dt == XSD + "decimal":
        return Decimal(t["value"])
    if dt in (XSD + "integer", XSD + "int", XSD + "long"):
        try:
            return int(t["value"])
        except ValueError:
            return t["value"]
    return t["value"]


def values_block(var: str, iris) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'<{iri_ok(i)}>' for i in iris)} }}"


def literal(text: str) -> str:
    """A SPARQL string literal."""
    for a, b in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(a, b)
    return f'"{text}"'


def lookup(store, iris, props: dict[str, str], chunk: int = 500) -> dict[str, dict]:
    """One value of each property (a SPARQL-JSON term, what SAMPLE gave) for each IRI, read
    for these IRIs only: with the subject bound each property is one index seek, where a
    join written over the whole corpus would seek once per row of every disclosure."""
    out: dict[str, dict] = {}
    iris = list(dict.fromkeys(i for i in iris if i))
    opts = " ".join(f"OPTIONAL {{ ?x {p} ?{n} }}" for n, p in props.items())
    for start in range(0, len(iris), chunk):
        part = iris[start:start + chunk]
        for r in terms(store, f"SELECT * WHERE {{ {values_block('x', part)} {opts} }}"):
            got = out.setdefault(r["x"]["value"], {})
            for n in props:
                if r.get(n) is not None:
                    got.setdefault(n, r[n])
    return out
