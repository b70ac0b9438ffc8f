"""`budgetkg query`: SPARQL from the shell, under the rules of the public endpoint.

The query is not run here but by api.query_workers, exactly as /sparql runs it: a read-only
snapshot of the store, opened by one worker process whose parser check (api.sparql_check)
refuses updates, SERVICE and LOAD, under the service's timeout, row, byte, length, nesting
and memory limits (BUDGETKG_SPARQL_*). Results are written by api.sparql's serializers, so
`--format csv` is byte for byte what `/sparql?format=csv` sends; `table` is for reading in
a terminal (columns aligned by display width: a Chinese character takes two).

Exit codes: 0 answered (a truncated answer too, with a note on stderr); 2 a refused or
invalid query, an unknown example, a missing database; 1 a query that ran out of time or
found no worker to run it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from kg.store import PREFIXES
from ontology.namespace import XSD

FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
# what each --format means for each kind of answer (rows for SELECT/ASK, a graph for
# CONSTRUCT/DESCRIBE); "html" asks the worker for the result itself, which `table` lays out
SELECT_AS = {"table": "html", "csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml"}
GRAPH_AS = {"table": "ttl", "json": "jsonld", "ttl": "ttl", "nt": "nt", "jsonld": "jsonld"}
SPACES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))  # the longest namespace names an IRI
MAX_CELL = 60  # display columns of one table cell; csv, tsv and json carry the whole value
NUMERIC = {f"{XSD}{t}" for t in (
    "integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt")}


class UsageError(Exception):
    """A query, file or example that cannot be run (exit 2)."""


# --- the query text --------------------------------------------------------------------

def prologue_for(text: str) -> str:
    """Declarations of budgetkg's prefixes (bkg:, rdfs:, skos:, …) the query does not declare
    itself, on one line ending in a space: put in front, they leave the engine's line
    numbers pointing into what was typed (and `unshift` mends the columns of line 1)."""
    missing = [p for p in PREFIXES if not re.search(rf"(?i)\bPREFIX\s+{re.escape(p)}\s*:", text)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in missing)


def unshift(message: str, prologue: str) -> str:
    """An engine message about the query as run, with line 1's columns as the user typed it."""
    def fix(m: re.Match) -> str:
        col = int(m.group(2)) - len(prologue)
        return f"{m.group(1)}{max(col, 1)}"

    return re.sub(r"(\bline 1,? column )(\d+)", fix, message) if prologue else message


def find_example(key: str, examples: list[dict]) -> dict:
    """An example by number (08), file name (08_most_cited_policies) or name (most_cited_policies)."""
    k = key.strip().lower().removesuffix(".rq")
    exact = [e for e in examples if e["name"].lower() == k or e["name"].lower().split("_", 1)[-1] == k]
    if len(exact) == 1:
        return exact[0]
    if k.isdigit():
        found = [e for e in examples if re.match(r"\d+", e["name"]) and int(re.match(r"\d+", e["name"]).group()) == int(k)]
    else:
        found = [e for e in examples if k in e["name"].lower()]
    if len(found) == 1:
        return found[0]
    names = ", ".join(e["name"] for e in (found or examples))
    if found:
        raise UsageError(f"example {key!r} is ambiguous: {names}")
    raise UsageError(f"no example query {key!r}; there are: {names}")


def query_text(args, examples: list[dict]) -> str:
    if args.example is not None and args.query is not None:
        raise UsageError("give a QUERY or --example NAME, not both")
    if args.example is not None:
        return find_example(args.example, examples)["query"]
    q = args.query
    if q is None:
        raise UsageError("give a SPARQL query, a .rq file, - (stdin), --example NAME or --list")
    if q == "-":
        return sys.stdin.read()
    path = Path(q)
    if os.path.isfile(q) or q.endswith((".rq", ".sparql")):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read the query file {q}: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise UsageError(f"the query file {q} is not UTF-8 text") from None
    return q


# --- the table --------------------------------------------------------------------------

def display_width(s: str) -> int:
    """Terminal columns: wide and full-width characters (CJK) take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def clip(s: str, width: int = MAX_CELL) -> str:
    if display_width(s) <= width:
        return s
    out, used = [], 0
    for c in s:
        w = display_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def cell(t: dict | None) -> str:
    if t is None:
        return ""
    if t["type"] == "uri":
        # short for reading (id:agency/…), as the /sparql page shows IRIs; csv and json keep them whole
        iri = t["value"]
        return next((f"{p}:{iri[len(ns):]}" for p, ns in SPACES if iri.startswith(ns) and len(iri) > len(ns)), f"<{iri}>")
    if t["type"] == "bnode":
        return f"_:{t['value']}"
    # one line per row: a line break or tab inside a value would break the columns
    return re.sub(r"[\x00-\x1f\x7f]", " ", t["value"])


def render_table(variables: list[str], rows: list[list[dict | None]]) -> str:
    cells = [[clip(cell(t)) for t in row] for row in rows]
    numeric = [bool(rows) and all(r[i] is None or r[i].get("datatype") in NUMERIC for r in rows)
               for i in range(len(variables))]
    widths = [max([display_width(v)] + [display_width(r[i]) for r in cells]) for i, v in enumerate(variables)]

    def line(values: list[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - display_width(v))
            parts.append(pad + v if numeric[i] else v + pad)
        return "  ".join(parts).rstrip()

    out = [line(variables), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out) + "\n"


def render(result, fmt: str) -> bytes:
    """The `table` form of a worker's QueryResult (SELECT or ASK)."""
    if result.kind == "ask":
        return b"true\n" if result.boolean else b"false\n"
    return render_table(result.variables, result.rows).encode("utf-8")


