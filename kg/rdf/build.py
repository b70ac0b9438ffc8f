"""Facts → RDF: one graph per disclosure, complete on its own.

`build_graph(doc)` is pure. The graph describes the disclosure and everything it mentions,
shared entities included (agency labels, parent bureau, policies, SKOS concepts with
notation/prefLabel/broader/inScheme), so the union of all graphs is complete and dropping
one disclosure leaves exactly what the others assert.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef

from kg import vocab as V
from kg.checks.graph import add_finding
from kg.document import Document
from kg.extract import extract
from kg.extract.base import Facts, Figure, Prov
from kg.extract.header import same_org
from kg.publication import Layout, single
from kg.rdf.iris import (
    agency_iri,
    citation_iri,
    concept_iri,
    disclosure_iri,
    figure_iri,
    file_iri,
    instalment_iri,
    line_iri,
    named_concept_iri,
    named_key,
    policy_iri,
    project_iri,
    report_iri,
    table_reading_iri,
    target_iri,
    unit_iri,
)
from kg.report import CONTENT_FULL, ReadingReport, reading_report
from ontology.namespace import BKG, DCTERMS, ORG, PROV, QB, RDF, RDFS, SKOS, XSD

SCHEMES = {"functional": BKG.FunctionalClassification, "economic": BKG.EconomicClassification,
           "gov_economic": BKG.GovernmentEconomicClassification}
TOTAL_TERMS = {m.key: m.term for m in V.MONEY_MEASURES}
STAFF_TERMS = {m.key: m.term for m in V.STAFF_MEASURES}


def money(v: Decimal) -> Literal:
    return Literal(f"{v:f}", datatype=XSD.decimal)


def zh(s: str) -> Literal:
    return Literal(s, lang="zh")


def _prov(g: Graph, node: URIRef, p: Prov) -> None:
    if p.page:
        g.add((node, BKG.page, Literal(int(p.page))))
    if p.table:
        g.add((node, BKG.tableTitle, Literal(p.table)))
    if p.row:
        g.add((node, BKG.rowNumber, Literal(int(p.row))))


@dataclass
class Built:
    """A disclosure's graph and what it was built from."""

    iri: str
    graph: Graph
    facts: Facts
    report: ReadingReport | None  # None for a blank template: no disclosure to report on
    layout: Layout


def build(doc: Document, layout: Layout | None = None) -> Built:
    """Extract `doc` and build its graph. `layout` says which files it was read from (a
    publication set's combined document, kg.publication); by default the document's own file."""
    f = extract(doc)
    report = None if f.template else reading_report(doc, f)
    layout = layout or single(doc, report.content if report else CONTENT_FULL)
    iri, g = facts_to_graph(doc, f, report, layout)
    return Built(iri, g, f, report, layout)


def facts_identity(f: Facts) -> tuple[str, ...]:
    """(agency IRI, year, kind, scope) as the graph states them (kg.pipeline.IDENTITY)."""
    return (str(agency_iri(f.agency)) if f.agency and not f.template else "", str(f.fiscal_year or ""), f.kind,
            "template" if f.template else f.scope)


def build_publication(docs: list[tuple[Document, str]], names: tuple[str, ...] = ()) -> Built:
    """One disclosure read from several files (kg.publication): `docs` are (document, content)
    pairs; they are laid end to end, extracted once, and keyed by the identity read from them.
    `names` are the agency's names each file printed on its own (the halves were paired on
    them): every one is kept as an altLabel of the agency the pair is read as."""
    from kg.publication import combine, set_key

    doc, layout = combine(docs, "")
    f = extract(doc)
    if f.agency and not f.template:
        f.agency_aliases += [n for n in dict.fromkeys(names) if n and n != f.agency and n not in f.agency_aliases]
    doc.sha256 = set_key(facts_identity(f))
    report = None if f.template else reading_report(doc, f)
    iri, g = facts_to_graph(doc, f, report, layout)
    return Built(iri, g, f, report, layout)


def build_graph(doc: Document) -> tuple[str, Graph]:
    b = build(doc)
    return b.iri, b.graph


def _agency(g: Graph, name: str, city: str | None = None) -> URIRef:
    a = agency_iri(name)
    g.add((a, RDF.type, BKG.Agency))
    g.add((a, RDF.type, ORG.FormalOrganization))
    g.add((a, RDFS.label, zh(name)))
    if city:
        g.add((a, BKG.cityOrCounty, Literal(city)))
    return a


