"""`budgetkg query`: SPARQL from the shell with the /sparql endpoint's rules — csv is what the
endpoint sends, every example query runs by name, updates/SERVICE/LOAD and bad queries are
refused with exit 2 and one line, the caps come from the same settings, and the table is
aligned by display width (a Chinese character takes two columns)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from api.cli import main
from api.examples import load_examples
from api.query_cli import display_width, render_table

EXAMPLES = load_examples()
NAMES = """PREFIX bkg: <https://w3id.org/budgetkg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?a ?name WHERE { ?a a bkg:Agency ; rdfs:label ?name } ORDER BY ?name"""


def run(capsysbinary, *argv) -> tuple[int, str, str]:
    rc = main(["query", *map(str, argv)])
    out, err = capsysbinary.readouterr()
    return rc, out.decode("utf-8"), err.decode("utf-8")


def test_csv_prints_a_header_row_and_the_rows_as_the_endpoint_does(mini_db, client, capsysbinary):
    rc, out, err = run(capsysbinary, "--db", mini_db, "--format", "csv", NAMES)
    assert rc == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["a", "name"]
    assert [r[1] for r in rows[1:]] == sorted(["湖滨县水务测试局", "湖滨县测试政府"])
    assert rows[1][0].startswith("https://w3id.org/budgetkg/id/agency/")
    # the endpoint's serializer: the same bytes as /sparql?format=csv
    assert out.encode("utf-8") == client.get("/sparql", params={"query": NAMES, "format": "csv"}).content


@pytest.mark.parametrize("fmt,check", [
    ("json", lambda out: len(json.loads(out)["results"]["bindings"]) == 2),
    ("tsv", lambda out: out.splitlines()[0] == "?a\t?name" and len(out.splitlines()) == 3),
    ("xml", lambda out: out.count("<result>") == 2),
])
def test_other_formats(mini_db, capsysbinary, fmt, check):
    rc, out, err = run(capsysbinary, "--db", mini_db, "--format", fmt, NAMES)
    assert rc == 0, err
    assert check(out), out


def test_table_is_aligned_and_short(mini_db, capsysbinary):
    rc, out, err = run(capsysbinary, "--db", mini_db, NAMES.replace("?a ?name", "?name ?a"))
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["name", "a"] and set(lines[1]) <= {"-", " "}
    starts = {display_width(line[:line.index("id:agency/")]) for line in lines[2:]}
    assert len(lines) == 4 and len(starts) == 1, out  # the second column starts at one screen column
    assert "(2 rows" in err


def test_render_table_counts_wide_characters_twice_and_right_aligns_numbers():
    dec = "http://www.w3.org/2001/XMLSchema#decimal"
    rows = [[{"type": "literal", "value": "水务局"}, {"type": "literal", "value": "5", "datatype": dec}],
            [{"type": "literal", "value": "abc"}, {"type": "literal", "value": "12345.5", "datatype": dec}],
            [{"type": "literal", "value": "长" * 80}, None]]
    lines = render_table(["name", "amount"], rows).splitlines()
    widths = {display_width(line) for line in lines[2:4]}
    assert len(widths) == 1, lines  # the numbers end at the same column
    assert lines[2].endswith(" 5") and lines[3].endswith("12345.5")
    assert lines[4].rstrip().endswith("…") and display_width(lines[4].rstrip()) <= 60


def test_prefixes_are_declared_unless_the_query_declares_them(mini_db, capsysbinary):
    rc, out, err = run(capsysbinary, "--db", mini_db, "--format", "csv",
                       "SELECT ?n WHERE { ?p a bkg:Policy ; bkg:documentNumber ?n }")
    assert rc == 0, err
    assert out.splitlines() == ["n", "测水发〔2029〕7号"]
    # the query's own declaration wins: bkg: bound elsewhere finds nothing
    rc, out, err = run(capsysbinary, "--db", mini_db, "--format", "csv",
                       "PREFIX bkg: <urn:other#> SELECT ?n WHERE { ?p a bkg:Policy ; bkg:documentNumber ?n }")
    assert rc == 0, err
    assert out.splitlines() == ["n"]


def test_syntax_error_columns_point_into_what_was_typed(mini_db, capsysbinary):
    rc, out, err = run(capsysbinary, "--db", mini_db, "SELEC ?x WHERE { ?x ?p ?o }")
    assert rc == 2 and not out
    assert "line 1, column 1:" in err and len(err.strip().splitlines()) == 1, err


