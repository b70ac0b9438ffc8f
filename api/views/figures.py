"""Charts as data: what a chart shows (its title, the categories along its axis, one series
of amounts per legend entry) in one dict. The page renders the dict as a table beside the
chart and api/charts.py renders the same dict as the SVG at `src`, so the table always holds
the chart's figures."""

from __future__ import annotations

from api.views.amounts import money
from api.views.links import href
from kg.vocab import WAN_YUAN

STYLES = ("bar", "stacked", "hbar")


def chart_src(iri: str, name: str) -> str | None:
    page = href(iri)
    return f"{page}/chart/{name}.svg" if page else None


def chart(name: str, iri: str, title: str, x_labels, series, style: str = "bar", x_title: str = "") -> dict:
    """`series` is [(legend label, [yuan or None per x label])]; amounts stay exact (Decimal
    yuan and the 万元 display), the SVG plots the 万元 figure."""
    assert style in STYLES, style
    x_labels = [str(x) for x in x_labels]
    spec = {"name": name, "src": chart_src(iri, name), "title": title, "style": style, "unit": WAN_YUAN,
            "x_title": x_title, "x_labels": x_labels,
            "series": [{"label": label, "values": [money(v) for v in values]} for label, values in series],
            # the image's size, for the SVG and for the <img> that reserves its room: a
            # horizontal chart grows with its categories
            "width": 860, "height": max(300, 160 + 30 * len(x_labels)) if style == "hbar" else 420}
    spec["desc"] = describe(spec)
    return spec


def describe(spec: dict) -> str:
    """The chart's figures as one sentence per category: the SVG's <desc> and the image's
    text alternative, for a reader who cannot see the bars."""
    parts = []
    for i, x in enumerate(spec["x_labels"]):
        shown = [f"{s['label']} {s['values'][i]['display']}" for s in spec["series"] if s["values"][i]]
        if shown:
            parts.append(f"{x}：" + "，".join(shown))
    return "；".join(parts) + "。" if parts else "没有数据。"


def has_data(spec: dict) -> bool:
    return any(v for s in spec["series"] for v in s["values"])