def facts_to_graph(doc: Document, f: Facts, report: ReadingReport | None = None,
                   layout: Layout | None = None) -> tuple[str, Graph]:
    g = Graph()
    d = disclosure_iri(doc.sha256)
    g.add((d, RDF.type, BKG.Disclosure))
    g.add((d, RDF.type, PROV.Entity))
    _files(g, d, layout or single(doc, report.content if report else CONTENT_FULL))
    g.add((d, BKG.documentKind, Literal(f.kind)))
    # a blank template is no agency's disclosure: its scope says so and the reader is told
    g.add((d, BKG.disclosureScope, Literal("template" if f.template else f.scope)))
    if f.unit:
        g.add((d, BKG.amountUnit, Literal(f.unit)))
    if f.fiscal_year:
        g.add((d, BKG.fiscalYear, Literal(f.fiscal_year)))
    label = " ".join(x for x in (f.agency, f"{f.fiscal_year}年" if f.fiscal_year else None,
                                 V.KIND_WORDS[f.kind]) if x)
    g.add((d, RDFS.label, zh(label)))
    for w in list(doc.warnings) + f.warnings:
        g.add((d, BKG.warning, Literal(w)))
    if f.template:
        g.add((d, BKG.isTemplate, Literal(True)))
        doc.warnings.extend(w for w in f.warnings if w not in doc.warnings)  # printed by `budgetkg ingest`
        return str(d), g
    if report is not None:
        _report(g, d, report, layout or single(doc, report.content))
    agency = None
    if f.agency:
        agency = _agency(g, f.agency, f.city)
        g.add((d, BKG.reportingAgency, agency))
        for alt in f.agency_aliases:
            if alt != f.agency:
                g.add((agency, SKOS.altLabel, zh(alt)))
        if f.unit_code:
            g.add((agency, BKG.unitCode, Literal(f.unit_code)))
        if f.parent:
            parent = _agency(g, f.parent, f.city)
            g.add((agency, ORG.subOrganizationOf, parent))
            for alt in f.parent_aliases:
                g.add((parent, SKOS.altLabel, zh(alt)))
            if f.parent_code:
                g.add((parent, BKG.unitCode, Literal(f.parent_code)))
        for name in f.internal_units:
            u = unit_iri(f.agency, name)
            g.add((u, RDF.type, ORG.OrganizationalUnit))
            g.add((u, RDFS.label, zh(name)))
            g.add((u, ORG.unitOf, agency))
            g.add((agency, ORG.hasUnit, u))
        for name in f.member_units:
            # a unit the department's disclosure covers (单位构成): a sub-organization of it
            g.add((_agency(g, name, f.city), ORG.subOrganizationOf, agency))
        for name, code in f.subordinates.items():
            sub = _agency(g, name, f.city)
            g.add((sub, ORG.subOrganizationOf, agency if f.scope == "department" and not f.parent else
                   (agency_iri(f.parent) if f.parent else agency)))
            if code:
                g.add((sub, BKG.unitCode, Literal(code)))
    for key, n in f.staff.items():
        g.add((d, STAFF_TERMS[key], Literal(n)))
    for key, fig in f.totals.items():
        g.add((d, TOTAL_TERMS[key], money(fig.value)))
    _figure_provenance(g, d, f.totals)

    # classification lines and their concepts
    for ln in f.lines:
        c = concept_iri(ln.scheme, ln.code) if ln.code else named_concept_iri(ln.scheme, ln.name)
        g.add((c, RDF.type, SKOS.Concept))
        if ln.code:
            g.add((c, SKOS.notation, Literal(ln.code)))
        if ln.name:
            g.add((c, SKOS.prefLabel, zh(ln.name)))
        g.add((c, SKOS.inScheme, SCHEMES[ln.scheme]))
        g.add((SCHEMES[ln.scheme], RDF.type, SKOS.ConceptScheme))
        # (an item printed by name only has no code to place it in the scheme by)
        if len(ln.code) > 3:
            parent = concept_iri(ln.scheme, ln.code[:-2])
            g.add((c, SKOS.broader, parent))
            g.add((parent, RDF.type, SKOS.Concept))
            g.add((parent, SKOS.notation, Literal(ln.code[:-2])))
            g.add((parent, SKOS.inScheme, SCHEMES[ln.scheme]))
        elif ln.code:
            g.add((c, SKOS.topConceptOf, SCHEMES[ln.scheme]))
        if ln.amount is None:
            continue
        node = line_iri(doc.sha256, ln.scheme, ln.code or named_key(ln.key), ln.figure_type)
        g.add((node, RDF.type, BKG.BudgetLine))
        g.add((node, RDF.type, QB.Observation))
        g.add((node, BKG.disclosure, d))
        g.add((node, BKG.classification, c))
        g.add((node, BKG.amount, money(ln.amount)))
        g.add((node, BKG.figureType, Literal(ln.figure_type)))
        g.add((node, PROV.wasDerivedFrom, d))
        for k, v in ln.splits.items():
            g.add((node, TOTAL_TERMS[k], money(v)))
        _prov(g, node, ln.prov)

    # projects
    pnodes = {}
    for p in f.projects:
        node = project_iri(doc.sha256, p.key)
        pnodes[p.key] = node
        g.add((node, RDF.type, BKG.Project))
        g.add((node, RDFS.label, zh(p.name)))
        for alt in p.alt_names:
            g.add((node, SKOS.altLabel, zh(alt)))
        if p.amount is not None:
            g.add((node, BKG.amount, money(p.amount)))
        if p.category:
            g.add((node, BKG.category, Literal(p.category)))
        if p.basis:
            g.add((node, BKG.projectBasis, Literal(p.basis)))
        for q, v in sorted(p.plan.items()):
            inst = instalment_iri(doc.sha256, p.key, q)
            g.add((node, BKG.plannedInstalment, inst))
            g.add((inst, RDF.type, BKG.PlanInstalment))
            g.add((inst, BKG.quarter, Literal(q)))
            g.add((inst, BKG.amount, money(v)))
        for n, tf in enumerate(p.targets, 1):
            tnode = target_iri(doc.sha256, p.key, n)
            g.add((node, BKG.performanceTarget, tnode))
            g.add((tnode, RDF.type, BKG.PerformanceTarget))
            g.add((tnode, BKG.indicator, Literal(tf.indicator)))
            for term, v in ((BKG.indicatorLevel1, tf.level1), (BKG.indicatorLevel2, tf.level2),
                            (BKG.targetValue, tf.value)):
                if v:
                    g.add((tnode, term, Literal(v)))
            _prov(g, tnode, tf.prov)
        impl = agency
        if p.agency and f.agency and not same_org(p.agency, f.agency):
            impl = _agency(g, p.agency, f.city)
        if impl is not None:
            g.add((node, BKG.implementingAgency, impl))
        g.add((node, BKG.disclosure, d))
        g.add((node, PROV.wasDerivedFrom, d))
        _prov(g, node, p.prov)

    # policies, laws and the links
    pol_nodes = {}
    for pol in f.policies:
        node = policy_iri(pol.number, pol.title)
        pol_nodes[pol.number or "《" + (pol.title or "") + "》"] = node
        g.add((node, RDF.type, BKG.Policy))
        g.add((d, DCTERMS.references, node))
        if pol.number:
            g.add((node, BKG.documentNumber, Literal(pol.number)))
            g.add((node, BKG.issuerCode, Literal(pol.issuer)))
            g.add((node, BKG.issueYear, Literal(pol.year)))
            g.add((node, BKG.serialNumber, Literal(pol.serial)))
            g.add((node, RDFS.label, Literal(pol.number, lang="zh")))
        if pol.title:
            g.add((node, DCTERMS.title, zh(pol.title)))
            if not pol.number:
                g.add((node, RDFS.label, zh(pol.title)))
    for ln in f.links:
        proj, pol = pnodes.get(ln.project_key), pol_nodes.get(ln.policy)
        if proj is None or pol is None:
            continue
        g.add((proj, BKG.basedOnPolicy, pol))
        c = citation_iri(doc.sha256, ln.project_key, ln.policy)
        g.add((c, RDF.type, BKG.PolicyCitation))
        g.add((c, BKG.citingProject, proj))
        g.add((c, BKG.citedPolicy, pol))
        g.add((c, BKG.quote, Literal(ln.quote)))
        if ln.page:
            g.add((c, BKG.page, Literal(int(ln.page))))
        g.add((c, PROV.wasDerivedFrom, d))

    for fi in f.findings:
        add_finding(g, d, doc.sha256, fi)
    if layout is not None and layout.is_set:
        _pages_per_file(g, d, layout)
    return str(d), g


