"""Fuzzing /sparql of a real `budgetkg serve` (with a write token: the mode in which
queries used to run inside the service) with generated requests: token soups, random
nesting, random unicode, SERVICE hidden behind escapes, comments and strings, and
grammar-guided valid SELECT/ASK/CONSTRUCT queries.

Properties: never a 5xx (a 503 `query_timeout` is the contract for a query that runs too
long, not a fault), an error is always the one JSON shape, the service never connects to
the loopback listener named in the queries, and a query pyoxigraph itself parses is
answered (200), not refused by the endpoint's own checks. Examples are bounded (and not
shrunk: a crash would leave nothing to shrink against), so the module runs in about a
minute; a crash restarts the service and reports the request that caused it."""

from __future__ import annotations

import subprocess
from urllib.parse import quote

import httpx
import pytest
from apihelpers import TOKEN, build_mini_db
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from liveserver import Listener, LiveServer

pytestmark = pytest.mark.slow

TIMEOUT_S = 2
FUZZ = settings(max_examples=150, deadline=None, phases=[Phase.explicit, Phase.generate], derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
PREFIXES = ("PREFIX bkg: <https://w3id.org/budgetkg/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX ex: <http://example.org/>\n")


class Target:
    """The service under fuzz, restarted if an example killed it."""

    def __init__(self, db, tmp, listener):
        self.db, self.tmp, self.listener, self.srv, self.starts = db, tmp, listener, None, 0

    def get(self) -> LiveServer:
        if self.srv is None or self.srv.proc.poll() is not None:
            if self.srv is not None:
                self.srv.__exit__(None, None, None)
            self.starts += 1
            self.srv = LiveServer(self.db, self.tmp / f"serve-{self.starts}.log",
                                  {"BUDGETKG_WRITE_TOKEN": TOKEN, "BUDGETKG_SPARQL_TIMEOUT_S": str(TIMEOUT_S)}).__enter__()
        return self.srv

    def close(self):
        if self.srv is not None:
            self.srv.__exit__(None, None, None)


@pytest.fixture(scope="module")
def listener():
    lis = Listener()
    yield lis
    lis.close()


@pytest.fixture(scope="module")
def target(tmp_path_factory, listener):
    tmp = tmp_path_factory.mktemp("fuzz")
    t = Target(build_mini_db(tmp / "db"), tmp, listener)
    t.get()
    yield t
    t.close()


def send(target: Target, text: str, how: str) -> httpx.Response:
    srv = target.get()
    if how == "get" and len(quote(text)) > 60_000:
        # httpx refuses to build a URL whose query passes 64 KB: long queries go in a POST
        # body, as clients send them
        how = "post-body"
    try:
        if how == "get":
            return srv.client.get("/sparql", params={"query": text}, timeout=TIMEOUT_S + 30)
        if how == "post-body":
            return srv.client.post("/sparql", content=text.encode("utf-8"), timeout=TIMEOUT_S + 30,
                                   headers={"content-type": "application/sparql-query"})
        if how == "post-form":
            return srv.client.post("/sparql", data={"query": text}, timeout=TIMEOUT_S + 30)
        return srv.client.post("/sparql", data={"update": text}, headers={"authorization": f"Bearer {TOKEN}"},
                               timeout=TIMEOUT_S + 30)
    except httpx.TransportError as e:
        try:  # a crashing process may take a moment to be reaped
            srv.proc.wait(2)
        except subprocess.TimeoutExpired:
            pass
        alive = srv.proc.poll() is None
        raise AssertionError(f"no answer ({type(e).__name__}: {e}); service {'alive' if alive else 'DEAD'} "
                             f"after {how} of {text[:300]!r}\n{srv.log_tail(2000)}") from None


def check(target: Target, r: httpx.Response, text: str):
    assert r.status_code < 500 or (r.status_code == 503 and r.json()["error"]["code"] == "query_timeout"), (
        f"{r.status_code} for {text[:400]!r}: {r.text[:400]}")
    if r.status_code >= 400:
        body = r.json()
        assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}, body
        assert body["error"]["status"] == r.status_code
    hits = target.listener.take(0.05)
    assert not hits, f"outbound request for {text[:400]!r}: {hits}"


# --- strategies -----------------------------------------------------------------------------------

KEYWORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH",
            "SERVICE", "service", "SeRvIcE", "SILENT", "BIND", "AS", "VALUES", "LIMIT", "OFFSET", "ORDER", "BY",
            "GROUP", "HAVING", "DISTINCT", "REDUCED", "PREFIX", "BASE", "LOAD", "INSERT", "DELETE", "DATA", "INTO",
            "CLEAR", "DROP", "ALL", "DEFAULT", "NAMED", "WITH", "USING", "EXISTS", "NOT", "IN", "a", "true",
            "COUNT", "GROUP_CONCAT", "SEPARATOR", "STR", "REGEX", "CONCAT", "IRI", "SUBSTR", "STRLEN"]