def test_query_from_a_file_and_from_stdin(mini_db, tmp_path, capsysbinary, monkeypatch):
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?p a bkg:Policy }\n", encoding="utf-8")
    assert run(capsysbinary, "--db", mini_db, f)[:2] == (0, "true\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("ASK { ?p a bkg:Nothing }"))
    assert run(capsysbinary, "--db", mini_db, "-")[:2] == (0, "false\n")
    rc, _, err = run(capsysbinary, "--db", mini_db, tmp_path / "missing.rq")
    assert rc == 2 and "missing.rq" in err


def test_construct_gives_turtle_and_refuses_csv(mini_db, capsysbinary):
    q = "CONSTRUCT WHERE { ?a a bkg:Agency }"
    rc, out, err = run(capsysbinary, "--db", mini_db, q)
    assert rc == 0, err
    assert "bkg:Agency" in out and "@prefix bkg:" in out
    rc, out, err = run(capsysbinary, "--db", mini_db, "--format", "csv", q)
    assert rc == 2 and not out and "CONSTRUCT" in err


@pytest.mark.parametrize("query,code", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "update_as_query"),
    ("DELETE WHERE { ?s ?p ?o }", "update_as_query"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "service_refused"),
    ("LOAD <http://127.0.0.1:9/x.ttl>", "load_refused"),
    ("SELECT ?x WHERE { ?x ?p ", "sparql_syntax"),
    ("SELECT ?x WHERE " + "{ " * 200 + "?x ?p ?o" + " }" * 200, "query_too_complex"),
])
def test_refused_and_invalid_queries_exit_2_with_one_line(mini_db, capsysbinary, query, code):
    rc, out, err = run(capsysbinary, "--db", mini_db, query)
    assert rc == 2 and not out
    assert len(err.strip().splitlines()) == 1 and f"({code})" in err, err


def test_nothing_was_written(mini_db, capsysbinary):
    run(capsysbinary, "--db", mini_db, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert run(capsysbinary, "--db", mini_db, "ASK { <urn:a> ?p ?o }")[:2] == (0, "false\n")


def test_a_service_on_the_same_database_keeps_its_snapshot(mini_db, client, capsysbinary):
    """The command and a service in one process (the tests, an embedding): the command's
    snapshot never takes the place of the service's, and leaves nothing behind."""
    assert client.get("/sparql", params={"query": NAMES, "format": "csv"}).status_code == 200
    before = sorted(p.name for p in (mini_db / "snapshots").iterdir())
    assert run(capsysbinary, "--db", mini_db, "ASK { ?s ?p ?o }")[:2] == (0, "true\n")
    assert sorted(p.name for p in (mini_db / "snapshots").iterdir()) == before
    r = client.get("/sparql", params={"query": NAMES, "format": "csv"})
    assert r.status_code == 200 and len(r.text.splitlines()) == 3, r.text


def test_missing_database(tmp_path, capsysbinary):
    rc, out, err = run(capsysbinary, "--db", tmp_path / "none", "ASK {}")
    assert rc == 2 and not out and "no database" in err and len(err.strip().splitlines()) == 1


def test_the_service_caps_apply(mini_db, capsysbinary, monkeypatch):
    monkeypatch.setenv("BUDGETKG_SPARQL_MAX_ROWS", "1")
    rc, out, err = run(capsysbinary, "--db", mini_db, "--format", "csv", NAMES)
    assert rc == 0
    assert len(out.splitlines()) == 2 and "cut at 1 rows" in err
    monkeypatch.setenv("BUDGETKG_SPARQL_MAX_CHARS", "40")
    rc, out, err = run(capsysbinary, "--db", mini_db, NAMES)
    assert rc == 2 and "(query_too_large)" in err, err


def test_list_and_lookup_of_examples(capsysbinary):
    for argv in (["--list"], ["--example"]):
        rc, out, _ = run(capsysbinary, *argv)
        assert rc == 0
        assert [line.split()[0] for line in out.splitlines()] == [e["name"] for e in EXAMPLES]
    rc, _, err = run(capsysbinary, "--example", "no-such-example")
    assert rc == 2 and "no example query" in err
    rc, _, err = run(capsysbinary, "--example", "08", "ASK {}")
    assert rc == 2 and "not both" in err


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_every_example_runs_by_number(sample_db, capsysbinary, monkeypatch, example):
    monkeypatch.setenv("BUDGETKG_SPARQL_TIMEOUT_S", "60")  # a loaded test machine, not the query's fault
    number = example["name"].split("_", 1)[0]
    rc, out, err = run(capsysbinary, "--db", sample_db, "--format", "json", "--example", number)
    assert rc == 0, err
    body = json.loads(out)
    if "boolean" in body:
        assert body["boolean"] is True
    elif "results" in body:
        assert body["results"]["bindings"], f"{example['name']}: no rows on the sample corpus"
    else:
        assert body, f"{example['name']}: no triples"
    rc, out, err = run(capsysbinary, "--db", sample_db, "--example", example["name"])
    assert rc == 0 and out.strip(), err