def _files(g: Graph, d: URIRef, layout: Layout) -> None:
    """Each file the disclosure was read from: bkg:sourceFile and bkg:sha256 on the disclosure
    (the contract's), and a bkg:PublicationFile node that keeps each file's name, sha256,
    content and reader versions together. The disclosure's versions are its oldest member's."""
    for m in layout.members:
        node = file_iri(d, m.sha256)
        g.add((d, BKG.sourceFile, Literal(m.source_file)))
        g.add((d, BKG.sha256, Literal(m.sha256)))
        g.add((d, BKG.mediaType, Literal(m.media_type)))
        g.add((d, BKG.hasFile, node))
        g.add((node, RDF.type, BKG.PublicationFile))
        g.add((node, BKG.fileName, Literal(m.source_file)))
        g.add((node, BKG.fileSha256, Literal(m.sha256)))
        g.add((node, BKG.fileContent, Literal(m.content)))
        g.add((node, BKG.modelVersion, Literal(m.model_version)))
        g.add((node, BKG.readerVersion, Literal(m.reader_version)))
    g.add((d, BKG.modelVersion, Literal(min(m.model_version for m in layout.members))))
    g.add((d, BKG.readerVersion, Literal(min(m.reader_version for m in layout.members))))


def _report(g: Graph, d: URIRef, report: ReadingReport, layout: Layout) -> None:
    """The reading report (kg.report) as a bkg:ReadingReport node of the disclosure; its label
    is the report's summary, pages named as a reader finds them (in their own files)."""
    r = report_iri(d)
    g.add((d, BKG.readingReport, r))
    g.add((r, RDF.type, BKG.ReadingReport))
    g.add((r, BKG.complete, Literal(report.complete)))
    g.add((r, RDFS.label, Literal(report.summary(layout.where))))
    for key in report.expected:
        g.add((r, BKG.expectedTable, Literal(key)))
    for key in report.missing:
        g.add((r, BKG.missingTable, Literal(key)))
    seen: dict[str, int] = {}
    for t in report.tables:
        seen[t.kind] = seen.get(t.kind, 0) + 1
        node = table_reading_iri(d, t.kind, seen[t.kind])
        g.add((r, BKG.tableReading, node))
        g.add((node, RDF.type, BKG.TableReading))
        g.add((node, BKG.tableKind, Literal(t.kind)))
        g.add((node, RDFS.label, zh(t.name)))
        if t.title:
            g.add((node, BKG.tableTitle, Literal(t.title)))
        for p in t.pages:
            g.add((node, BKG.page, Literal(int(p))))
        if t.reconciles is not None:
            g.add((node, BKG.reconciles, Literal(t.reconciles)))
        for problem in t.problems:
            g.add((node, BKG.problem, Literal(problem)))