PUNCT = ["{", "}", "(", ")", "[", "]", ".", ";", ",", "*", "=", "!=", "<", ">", "&&", "||", "!", "^^", "@zh", "|",
         "/", "^", "+", "?", "#", "\\", "'", '"', '"""', "'''", "\n", "<<", ">>"]


def atoms(url: str):
    return st.one_of(
        st.sampled_from(KEYWORDS), st.sampled_from(PUNCT),
        st.from_regex(r"[?$][A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
        st.sampled_from(["ex:a", "ex:a\\#", "ex:a\\'", 'ex:a\\"', "ex:\\-x", "bkg:amount", "rdfs:label", ":x", "_:b",
                         f"<{url}>", f"<{url}sparql>", "<urn:x>", "<http://example.org/#>", "<>"]),
        st.sampled_from(['"SERVICE"', "'SERVICE <" + url + ">'", f'"""\n SERVICE <{url}> {{ }} """', "# SERVICE\n",
                         f"# }} SERVICE <{url}> {{\n", '"\\u0053ERVICE"', "SERVI\\u0043E", "\\u007B", '"\\""']),
        st.integers(-10**6, 10**6).map(str),
        st.from_regex(r"[0-9]+\.[0-9]*[eE]?[0-9]*", fullmatch=True),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    )


@st.composite
def token_soup(draw, url: str) -> str:
    parts = draw(st.lists(atoms(url), max_size=60))
    seps = draw(st.lists(st.sampled_from([" ", "", "\n", "\t", " # c\n", "\r\n", "\u3000", "\x00"]),
                         min_size=len(parts), max_size=len(parts)))
    text = "".join(p + s for p, s in zip(parts, seps, strict=True))
    if draw(st.booleans()):  # wrap in brackets, now and then far deeper than any limit
        depth = draw(st.one_of(st.integers(0, 80), st.sampled_from([300, 1000, 3000, 6000]), st.integers(60, 6000)))
        # each nesting where the grammar allows it, so a parser has to descend all the way
        head, opener, closer, tail = draw(st.sampled_from([
            ("SELECT * WHERE ", "{", "}", ""), ("ASK ", "{ {", "} }", ""),
            ("SELECT * WHERE { ", "OPTIONAL { ", "} ", "}"), ("ASK { FILTER", "(", ")", " }"),
            ("SELECT * WHERE { ?s ?p ", "[ ?p ", "] ", "}"), ("SELECT * WHERE { ?s ?p ", "( ", ") ", "}"),
            (PREFIXES + "SELECT (", "STR(", ")", " AS ?x) {}"), ("", "{", "}", ""),
        ]))
        if draw(st.booleans()):
            closer = draw(st.sampled_from(["}", ")", "]", ""]))  # unbalanced
        text = head + opener * depth + text + closer * depth + tail
    return text


VARS = ["?s", "?p", "?o", "?x", "?name", "?amount", "?n"]
PREDICATES = ["rdfs:label", "bkg:amount", "bkg:fiscalYear", "bkg:reportingAgency", "bkg:citedPolicy", "a", "?p",
              "bkg:disclosure/bkg:fiscalYear", "^bkg:implementingAgency", "rdfs:label|bkg:documentNumber"]
OBJECTS = VARS + ["bkg:Agency", "bkg:Project", '"湖滨县测试政府"@zh', "2031", '"x"', "bkg:Policy"]


@st.composite
def valid_query(draw) -> str:
    def triple():
        return f"{draw(st.sampled_from(VARS))} {draw(st.sampled_from(PREDICATES))} {draw(st.sampled_from(OBJECTS))} ."

    binds = iter(range(100))  # a BIND may not reuse a variable in scope: each gets its own

    def group(depth: int) -> str:
        parts = [triple() for _ in range(draw(st.integers(1, 2)))]
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(["optional", "union", "filter", "bind", "values", "minus", "graph", "exists"]))
            if depth > 0 and kind in ("optional", "union", "minus", "graph"):
                inner = group(depth - 1)
                parts.append({"optional": f"OPTIONAL {{ {inner} }}", "union": f"{{ {inner} }} UNION {{ {triple()} }}",
                              "minus": f"MINUS {{ {inner} }}", "graph": f"GRAPH ?g {{ {inner} }}"}[kind])
            elif kind == "filter":
                v = draw(st.sampled_from(VARS))
                parts.append(draw(st.sampled_from([f"FILTER(isLiteral({v}))", f"FILTER(STRLEN(STR({v})) > 2)",
                                                   f'FILTER(REGEX(STR({v}), "测试|a", "i"))',
                                                   f"FILTER(BOUND({v}) || !BOUND({v}))",
                                                   f'FILTER(CONTAINS(STR({v}), "SERVICE"))'])))
            elif kind == "bind":
                parts.append(f"BIND(STR({draw(st.sampled_from(VARS))}) AS ?b{next(binds)})")
            elif kind == "values":
                parts.append('VALUES ?v { "a" 1 <urn:x> UNDEF }')
            elif kind == "exists":
                parts.append(f"FILTER NOT EXISTS {{ {triple()} }}")
        return " ".join(parts)

    where = group(draw(st.integers(0, 3)))
    form = draw(st.sampled_from(["select", "select-agg", "ask", "construct", "describe"]))
    limit = f" LIMIT {draw(st.integers(0, 50))}"
    if form == "select":
        head = draw(st.sampled_from(["SELECT *", "SELECT DISTINCT *", "SELECT REDUCED *"]))
        tail = draw(st.sampled_from(["", " ORDER BY ?s", " ORDER BY DESC(?o)", " OFFSET 1"])) + limit
        return f"{PREFIXES}{head} WHERE {{ {where} }}{tail}"
    if form == "select-agg":
        v = draw(st.sampled_from(VARS))
        agg = draw(st.sampled_from(["(COUNT(*) AS ?c)", f"(COUNT(DISTINCT {v}) AS ?c)",
                                    f'(GROUP_CONCAT(STR({v}); SEPARATOR="|") AS ?c)', f"(SAMPLE({v}) AS ?c)"]))
        return f"{PREFIXES}SELECT {agg} WHERE {{ {where} }}{limit}"
    if form == "ask":
        return f"{PREFIXES}ASK {{ {where} }}"
    if form == "describe":
        return f"{PREFIXES}DESCRIBE ?s WHERE {{ {where} }}{limit}"
    return f"{PREFIXES}CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . {where} }}{limit}"


