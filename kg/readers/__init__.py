"""Readers: a file on disk -> kg.document.Document, the only producers of the document model.

`dispatch` is the one entry point (`read_document(path)`: sniffing, size limit, then the
text or PDF reader; `not_a_disclosure(doc)`: the content rule for files that read but are no
budget disclosure). Text exports: `encoding` (bytes -> text), `text` (lines -> headings and
paragraphs), `text_tables` (tab, HTML, LaTeX and markdown tables). PDFs: `pdf` (with
`pdf_pdfium`, `pdf_layout`, `pdf_tables`, `pdf_align`). Shared by both: `outline` (the outline
and heading rules, which extraction uses too) and `cells` (table-cell helpers).
"""

from __future__ import annotations

from kg.readers.dispatch import not_a_disclosure, read_document

__all__ = ["not_a_disclosure", "read_document"]
