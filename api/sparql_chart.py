"""The chart view of a SPARQL result on /sparql: a result of two columns whose second is
numeric (a label and a figure per row: totals per agency, counts per year) is drawn as
horizontal bars. The page renders it as inline SVG from this geometry, so it shows without
JavaScript and needs no style or script the page's policy refuses (colours come from
static/editor.css); the figures stay in the table below it and in each bar's <title>."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from api.sparql_vocab import compact
from ontology.namespace import XSD as _XSD

XSD = str(_XSD)  # datatypes arrive as plain strings
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                             "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
MAX_BARS = 40
WIDTH, LABEL_W, VALUE_W, BAR_H, GAP, TOP = 760, 220, 130, 18, 6, 8
MAX_LABEL = 16  # characters of a label drawn; the whole label is in the bar's <title>


def _number(t: dict | None) -> Decimal | None:
    if not t or t.get("type") != "literal" or t.get("datatype") not in NUMERIC:
        return None
    try:
        v = Decimal(t["value"])
    except (InvalidOperation, ValueError):
        return None
    return v if v.is_finite() else None


def _label(t: dict | None) -> str:
    if t is None:
        return "（空）"
    if t["type"] == "uri":
        return compact(t["value"]) or t["value"].rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return t["value"]


def _fmt(v: Decimal) -> str:
    if v == v.to_integral():
        return f"{v:,.0f}"
    return f"{v.normalize():,f}"


def bar_chart(result: dict | None) -> dict | None:
    """Bars for a two-column SELECT result whose second column is numeric in every row, or
    None. `result` is api.sparql.table()'s dict."""
    if not result or result.get("kind") != "select" or len(result.get("variables") or []) != 2:
        return None
    rows = result.get("rows") or []
    if len(rows) < 2:
        return None
    values = [_number(r[1]) for r in rows]
    if any(v is None for v in values):
        return None
    shown = list(zip(rows[:MAX_BARS], values[:MAX_BARS], strict=True))
    lo = min(Decimal(0), *(v for _, v in shown))
    hi = max(Decimal(0), *(v for _, v in shown))
    span = (hi - lo) or Decimal(1)
    area = WIDTH - LABEL_W - VALUE_W
    zero = LABEL_W + float((0 - lo) / span) * area
    bars = []
    for i, (row, v) in enumerate(shown):
        label = _label(row[0])
        end = LABEL_W + float((v - lo) / span) * area
        y = TOP + i * (BAR_H + GAP)
        bars.append({"label": label, "short": label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…",
                     "value": _fmt(v), "x": round(min(zero, end), 1), "w": round(max(abs(end - zero), 1.0), 1),
                     "y": y, "text_y": y + BAR_H - 4, "negative": v < 0})
    x, y = result["variables"]
    return {"title": f"?{y} 按 ?{x}", "x": x, "y": y, "bars": bars, "width": WIDTH, "label_w": LABEL_W,
            "value_x": WIDTH - VALUE_W + 6, "zero": round(zero, 1), "height": TOP * 2 + len(bars) * (BAR_H + GAP),
            "bar_h": BAR_H, "omitted": len(rows) - len(bars)}