# --- running -------------------------------------------------------------------------------

def list_examples(examples: list[dict]) -> int:
    if not examples:
        print("budgetkg query: no example queries (ontology/queries/*.rq)", file=sys.stderr)
        return 2
    width = max(display_width(e["name"]) for e in examples)
    for e in examples:
        print(f"{e['name']}{' ' * (width - display_width(e['name']))}  {e['title']}")
    return 0


@contextmanager
def reading(db: str):
    """The store, read-only, for as long as the query runs: beside a running service a
    snapshot it lends, else the store itself under kg.store.access's rule (never read-only
    while another process writes it)."""
    from api.control import find_service
    from kg.store.access import Access

    with Access(service=find_service).reading(db) as store:
        yield store


@contextmanager
def one_worker(store, db: str):
    """A pool of one query worker over a snapshot of `store`, with the service's limits."""
    from api.query_workers import Limits, QueryPool, Snapshots
    from kg.settings import get_settings

    s = get_settings(db=db)
    limits = Limits(timeout_s=s.sparql_timeout_s, max_rows=s.sparql_max_rows, max_bytes=s.sparql_max_bytes,
                    max_chars=s.sparql_max_chars, max_depth=s.sparql_max_depth, memory_mb=s.sparql_worker_memory_mb)
    snapshots = Snapshots(store, Path(db))
    # a folder of its own: Snapshots names its copies <pid>-<n>, so a second Snapshots in a
    # process that serves the same database (an embedding, the tests) would overwrite the
    # service's copies; a service prunes this folder once this process is gone
    snapshots.root = snapshots.root / f"{os.getpid()}-query-{secrets.token_hex(4)}"
    pool = QueryPool(snapshots, limits, size=1)
    try:
        yield pool
    finally:
        pool.close()
        snapshots.close()
        shutil.rmtree(snapshots.root, ignore_errors=True)


def run(args) -> int:
    from api.errors import ApiError
    from api.examples import load_examples

    examples = load_examples()
    if args.list or (args.example == "" and args.query is None):
        return list_examples(examples)
    try:
        text = query_text(args, examples)
    except UsageError as e:
        print(f"budgetkg query: {e}", file=sys.stderr)
        return 2
    fmt = args.format
    prologue = prologue_for(text)
    with reading(args.db) as store, one_worker(store, args.db) as pool:
        try:
            status, meta, payload = pool.run(prologue + text, {"select": SELECT_AS.get(fmt), "graph": GRAPH_AS.get(fmt)})
        except ApiError as e:
            print(f"budgetkg query: {unshift(e.message, prologue)} ({e.code})", file=sys.stderr)
            return 2 if e.status < 500 else 1
        except RuntimeError as e:  # the worker could not be started at all
            print(f"budgetkg query: {e}", file=sys.stderr)
            return 1
    if status == "badformat":
        graph = meta["form"] in ("CONSTRUCT", "DESCRIBE")
        fits = [f for f in FORMATS if f in (GRAPH_AS if graph else SELECT_AS)]
        print(f"budgetkg query: --format {fmt} does not fit a {meta['form']} query; use {', '.join(fits)}",
              file=sys.stderr)
        return 2
    body = render(payload, fmt) if fmt == "table" and meta["kind"] != "graph" else payload
    out = sys.stdout.buffer
    out.write(body)
    if body and not body.endswith(b"\n"):
        out.write(b"\n")
    out.flush()
    if meta.get("truncated"):
        print(f"budgetkg query: the answer was cut at {meta['count']} rows (limits BUDGETKG_SPARQL_MAX_ROWS, "
              "BUDGETKG_SPARQL_MAX_BYTES)", file=sys.stderr)
    if fmt == "table" and meta["kind"] == "select":
        print(f"({meta['count']} rows, {meta['elapsed_s'] * 1000:.1f} ms)", file=sys.stderr)
    return 0


def register(sub, add_db) -> None:
    s = sub.add_parser(
        "query", help="run a read-only SPARQL query (or an example) with the /sparql endpoint's rules",
        description="Run SPARQL against a database with the same read-only rules, timeout and caps as /sparql. "
                    "budgetkg's prefixes (bkg:, rdfs:, skos:, ...) are declared for you unless the query declares "
                    "them. Exit 0 answered, 2 refused or invalid query / missing database, 1 timed out.")
    s.add_argument("query", nargs="?", metavar="QUERY|FILE.rq",
                   help="the SPARQL text, a file holding it, or - to read stdin")
    add_db(s)
    s.add_argument("--format", choices=FORMATS, default="table",
                   help="table (aligned text), csv, tsv, json, xml for SELECT/ASK; table (Turtle), ttl, nt, json "
                        "(JSON-LD) for CONSTRUCT/DESCRIBE (default table)")
    s.add_argument("--example", nargs="?", const="", metavar="NAME",
                   help="run an example query of ontology/queries by number (08) or name; alone, list them")
    s.add_argument("--list", action="store_true", help="list the example queries")
    s.set_defaults(func=run)
