"""CSV downloads of what the pages show as tables: the list pages (every row, not one page
of them) and answers that are lists.

A row is the page's JSON twin item, flattened the same way for every list so a new column
in a view shows up here without a change: a link becomes its label and `_iri`, an amount
its exact `_yuan` and the `_wan` figure the page shows, a list its items joined by "；".
Files start with a UTF-8 byte-order mark: spreadsheet programs (Excel, WPS) read a CSV
without one in the local code page, which turns Chinese into mojibake; csv readers and
pandas skip it (encoding utf-8-sig)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from urllib.parse import quote

from fastapi.responses import Response

BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"
SKIP = {"href"}  # where the page links to: the IRI column says the same


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (list, tuple)):
        return "；".join(_cell(x.get("label") if isinstance(x, dict) else x) for x in v)
    if isinstance(v, dict):
        return _cell(v.get("label") or v.get("display") or v.get("iri"))
    return str(v)


def flatten(item: dict) -> dict[str, list[tuple[str, str]]]:
    """One row: for each key of the item, its (column, text) pairs (module docstring)."""
    row: dict[str, list[tuple[str, str]]] = {}
    for k, v in item.items():
        if k in SKIP:
            continue
        if v is None:  # its columns are named by the items that have one (items_csv)
            row[k] = []
        elif isinstance(v, dict) and "iri" in v:  # a link to another page
            row[k] = [(k, _cell(v.get("label"))), (f"{k}_iri", _cell(v.get("iri")))]
        elif isinstance(v, dict) and "yuan" in v:  # an amount
            row[k] = [(f"{k}_yuan", _cell(v.get("yuan"))), (f"{k}_wan", _cell(v.get("wan")))]
        else:
            row[k] = [(k, _cell(v))]
    return row


def items_csv(items: list[dict]) -> bytes:
    """Every column any item has, in the items' key order: an item without a link or an
    amount (None) leaves that column blank, the others give it its place."""
    rows = [flatten(it) for it in items]
    cols: dict[str, list[str]] = {}
    for r in rows:
        for k, pairs in r.items():
            have = cols.setdefault(k, [])
            have += [c for c, _ in pairs if c not in have]
    header = [c for k, have in cols.items() for c in (have or [k])]
    cells = [{c: v for pairs in r.values() for c, v in pairs} for r in rows]
    return table_csv(header, [[cell.get(c, "") for c in header] for cell in cells])


def table_csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    buf.write(BOM)
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue().encode("utf-8")


def csv_response(body: bytes, filename: str) -> Response:
    # the ASCII name for old clients, the RFC 5987 one for the rest (a Chinese question)
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return Response(body, media_type=MEDIA_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})


def answer_table(result: dict) -> tuple[list[str], list[list]]:
    """An answer with no query behind it as rows: one per item of its value (a single value
    is one row), with the evidence beside each item when there is one item of evidence for
    each (a list answer's evidence is per item; otherwise it would be a guess)."""
    value = result.get("value")
    items = [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]
    evidence = [e for e in result.get("evidence") or [] if isinstance(e, dict)]
    aligned = bool(items) and len(evidence) == len(items)
    header = ["value", "unit"] + (["source_file", "page", "quote"] if aligned else [])
    rows = []
    for i, v in enumerate(items):
        row = [v, result.get("unit")]
        if aligned:
            row += [evidence[i].get("source_file"), evidence[i].get("page"), evidence[i].get("quote")]
        rows.append(row)
    return header, rows
