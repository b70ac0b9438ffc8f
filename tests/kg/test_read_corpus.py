"""The four ../shared/corpus text exports read into a usable document model. Assertions
are structural (counts, shapes, numbers kept as printed), never on corpus wording."""

from __future__ import annotations

import re

import pytest

from kg.document import Document, Heading, Paragraph
from kg.readers.cells import is_amount, is_code
from kg.readers.dispatch import read_document


@pytest.fixture(scope="session")
def corpus_docs(corpus_txt) -> list[tuple[str, Document]]:
    return [(p.read_text(encoding="utf-8"), read_document(p)) for p in corpus_txt]


def test_every_text_has_its_tables(corpus_docs):
    for _raw, doc in corpus_docs:
        tables = doc.tables()
        assert len(tables) >= 10, (doc.source_file, len(tables))
        assert doc.pages and doc.pages[0].number == 1
        assert Document.from_json(doc.to_json()) == doc


def test_tables_have_titles_and_units_where_printed(corpus_docs):
    for raw, doc in corpus_docs:
        declares_unit = bool(re.search(r"单位\s*[:：]\s*(万元|元)", raw))
        for t in doc.tables():
            if not t.header:  # a headless fragment (its header page was lost in the export)
                continue
            assert t.title, (doc.source_file, t.header[0])
            has_amounts = any(is_amount(c) for r in t.rows for c in r[1:])
            if declares_unit and has_amounts:
                assert t.unit in ("万元", "元"), (doc.source_file, t.title)


def test_titles_and_units_do_not_linger_as_text(corpus_docs):
    for _, doc in corpus_docs:
        for b in doc.blocks():
            if isinstance(b, Paragraph):
                assert not re.fullmatch(r"(金额)?单位\s*[:：]\s*(万元|元)", b.text), doc.source_file
                assert not re.fullmatch(r"表\s*\d+", b.text), doc.source_file


def test_header_rows_are_labels_and_coded_rows_are_body(corpus_docs):
    for _, doc in corpus_docs:
        for t in doc.tables():
            width = t.n_cols
            for r in t.header + t.rows:
                assert len(r) == width, (doc.source_file, t.title)
            for h in t.header:
                assert not any(is_amount(c) and "." in c for c in h), (doc.source_file, t.title, h)
            if t.header and any(is_code(r[0]) for r in t.rows):
                # a classification table: its column names are distinct, non-empty paths
                names = t.column_names()
                assert all(names), (doc.source_file, t.title, names)


def test_numbers_kept_exactly_as_printed(corpus_docs):
    for raw, doc in corpus_docs:
        printed = set()
        for line in raw.splitlines():
            vals = [c.strip() for c in line.split("\t") if c.strip()]
            if "\t" in line and not all(v.isdigit() and int(v) < 40 for v in vals):  # not a column-number row
                printed.update(c.strip() for c in line.split("\t") if is_amount(c.strip()))
        cells = {c for t in doc.tables() for r in t.rows for c in r}
        separated = {n for n in printed if "," in n}
        assert separated <= cells, sorted(separated - cells)[:5]
        missing = printed - cells - {c for t in doc.tables() for r in t.header for c in r}
        assert len(missing) <= len(printed) * 0.02, sorted(missing)[:10]


def test_outline_headings(corpus_docs):
    for _, doc in corpus_docs:
        hs = [b for b in doc.blocks() if isinstance(b, Heading)]
        parts = [h.text for h in hs if h.level == 1 and h.text.startswith("第")]
        assert len(parts) >= 3, doc.source_file
        assert len(parts) == len(set(parts)), parts  # the table of contents adds no duplicates
        assert all(len(h.text) <= 50 for h in hs)
        assert any(h.level == 2 for h in hs) and any(h.level == 3 for h in hs)


def test_paragraphs_are_clean_sentences(corpus_docs):
    for _, doc in corpus_docs:
        paras = [b.text for b in doc.blocks() if isinstance(b, Paragraph)]
        assert paras
        for p in paras:
            assert "\t" not in p and "<p>" not in p and "<u>" not in p
        # a blank-line break inside a sentence is healed: no paragraph starts with a
        # lone continuation fragment like "理。" or "作，…"
        for p in paras:
            assert not re.match(r"^[\u4e00-\u9fff][。，；]", p), (doc.source_file, p[:20])