def _pages_per_file(g: Graph, d: URIRef, layout: Layout) -> None:
    """A publication set's pages are counted through its combined document; each becomes the
    page in its own file, and the node names that file (bkg:fromFile)."""
    for node, _, page in list(g.triples((None, BKG.page, None))):
        member, local = layout.locate(int(page))
        g.remove((node, BKG.page, page))
        g.add((node, BKG.page, Literal(local)))
        g.add((node, BKG.fromFile, file_iri(d, member.sha256)))


def _figure_provenance(g: Graph, d: URIRef, totals: dict[str, Figure]) -> None:
    """Where each total was printed, as a qualified statement the analyst can follow:
    <d> prov:qualifiedDerivation [ bkg:page …; bkg:tableTitle …; rdfs:label "totalIncome" ]."""
    for key, fig in totals.items():
        term = TOTAL_TERMS[key]
        node = figure_iri(d, term)
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, PROV.wasDerivedFrom, d))
        g.add((node, RDFS.label, Literal(term.split("#")[-1])))
        g.add((node, BKG.amount, money(fig.value)))
        g.add((node, BKG.figureType, Literal(fig.figure_type)))
        g.add((d, PROV.hadMember, node))
        if fig.prov.quote:
            g.add((node, BKG.quote, Literal(fig.prov.quote)))
        _prov(g, node, fig.prov)
