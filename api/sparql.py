"""The public SPARQL endpoint's engine: vet a query, run it under a time limit and a row
cap, and serialize the result in the negotiated format.

Why a forked process: pyoxigraph has no timeout or cancellation, and a query runs inside
Rust where Python cannot interrupt it. The evaluation releases the GIL, so a worker thread
would keep the service answering, but an abandoned thread would go on burning a core until
the query finishes (a 5-way cross join: never). So each public query runs in a child forked
from the service (copy-on-write: the open store comes along for free, no re-open, no
staleness); the parent waits `timeout_s` and SIGKILLs the child when it is late. Forking is
only safe while no other thread holds a lock the child needs: in-process store calls are
kept apart from the fork by api.guard, and a store opened read-write (write token set) is
never forked, because RocksDB's own background flush/compaction threads may hold its
mutexes at any instant (a child then hangs; seen in tests). There, and where fork() is
unavailable, the query runs in a daemon thread and is abandoned on timeout: the caller
still gets its 503 on time, but the thread runs on until the query ends (docs/api.md).

SERVICE is refused before evaluation: pyoxigraph ships an HTTP client and would otherwise
call out. The check is lexical on a query stripped of comments, strings and IRIs, so a
string or IRI containing the word does not trip it and no spelling of the keyword slips by.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import threading
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

from api.errors import ApiError

READ_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

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

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
                      re.S)


def strip_lexical(sparql: str) -> str:
    """The query with comments removed and every string and IRI replaced by a blank
    placeholder, leaving only keywords, names, variables and punctuation."""
    out: list[str] = []
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            j = sparql.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            m = _STRINGS.match(sparql, i)
            if m:
                out.append('""')
                i = m.end()
                continue
        if c == "<":
            m = _IRI.match(sparql, i)
            if m:
                out.append("<>")
                i = m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _keyword(word: str) -> re.Pattern:
    # not part of a prefixed name (ex:service, service:x), a variable (?service) or a longer word
    return re.compile(rf"(?<![\w:?$-]){word}(?![\w:-])", re.I)


_SERVICE = _keyword("SERVICE")
_FORM = re.compile(r"(?<![\w:?$-])(" + "|".join(READ_FORMS + UPDATE_FORMS) + r")(?![\w:-])", re.I)


def uses_service(sparql: str) -> bool:
    return bool(_SERVICE.search(strip_lexical(sparql)))


def query_form(sparql: str) -> str | None:
    """SELECT / ASK / CONSTRUCT / DESCRIBE, an update keyword, or None when no form is found."""
    m = _FORM.search(strip_lexical(sparql))
    return m.group(1).upper() if m else None


def vet(sparql: str, update: bool = False) -> str:
    """Reject what must not run; return the query form."""
    if not sparql or not sparql.strip():
        raise ApiError(400, "missing_query", "no SPARQL given: send it as query= (or update=)")
    if uses_service(sparql):
        raise ApiError(403, "service_refused", "SERVICE (federated query) is not allowed on this endpoint: it never calls other servers")
    form = query_form(sparql)
    if not update and form in UPDATE_FORMS:
        raise ApiError(400, "update_as_query", f"{form} is an update: send it as update= with a write token, not as query=")
    return form or ""


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
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def evaluate(store, sparql: str, max_rows: int) -> QueryResult:
    """Run the query to completion (at most max_rows rows/triples). Raises ApiError."""
    t0 = time.perf_counter()
    try:
        res = store.query(sparql)
        kind = type(res).__name__
        if kind == "QueryBoolean":
            out = QueryResult("ask", boolean=bool(res), count=1)
        elif kind == "QuerySolutions":
            variables = [v.value for v in res.variables]
            rows = []
            truncated = False
            for sol in res:
                if len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append([term_json(sol[v]) for v in variables])
            out = QueryResult("select", variables, rows, count=len(rows), truncated=truncated)
        else:
            lines = []
            truncated = False
            for t in res:
                if len(lines) >= max_rows:
                    truncated = True
                    break
                lines.append(f"{t} .")
            out = QueryResult("graph", ntriples="\n".join(lines) + ("\n" if lines else ""), count=len(lines),
                              truncated=truncated)
    except SyntaxError as e:
        raise ApiError(400, "sparql_syntax", f"SPARQL syntax error: {e}") from None
    except OSError as e:
        raise ApiError(400, "sparql_error", f"the query could not be evaluated: {e}") from None
    except ApiError:
        raise
    except Exception as e:  # noqa: BLE001 - surface the engine's message, never a traceback
        raise ApiError(400, "sparql_error", f"the query could not be evaluated: {type(e).__name__}: {e}") from None
    out.max_rows = max_rows
    out.elapsed_s = time.perf_counter() - t0
    return out


def _child(conn, store, sparql, max_rows):
    try:
        conn.send(("ok", evaluate(store, sparql, max_rows)))
    except ApiError as e:
        conn.send(("err", (e.status, e.code, e.message)))
    except BaseException as e:  # noqa: BLE001
        conn.send(("err", (500, "internal_error", f"{type(e).__name__}: {e}")))
    finally:
        conn.close()


def _timeout_error(timeout_s: float) -> ApiError:
    return ApiError(503, "query_timeout", f"the query ran longer than the {timeout_s:g} s limit and was stopped "
                                          "(setting BUDGETKG_SPARQL_TIMEOUT_S)")


def _run_forked(store, sparql: str, timeout_s: float, max_rows: int, guard=None) -> QueryResult:
    t0 = time.monotonic()
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, store, sparql, max_rows), daemon=True)
    if guard is None:
        proc.start()
    else:
        with guard.fork(min(2.0, timeout_s / 2)) as ok:
            if ok:
                proc.start()
        if not ok:  # the store stayed busy: evaluate in a thread rather than fork mid-call
            recv.close()
            send.close()
            return _run_threaded(store, sparql, timeout_s - (time.monotonic() - t0), max_rows)
    send.close()
    try:
        deadline = t0 + timeout_s
        if not recv.poll(max(0.0, deadline - time.monotonic())):
            proc.kill()
            raise _timeout_error(timeout_s)
        try:
            status, payload = recv.recv()
        except EOFError:
            raise ApiError(500, "query_crashed", "the query process ended without an answer") from None
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        if hasattr(proc, "close") and not proc.is_alive():
            proc.close()
    if status == "err":
        raise ApiError(*payload)
    return payload


def _run_threaded(store, sparql: str, timeout_s: float, max_rows: int) -> QueryResult:
    box: dict = {}

    def work():
        try:
            box["ok"] = evaluate(store, sparql, max_rows)
        except BaseException as e:  # noqa: BLE001
            box["err"] = e

    t = threading.Thread(target=work, daemon=True, name="sparql-query")
    t.start()
    t.join(timeout_s)
    if t.is_alive():  # abandoned: it finishes in the background (see module docstring)
        raise _timeout_error(timeout_s)
    if "err" in box:
        e = box["err"]
        if isinstance(e, ApiError):
            raise e
        raise ApiError(500, "internal_error", f"{type(e).__name__}: {e}")
    return box["ok"]


def fork_available() -> bool:
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


class QueryRunner:
    """Runs public queries: at most `slots` at once, each under the time limit."""

    def __init__(self, store, timeout_s: float, max_rows: int, isolation: str | None = None, slots: int | None = None,
                 guard=None):
        self.store = store
        self.guard = guard  # api.guard.ForkGuard: no fork while another thread is inside the store
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.isolation = isolation or ("process" if fork_available() else "thread")
        self._slots = threading.BoundedSemaphore(slots or max(2, os.cpu_count() or 2))

    def run(self, sparql: str) -> QueryResult:
        vet(sparql)
        if not self._slots.acquire(timeout=self.timeout_s):
            raise ApiError(503, "busy", "every query slot is taken; try again shortly")
        try:
            if self.isolation == "process":
                return _run_forked(self.store, sparql, self.timeout_s, self.max_rows, self.guard)
            return _run_threaded(self.store, sparql, self.timeout_s, self.max_rows)
        finally:
            self._slots.release()


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
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f'<variable name="{xml_escape(v)}"/>' for v in r.variables]
    if r.truncated:
        out.append(f'<link href="urn:budgetkg:truncated:max-rows={r.max_rows}"/>')
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
            "elapsed_ms": round(r.elapsed_s * 1000, 1)}
