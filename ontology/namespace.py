"""The budgetkg vocabulary as an rdflib DefinedNamespace.

Import terms from here (``BKG.Disclosure``) instead of writing IRIs by hand: a typo is an
AttributeError at import time, not a silent new predicate. Keep this list in step with
ontology/budget.ttl (tests/ontology checks both directions).
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

NS = "https://w3id.org/budgetkg/def#"
ID_BASE = "https://w3id.org/budgetkg/id/"
ID = Namespace(ID_BASE)

ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")


class BKG(DefinedNamespace):
    _NS = Namespace(NS)
    _fail = True

    # --- classes (contract) ---
    Disclosure: URIRef
    Agency: URIRef
    Project: URIRef
    Policy: URIRef
    PolicyCitation: URIRef
    BudgetLine: URIRef
    Finding: URIRef
    # --- concept schemes (contract) ---
    FunctionalClassification: URIRef
    EconomicClassification: URIRef
    GovernmentEconomicClassification: URIRef

    # --- disclosure (contract) ---
    sourceFile: URIRef
    sha256: URIRef
    fiscalYear: URIRef
    documentKind: URIRef
    disclosureScope: URIRef
    reportingAgency: URIRef
    totalIncome: URIRef
    totalExpenditure: URIRef
    basicExpenditure: URIRef
    projectExpenditure: URIRef
    personnelExpenditure: URIRef
    publicExpenditure: URIRef
    threePublicExpenses: URIRef
    operatingExpenses: URIRef
    procurementBudget: URIRef
    authorizedStaff: URIRef
    actualStaff: URIRef
    retiredStaff: URIRef
    # --- agency / project / policy / citation / line (contract) ---
    unitCode: URIRef
    amount: URIRef
    category: URIRef
    implementingAgency: URIRef
    disclosure: URIRef
    basedOnPolicy: URIRef
    documentNumber: URIRef
    issuerCode: URIRef
    issueYear: URIRef
    serialNumber: URIRef
    citingProject: URIRef
    citedPolicy: URIRef
    quote: URIRef
    page: URIRef
    classification: URIRef

    # --- additions (extend, never rename) ---
    carryOverIncome: URIRef          # 上年结转结余 / 年初结转和结余
    carryForward: URIRef             # 年末(年终)结转和结余
    grandTotalIncome: URIRef         # 收入总计 (本年收入 + 结转)
    grandTotalExpenditure: URIRef    # 支出总计
    threePublicAbroad: URIRef        # 因公出国(境)费
    threePublicVehicles: URIRef      # 公务用车购置及运行费
    threePublicVehiclePurchase: URIRef
    threePublicVehicleOperation: URIRef
    threePublicReception: URIRef     # 公务接待费
    figureType: URIRef               # "budget" | "outturn" (决算数) on lines and totals
    amountUnit: URIRef               # unit the document printed ("万元", "元")
    mediaType: URIRef
    tableTitle: URIRef               # provenance: title of the table a figure came from
    rowNumber: URIRef                # provenance: 1-based body row in that table
    rule: URIRef
    findingKey: URIRef               # what a finding is about, stable across runs ("functional:20406:project")
    severity: URIRef
    expected: URIRef
    found: URIRef
    difference: URIRef
    tolerance: URIRef                # the rounding a finding allowed (yuan, or percentage points), from the printed digits
    expectedText: URIRef             # expected / found as written, for findings not about one amount
    foundText: URIRef
    warning: URIRef                  # reader / extraction warnings on a disclosure
    isTemplate: URIRef               # a blank template (XX placeholders), not a disclosure of a real agency
    cityOrCounty: URIRef

    # --- the files of a disclosure (publication sets, kg.publication) and their readers ---
    PublicationFile: URIRef          # one file a disclosure was read from
    hasFile: URIRef                  # disclosure → each of its files
    fileName: URIRef                 # a file's base name (= a bkg:sourceFile of its disclosure)
    fileSha256: URIRef
    fileContent: URIRef              # "text" | "tables" | "full"
    fromFile: URIRef                 # the file whose pages a node's bkg:page counts (publication sets)
    modelVersion: URIRef             # kg.document.MODEL_VERSION the document was read into
    readerVersion: URIRef            # kg.document.READER_VERSION of the reader that read it

    # --- a project's own fields: 立项依据, 用款计划 by quarter, performance targets ---
    projectBasis: URIRef             # 立项依据 as the project table prints it
    PlanInstalment: URIRef           # one quarter of a project's spending plan
    plannedInstalment: URIRef        # project → each quarter of its plan
    quarter: URIRef                  # 1-4
    PerformanceTarget: URIRef        # one target of a project's performance-target table
    performanceTarget: URIRef        # project → each of its targets
    indicatorLevel1: URIRef          # 一级指标
    indicatorLevel2: URIRef          # 二级指标
    indicator: URIRef                # 三级指标: what is measured
    targetValue: URIRef              # 指标值 as printed ("≥98%")

    # --- the reading report (kg.report) ---
    ReadingReport: URIRef
    readingReport: URIRef            # disclosure → its report
    complete: URIRef                 # every expected table read and every table reconciles
    expectedTable: URIRef            # a standard table's kind (kg.vocab.TableKind.key) the disclosure must publish
    missingTable: URIRef             # an expected kind not found
    TableReading: URIRef             # one standard table as read: kind, title, pages, reconciliation
    tableReading: URIRef
    tableKind: URIRef
    reconciles: URIRef
    problem: URIRef                  # why a table does not reconcile


# The W3C vocabularies the graph uses, as rdflib defines them (closed namespaces: a typo is an
# AttributeError), re-exported so every IRI comes from this module.
__all__ = ["BKG", "DCTERMS", "ID", "ID_BASE", "NS", "ORG", "OWL", "PREFIXES", "PROV", "QB", "RDF", "RDFS", "SKOS",
           "SPARQL_RESULTS", "XSD", "prologue"]

# The prefixes every serialization, query prologue and page uses (plain strings: SPARQL
# text and pyoxigraph take them as they are).
PREFIXES = {
    "bkg": NS,
    "id": ID_BASE,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "org": str(ORG),
    "skos": str(SKOS),
    "qb": str(QB),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
}


# The XML namespace of SPARQL query results (application/sparql-results+xml).
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"


def prologue(*names: str, sep: str = "\n") -> str:
    """SPARQL PREFIX lines for the named prefixes (all of PREFIXES when none is named)."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>{sep}" for p in (names or PREFIXES))
