"""Hand-made disclosures for the search tests: documents built in code (no corpus text),
their graphs written straight into an in-memory-free on-disk Oxigraph store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kg.archive import DocumentArchive
from kg.document import Document, Heading, Page, Paragraph, Table
from kg.store import BKG, ID, open_store

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT_REF = "http://purl.org/dc/terms/references"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"


def make_doc(name: str, topic: str, extra: list[str] = (), year_word: str = "2024") -> Document:
    """A small disclosure about `topic`, with a heading path, paragraphs and a table."""
    paras = [
        f"本单位主要负责{topic}相关工作，组织实施{topic}的日常管理。",
        f"{year_word}年重点推进{topic}服务便民化，提高群众满意度；加强资金监管，确保资金安全。",
        "全年安排工作人员培训两次，完善内部控制制度。",
        *extra,
    ]
    blocks1 = [Heading(1, "第一部分 部门概况", 1), Heading(2, "一、主要职责", 1)] + [Paragraph(p, 1) for p in paras]
    table = Table(header=[["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                  rows=[["2080501", "行政单位离退休", "123.45", "100.00", "23.45"],
                        ["2010301", "行政运行", "56.00", "56.00", ""]],
                  page=2, title="一般公共预算支出表", unit="万元")
    blocks2 = [Heading(1, "第二部分 收支情况", 2), Heading(2, "一、支出表", 2), table]
    text = name + topic + "".join(extra)
    sha = hashlib.sha256(text.encode()).hexdigest()
    return Document(name, sha, [Page(1, blocks1), Page(2, blocks2)])


def graph_nt(doc: Document, year: int, kind: str, agency: str, projects: list[str] = (),
             policies: list[str] = ()) -> tuple[str, str]:
    g = f"{ID}disclosure/{doc.sha256[:16]}"
    a = f"{ID}agency/{hashlib.sha1(agency.encode()).hexdigest()[:10]}"
    lines = [f'<{g}> <{RDF_TYPE}> <{BKG}Disclosure> .', f'<{g}> <{BKG}sourceFile> "{doc.source_file}" .',
             f'<{g}> <{BKG}sha256> "{doc.sha256}" .', f'<{g}> <{BKG}fiscalYear> "{year}"^^<{XSD_INT}> .',
             f'<{g}> <{BKG}documentKind> "{kind}" .', f'<{g}> <{BKG}reportingAgency> <{a}> .',
             f'<{a}> <{RDF_TYPE}> <{BKG}Agency> .', f'<{a}> <{RDFS_LABEL}> "{agency}"@zh .']
    for p in projects:
        pi = f"{ID}project/{hashlib.sha1((doc.sha256 + p).encode()).hexdigest()[:10]}"
        lines += [f'<{pi}> <{RDF_TYPE}> <{BKG}Project> .', f'<{pi}> <{RDFS_LABEL}> "{p}"@zh .']
    for n in policies:
        pol = f"{ID}policy/{hashlib.sha1(n.encode()).hexdigest()[:10]}"
        lines += [f'<{pol}> <{RDF_TYPE}> <{BKG}Policy> .', f'<{pol}> <{BKG}documentNumber> "{n}" .',
                  f'<{g}> <{DCT_REF}> <{pol}> .']
    return g, "\n".join(lines)


TOPICS = [
    ("a_budget.txt", "养老保险待遇发放", 2024, "budget", "甲市社会保险管理局", ["养老待遇资格认证专项"], ["财社〔2016〕101号"],
     ["依据财社【2016】101 号文件，对退休人员开展资格认证，防止冒领养老金。"]),
    ("b_budget.txt", "公共就业创业服务", 2024, "budget", "乙县就业服务中心", ["就业见习补贴项目"], [],
     ["为高校毕业生提供就业见习岗位，发放见习补贴。"]),
    ("c_final.txt", "医疗保障基金结算", 2023, "final_account", "丙市医疗保障局", ["异地就医结算系统运维"], [],
     ["完成异地就医直接结算系统的运行维护，保障参保人跨省看病报销。"]),
]


def add_topic(db: Path, store, spec) -> Document:
    name, topic, year, kind, agency, projects, policies, extra = spec
    doc = make_doc(name, topic, extra, str(year))
    DocumentArchive(db).put(doc)
    g, nt = graph_nt(doc, year, kind, agency, projects, policies)
    store.replace_graph(g, nt)
    return doc


@pytest.fixture
def small_db(tmp_path):
    """(db path, open store, documents) with the three hand-made disclosures, not yet indexed."""
    db = tmp_path / "db"
    store = open_store(db)
    docs = [add_topic(db, store, spec) for spec in TOPICS]
    yield db, store, docs
    store.close()


@pytest.fixture
def add_disclosure():
    """add_disclosure(db, store, spec) → Document; spec as in TOPICS."""
    return add_topic


@pytest.fixture
def topics():
    return TOPICS


@pytest.fixture
def disclosure_graph():
    """disclosure_graph(doc, year, kind, agency, projects, policies) → (graph IRI, N-Triples)."""
    return graph_nt


@pytest.fixture
def document_maker():
    """document_maker(name, topic, extra) → Document (see make_doc)."""
    return make_doc