@st.composite
def hidden_service(draw, url: str) -> str:
    """A valid query with a SERVICE clause behind something a text filter could trip on."""
    service = draw(st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "SERVICE#x\n"]))
    endpoint = draw(st.sampled_from([f"<{url}>", "ex2:q", "?e"]))
    clause = f"{{ {service} {endpoint} {{ ?s ?p ?o }} }}"
    before = draw(st.sampled_from(["?x ex:a\\# ?y", "?x ex:a\\' ?y", '?x ex:a\\" ?y', '?x rdfs:label "#" ',
                                   "?x rdfs:label '''a'''", '?x rdfs:label "\\"" ', "?x <urn:a#b> ?y",
                                   '?x rdfs:label "SERVICE"', "?x ex:a\\#\\' ?y", "?x ex:b ?y"]))
    after = draw(st.sampled_from(["", "FILTER(?x != 'q')", 'FILTER(?x != "q")', "# trailing", "FILTER(?x != '''q''')"]))
    values = f"VALUES ?e {{ <{url}> }} " if endpoint == "?e" else ""
    body = f"{{ {before} }} UNION {clause} {after}" if draw(st.booleans()) else f"{before} . OPTIONAL {clause} {after}"
    head = draw(st.sampled_from(["SELECT * WHERE", "ASK", "CONSTRUCT { ?s ?p ?o } WHERE"]))
    return f"{PREFIXES}PREFIX ex2: <{url}>\n{head} {{ {values}{body} }}"


# --- tests ----------------------------------------------------------------------------------------------

HOW = st.sampled_from(["get", "post-body", "post-form", "update"])


@FUZZ
@given(data=st.data())
def test_token_soups_and_nesting_never_break_the_service(target, data):
    text = data.draw(token_soup(target.listener.url), label="sparql")
    how = data.draw(HOW, label="how")
    check(target, send(target, text, how), text)


@FUZZ
@given(data=st.data())
def test_random_unicode_never_breaks_the_service(target, data):
    text = data.draw(st.text(st.characters(exclude_categories=["Cs"]), max_size=300), label="sparql")
    how = data.draw(HOW, label="how")
    r = send(target, text, how)
    check(target, r, text)
    if how != "update" and not text.strip():
        assert r.status_code == 400


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_hidden_service_is_refused_and_never_called(target, data):
    text = data.draw(hidden_service(target.listener.url), label="sparql")
    how = data.draw(st.sampled_from(["get", "post-body", "post-form"]), label="how")
    r = send(target, text, how)
    check(target, r, text)
    assert r.status_code in (400, 403), f"{r.status_code} for {text!r}: {r.text[:300]}"


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_valid_queries_are_answered(target, data):
    import pyoxigraph as ox

    text = data.draw(valid_query(), label="sparql")
    ox.Store().query(text)  # the generator's own check: pyoxigraph parses it (an empty store: no time)
    how = data.draw(st.sampled_from(["get", "post-body", "post-form"]), label="how")
    r = send(target, text, how)
    check(target, r, text)
    assert r.status_code == 200 or r.json()["error"]["code"] == "query_timeout", (
        f"{r.status_code} for a valid query {text!r}: {r.text[:300]}")
