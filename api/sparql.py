"""The SPARQL endpoint's evaluation and serialization: run a vetted query to completion
under a row cap and a byte cap, and write the result in the negotiated format.

Nothing here decides whether a query may run (api.sparql_check does, with a real parser)
or where it runs (api.query_workers: worker processes, never the service). These are the
pure pieces both of them share with the routes.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

from api.errors import ApiError
from ontology.namespace import SPARQL_RESULTS, XSD

_XSD_STRING = str(XSD.string)  # a plain literal's datatype, left out of SPARQL-JSON

# media types, by query form; the first one is the default for */*
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
GRAPH_TYPES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
}
FORMAT_ALIASES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "ttl": "ttl", "turtle": "ttl", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "jsonld": "jsonld", "json-ld": "jsonld", "html": "html",
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}
SELECT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")

# --- evaluation ----------------------------------------------------------------------

@dataclass
class QueryResult:
    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[dict | None]] = field(default_factory=list)  # SPARQL-JSON terms
    boolean: bool | None = None
    ntriples: str = ""
    count: int = 0
    truncated: bool = False
    max_rows: int = 0
    max_bytes: int = 0
    elapsed_s: float = 0.0


def term_json(t) -> dict | None:
    """A pyoxigraph term as a SPARQL 1.1 JSON results term."""
    if t is None:
        return None
    name = type(t).__name__
    if name == "NamedNode":
        return {"type": "uri", "value": t.value}
    if name == "BlankNode":
        return {"type": "bnode", "value": t.value}
    if name == "Literal":
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def _term_bytes(t: dict | None) -> int:
    """About what one term costs in the JSON answer (the byte cap's unit): its text in UTF-8
    and the markup around it."""
    if t is None:
        return 0
    v = t["value"]
    return 48 + (len(v) if v.isascii() else len(v.encode("utf-8"))) + len(t.get("datatype", ""))


def evaluate(store, sparql: str, max_rows: int, max_bytes: int | None = None) -> QueryResult:
    """Run the query to completion: at most max_rows rows/triples and about max_bytes of
    answer, whichever comes first (the result says it was truncated). Raises ApiError."""
    t0 = time.perf_counter()
    budget = max_bytes if max_bytes else float("inf")
    try:
        res = store.query(sparql)
        kind = type(res).__name__
        if kind == "QueryBoolean":
            out = QueryResult("ask", boolean=bool(res), count=1)
        elif kind == "QuerySolutions":
            variables = [v.value for v in res.variables]
            rows = []
            truncated = False
            size = 0
            for sol in res:
                if len(rows) >= max_rows:
                    truncated = True
                    break
                row = [term_json(sol[v]) for v in variables]
                size += 8 + sum(_term_bytes(t) for t in row)
                if size > budget:
                    truncated = True
                    break
                rows.append(row)
            out = QueryResult("select", variables, rows, count=len(rows), truncated=truncated)
        else:
            lines = []
            truncated = False
            size = 0
            for t in res:
                if len(lines) >= max_rows:
                    truncated = True
                    break
                line = f"{t} ."
                size += len(line) + 1 if line.isascii() else len(line.encode("utf-8")) + 1
                if size > budget:
                    truncated = True
                    break
                lines.append(line)
            out = QueryResult("graph", ntriples="\n".join(lines) + ("\n" if lines else ""), count=len(lines),
                              truncated=truncated)
    except SyntaxError as e:
        raise ApiError(400, "sparql_syntax", f"SPARQL syntax error: {e}") from None
    except OSError as e:
        raise ApiError(400, "sparql_error", f"the query could not be evaluated: {e}") from None
    except ApiError:
        raise
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001 - surface the engine's message, never a traceback
        raise ApiError(400, "sparql_error", f"the query could not be evaluated: {type(e).__name__}: {e}") from None
    out.max_rows = max_rows
    out.max_bytes = max_bytes or 0
    out.elapsed_s = time.perf_counter() - t0
    return out


# --- serialization -----------------------------------------------------------------------

def to_json(r: QueryResult) -> bytes:
    if r.kind == "ask":
        doc: dict = {"head": {}, "boolean": r.boolean}
    else:
        doc = {"head": {"vars": r.variables},
               "results": {"bindings": [{v: t for v, t in zip(r.variables, row, strict=True) if t is not None} for row in r.rows]}}
    if r.truncated:
        doc["truncated"] = True
        doc["max_rows"] = r.max_rows
        doc["max_bytes"] = r.max_bytes
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _xml_term(t: dict) -> str:
    v = xml_escape(t["value"])
    if t["type"] == "uri":
        return f"<uri>{v}</uri>"
    if t["type"] == "bnode":
        return f"<bnode>{v}</bnode>"
    attrs = ""
    if "xml:lang" in t:
        attrs = f' xml:lang="{xml_escape(t["xml:lang"])}"'
    elif "datatype" in t:
        attrs = f' datatype="{xml_escape(t["datatype"])}"'
    return f"<literal{attrs}>{v}</literal>"


def to_xml(r: QueryResult) -> bytes:
    out = ['<?xml version="1.0"?>', f'<sparql xmlns="{SPARQL_RESULTS}">', "<head>"]
    out += [f'<variable name="{xml_escape(v)}"/>' for v in r.variables]
    if r.truncated:
        out.append(f'<link href="urn:budgetkg:truncated:max-rows={r.max_rows}:max-bytes={r.max_bytes}"/>')
    out.append("</head>")
    if r.kind == "ask":
        out.append(f"<boolean>{'true' if r.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in r.rows:
            out.append("<result>")
            out += [f'<binding name="{xml_escape(v)}">{_xml_term(t)}</binding>' for v, t in zip(r.variables, row, strict=True) if t]
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out).encode("utf-8")


def to_csv(r: QueryResult) -> bytes:
    if r.kind == "ask":
        return b"true\r\n" if r.boolean else b"false\r\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(r.variables)
    for row in r.rows:
        w.writerow(["" if t is None else (f"_:{t['value']}" if t["type"] == "bnode" else t["value"]) for t in row])
    return buf.getvalue().encode("utf-8")


def _ntriples_term(t: dict) -> str:
    if t["type"] == "uri":
        return f"<{t['value']}>"
    if t["type"] == "bnode":
        return f"_:{t['value']}"
    if t["type"] == "triple":
        return f"<< {t['value']} >>"
    v = t["value"].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if "xml:lang" in t:
        return f'"{v}"@{t["xml:lang"]}'
    if "datatype" in t:
        return f'"{v}"^^<{t["datatype"]}>'
    return f'"{v}"'


def to_tsv(r: QueryResult) -> bytes:
    if r.kind == "ask":
        return b"true\n" if r.boolean else b"false\n"
    lines = ["\t".join(f"?{v}" for v in r.variables)]
    lines += ["\t".join("" if t is None else _ntriples_term(t) for t in row) for row in r.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def graph_bytes(ntriples: str, fmt: str) -> bytes:
    if fmt == "nt":
        return ntriples.encode("utf-8")
    import pyoxigraph as ox

    from kg.store import PREFIXES

    triples = ox.parse(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    buf = io.BytesIO()
    if fmt == "ttl":
        ox.serialize(triples, buf, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        ox.serialize(triples, buf, ox.RdfFormat.JSON_LD)
    return buf.getvalue()


def serialize(r: QueryResult, fmt: str) -> bytes:
    if r.kind == "graph":
        return graph_bytes(r.ntriples, fmt)
    return {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}[fmt](r)


def table(r: QueryResult) -> dict:
    """A plain view for the HTML page and the JSON twin of the editor."""
    return {"kind": r.kind, "variables": r.variables, "rows": r.rows, "boolean": r.boolean,
            "ntriples": r.ntriples, "count": r.count, "truncated": r.truncated, "max_rows": r.max_rows,
            "max_bytes": r.max_bytes, "elapsed_ms": round(r.elapsed_s * 1000, 1)}
