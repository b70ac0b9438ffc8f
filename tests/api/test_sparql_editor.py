"""The /sparql page's editor, server side: CodeMirror from this host (the committed bundle,
never a CDN) admitted by a fresh style nonce while scripts stay 'self'; the completion
vocabulary read from the ontology; the chart of a two-column numeric result drawn as inline
SVG (no JavaScript needed). The browser side is tests/api/test_browser_editor.py."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import rdflib

from api.sparql_chart import bar_chart

ROOT = Path(__file__).resolve().parents[2]
P = "PREFIX bkg: <https://w3id.org/budgetkg/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def _csp(r) -> dict[str, list[str]]:
    return {p.split()[0]: p.split()[1:] for p in r.headers["content-security-policy"].split(";") if p.strip()}


def test_the_editor_page_loads_codemirror_from_here_with_a_fresh_style_nonce(client):
    seen = set()
    for _ in range(2):
        r = client.get("/sparql", headers={"accept": "text/html"})
        assert r.status_code == 200
        csp = _csp(r)
        assert csp["script-src"] == ["'self'"]  # no script is admitted by the nonce
        [nonce] = re.findall(r'<script src="/static/editor.js" nonce="([^"]+)"', r.text)
        assert csp["style-src"] == ["'self'", f"'nonce-{nonce}'"] and len(nonce) >= 16
        seen.add(nonce)
        scripts = re.findall(r'<script src="([^"]+)"', r.text)
        assert "/static/vendor/codemirror-sparql.min.js" in scripts
        for src in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', r.text):
            assert src.startswith("/static/"), src
            asset = client.get(src)
            assert asset.status_code == 200 and asset.content, src
    assert len(seen) == 2
    # other pages keep the plain policy
    assert _csp(client.get("/policies", headers={"accept": "text/html"}))["style-src"] == ["'self'"]


def test_the_bundle_is_built_from_the_locked_packages():
    lock = json.loads((ROOT / "tools/editor/package-lock.json").read_text())
    names = {k.removeprefix("node_modules/") for k in lock["packages"]}
    assert {"codemirror", "@codemirror/legacy-modes", "@codemirror/autocomplete", "@codemirror/view"} <= names
    bundle = (ROOT / "api/static/vendor/codemirror-sparql.min.js").read_text(encoding="utf-8")
    assert "BudgetKGCodeMirror" in bundle and "cspNonce" in bundle
    assert "make editor" in (ROOT / "api/static/vendor/README.md").read_text(encoding="utf-8")
    assert re.search(r"(?m)^editor:", (ROOT / "Makefile").read_text())


def _vocab(client) -> dict:
    html = client.get("/sparql", headers={"accept": "text/html"}).text
    return json.loads(unescape(re.search(r"data-vocab='([^']*)'", html).group(1)))


def test_completion_offers_every_ontology_term_with_its_label(client):
    vocab = _vocab(client)
    assert vocab["prefixes"]["bkg"] == "https://w3id.org/budgetkg/def#"
    by_iri = {t["iri"]: t for t in vocab["terms"]}
    g = rdflib.Graph().parse(ROOT / "ontology/budget.ttl")
    defined = {s for kind in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
               for s in g.subjects(rdflib.RDF.type, kind) if str(s).startswith("https://w3id.org/budgetkg/def#")}
    assert len(defined) > 20
    for s in defined:
        t = by_iri.get(str(s))
        assert t, f"{s} is not offered"
        zh = [str(o) for o in g.objects(s, rdflib.RDFS.label) if getattr(o, "language", None) == "zh"]
        assert t["name"] == "bkg:" + str(s).split("#")[1] and t["label"] == (zh[0] if zh else t["label"])
        assert t["kind"] == ("class" if (s, rdflib.RDF.type, rdflib.OWL.Class) in g else "property")
    assert by_iri["https://w3id.org/budgetkg/def#Agency"]["label"] == "预算单位"
    assert "rdfs:label" in {t["name"] for t in vocab["terms"]}  # the outside terms the graph uses
    assert client.get("/sparql", params={"format": "json"}).json()["vocabulary"] == vocab  # the editor's JSON twin


def test_a_two_column_numeric_result_is_charted_as_inline_svg(client):
    q = P + "SELECT ?file ?income WHERE { ?d bkg:sourceFile ?file ; bkg:totalIncome ?income } ORDER BY ?file"
    html = client.get("/sparql", params={"query": q}, headers={"accept": "text/html"}).text
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "test_a.pdf：12,345,600" in svg
    assert svg.count("<rect") == 2
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] / widths[1] == pytest.approx(12345600 / 9000000, rel=0.01)
    # not a chart: a text second column, or more than two columns
    for other in (P + "SELECT ?file ?kind WHERE { ?d bkg:sourceFile ?file ; bkg:documentKind ?kind }",
                  P + "SELECT ?file ?kind ?income WHERE { ?d bkg:sourceFile ?file ; bkg:documentKind ?kind ; "
                      "bkg:totalIncome ?income }"):
        page = client.get("/sparql", params={"query": other}, headers={"accept": "text/html"}).text
        assert "results-table" in page and "<svg" not in page


def test_bar_chart_geometry_with_negative_values_and_many_rows():
    dec = "http://www.w3.org/2001/XMLSchema#decimal"
    rows = [[{"type": "literal", "value": f"行{i}"}, {"type": "literal", "value": str(v), "datatype": dec}]
            for i, v in enumerate([100, -50, 25] + [1] * 60)]
    chart = bar_chart({"kind": "select", "variables": ["k", "v"], "rows": rows})
    bars = chart["bars"]
    assert len(bars) == 40 and chart["omitted"] == 23
    assert bars[1]["negative"] and bars[1]["x"] + bars[1]["w"] == pytest.approx(chart["zero"], abs=0.2)  # left of zero
    assert bars[0]["x"] == chart["zero"] and bars[0]["w"] == pytest.approx(2 * bars[1]["w"], abs=0.2)
    assert bar_chart({"kind": "select", "variables": ["k", "v"], "rows": rows[:1]}) is None  # one row: nothing to compare
    text = [[r[0], {"type": "literal", "value": "x"}] for r in rows]
    assert bar_chart({"kind": "select", "variables": ["k", "v"], "rows": text}) is None
