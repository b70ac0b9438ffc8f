"""Acceptance of issue "Foundation": the PDF reader recovers the same table figures as
the text reader, for each of the four disclosures in ../shared/corpus that exist both as
a text export and as a PDF.

A numeric cell of the TXT model counts as matched when the PDF model has the same value
(as printed, whitespace and width normalized) in the same row (same row label) of the
matching table. Tables are matched by caption (a caption covers the untitled tables
after it); where the TXT table has no caption, or no PDF table carries it, by the PDF
table sharing the most (label, value) pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from kg.document import Document, Table
from kg.readers.cells import is_amount, is_percent

THRESHOLD = 0.98


def norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def is_number(s: str) -> bool:
    s = norm(s)
    return bool(s) and (is_amount(s) or is_percent(s))


def row_label(row: list[str]) -> str:
    """The first non-numeric, non-empty cell of the row (codes and amounts are values)."""
    return next((norm(c) for c in row if norm(c) and not is_number(c)), "")


def cell_pairs(table: Table) -> Counter:
    """(row label, value) for every numeric cell, header rows included (some forms put
    figures in the rows a reader takes as header)."""
    pairs: Counter = Counter()
    for row in table.header + table.rows:
        label = row_label(row)
        for c in row:
            if is_number(c):
                pairs[(label, norm(c))] += 1
    return pairs


def _title(t: Table) -> str:
    return norm(t.title or "")


def parity(txt: Document, pdf: Document) -> tuple[int, int, list[str]]:
    """(matched, total, examples of unmatched cells)."""
    pdf_tables = pdf.tables()
    # A caption names the table under it and the untitled tables that follow it: parts
    # the reader kept apart because their columns differ (a form whose grid changes
    # from one page to the next).
    by_title: dict[str, Counter] = {}
    current = None
    for t in pdf_tables:
        if _title(t):
            current = by_title.setdefault(_title(t), Counter())
        if current is not None:
            current.update(cell_pairs(t))
    matched = total = 0
    missing: list[str] = []
    for t in txt.tables():
        want = cell_pairs(t)
        if not want:
            continue
        total += sum(want.values())
        candidates = []
        if _title(t) in by_title:
            candidates.append(by_title[_title(t)])
        candidates.extend(cell_pairs(p) for p in pdf_tables)
        best = max(candidates, key=lambda have: sum((want & have).values()))
        hit = want & best
        matched += sum(hit.values())
        for (label, value), n in (want - hit).items():
            missing.append(f"{t.title or '(untitled)'}: {label} = {value}" + (f" ×{n}" if n > 1 else ""))
    return matched, total, missing


@pytest.fixture(scope="module")
def pairs(corpus_txt, corpus_pdf):
    from kg.readers.dispatch import read_document

    pdf_by_stem = {p.stem: p for p in corpus_pdf}
    out = []
    for txt_path in corpus_txt:
        pdf_path = pdf_by_stem[txt_path.stem]
        out.append((txt_path.stem, read_document(txt_path), read_document(pdf_path)))
    return out


def test_pdf_tables_match_text_tables(pairs):
    lines = []
    failures = []
    for stem, txt, pdf in pairs:
        matched, total, missing = parity(txt, pdf)
        share = matched / total if total else 0.0
        line = f"{stem}: {matched}/{total} numeric cells matched ({share:.1%})"
        print(line)
        lines.append(line)
        if total == 0 or share < THRESHOLD:
            failures.append(line + "; e.g. " + "; ".join(missing[:8]))
    assert not failures, "\n".join(["parity below 98%:"] + failures + ["all:"] + lines)


def test_parity_measure_rejects_a_different_document(pairs):
    """The measure can fail: one disclosure's text against another's PDF scores low."""
    (_, txt, _), (_, _, other_pdf) = pairs[0], pairs[1]
    matched, total, _ = parity(txt, other_pdf)
    assert total and matched / total < 0.5
