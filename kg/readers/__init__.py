"""Readers: a file on disk -> kg.document.Document, the only producers of the document model.

`dispatch` is the one entry point (`read_document(path)`: sniffing, size limit, decoding,
then the text or PDF reader; `not_a_disclosure(doc)`: the content rule for files that read
but are no budget disclosure). `text` reads .txt/.md exports, `pdf` reads PDFs (with
`pdf_pdfium`, `pdf_layout`, `pdf_tables`, `pdf_align`); `cells` holds the table-cell helpers
both readers cut tables with.
"""

from __future__ import annotations

from kg.readers.dispatch import not_a_disclosure, read_document

__all__ = ["not_a_disclosure", "read_document"]
