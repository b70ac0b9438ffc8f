"""A finding as a bkg:Finding node in its disclosure's graph (kg.rdf.build calls this)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from kg.extract.base import FindingFact
from kg.rdf.iris import finding_iri
from ontology.namespace import BKG, PROV, RDF, RDFS, XSD


def _money(v) -> Literal:
    return Literal(f"{v:f}", datatype=XSD.decimal)


def add_finding(g: Graph, d: URIRef, sha256: str, fi: FindingFact) -> URIRef:
    node = finding_iri(sha256, fi.rule, fi.where or fi.comment)
    g.add((node, RDF.type, BKG.Finding))
    g.add((node, BKG.disclosure, d))
    g.add((node, BKG.rule, Literal(fi.rule)))
    if fi.where:
        g.add((node, BKG.findingKey, Literal(fi.where)))
    g.add((node, BKG.severity, Literal(fi.severity)))
    g.add((node, RDFS.comment, Literal(fi.comment, lang="zh")))
    if fi.expected is not None:
        g.add((node, BKG.expected, _money(fi.expected)))
    if fi.found is not None:
        g.add((node, BKG.found, _money(fi.found)))
        if fi.expected is not None:
            g.add((node, BKG.difference, _money(fi.found - fi.expected)))
    if fi.tolerance is not None:
        g.add((node, BKG.tolerance, _money(fi.tolerance)))
    if fi.expected_text:
        g.add((node, BKG.expectedText, Literal(fi.expected_text)))
    if fi.found_text:
        g.add((node, BKG.foundText, Literal(fi.found_text)))
    for p in fi.pages:
        g.add((node, BKG.page, Literal(int(p))))
    g.add((node, PROV.wasDerivedFrom, d))
    return node
