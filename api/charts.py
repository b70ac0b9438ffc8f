"""A chart's data (api/views/figures.py) as an SVG image, drawn by pygal.

The image is a self-contained document the page embeds with <img>: no script (pygal's
tooltip script and the config it writes for it are removed, so are its tooltip elements,
which only a script shows), no external reference, its styles in one <style> element
(api/security.py gives SVG responses their own policy for that). Its <title> and <desc>
say what it shows and every figure in it, for screen readers and for anyone who opens the
file alone; labels are SVG text, drawn in a CJK font the system has (fonts-wqy-zenhei on
Debian, installed by `make sysdeps`), never a downloaded one. Output is deterministic:
pygal's random chart id and its dated comments are replaced and dropped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
CHART_ID = "budgetkg-chart"
FONTS = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
COLORS = ("#b42318", "#1d4ed8", "#047857", "#b45309", "#6d28d9", "#0e7490", "#be185d", "#4d7c0f", "#57534e")
MEDIA_TYPE = "image/svg+xml"


def _style():
    from pygal.style import Style

    return Style(font_family=FONTS, background="#ffffff", plot_background="#ffffff", foreground="#1f2933",
                 foreground_strong="#1f2933", foreground_subtle="#9ca3af", colors=COLORS, opacity=".85",
                 opacity_hover=".95", title_font_size=16, legend_font_size=13, label_font_size=12,
                 major_label_font_size=12, no_data_font_size=20)


def _wan(m: dict | None) -> float | None:
    """The 万元 figure to plot (the exact amounts are in the table and the <desc>)."""
    return float(Decimal(m["yuan"]) / 10000) if m else None


def render(spec: dict) -> bytes:
    import pygal

    style = spec.get("style", "bar")
    cls = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "hbar": pygal.HorizontalBar}[style]
    labels, series = spec["x_labels"], [(s["label"], [_wan(v) for v in s["values"]]) for s in spec["series"]]
    value_title, label_title = spec.get("unit") or "", spec.get("x_title") or None
    if style == "hbar":
        # pygal draws the first category at the bottom and keeps the axis titles where a
        # vertical chart has them: turned round, the list reads top down as in the table;
        # the long category labels leave no room for a title on their axis
        labels, series = labels[::-1], [(name, values[::-1]) for name, values in series]
        value_title, label_title = "", value_title or None
    chart = cls(width=spec["width"], height=spec["height"], explicit_size=True, style=_style(), js=[],
                title=spec["title"], x_labels=labels, y_title=value_title, x_title=label_title, legend_at_bottom=True,
                legend_at_bottom_columns=min(4, max(1, len(series))), truncate_legend=-1, truncate_label=-1,
                value_formatter=lambda v: f"{v:,.2f}", no_data_text="没有数据", print_values=False,
                show_legend=bool(series), x_label_rotation=30 if style != "hbar" and len(labels) > 6 else 0)
    for name, values in series:
        chart.add(name, values)
    return clean(chart.render(is_unicode=True).replace(chart.uuid, CHART_ID), spec["title"], spec["desc"])


def clean(svg: str, title: str, desc: str) -> bytes:
    """pygal's SVG without script, script-only parts or outside references, with an
    accessible title and description."""
    root = ET.fromstring(svg.encode("utf-8"))  # the default parser drops comments
    for el in root.iter():  # plain names, the namespaces declared once on the root below
        el.tag = el.tag.rsplit("}", 1)[-1]
    for parent in list(root.iter()):
        for child in list(parent):
            classes = set((child.get("class") or "").split())
            if child.tag == "script" or classes & {"tooltip-overlay", "tooltip"}:
                parent.remove(child)
    for el in root.iter():
        for name in list(el.attrib):
            local, value = name.rsplit("}", 1)[-1], el.attrib.pop(name)
            if local.lower().startswith("on") or local == "style" or (local == "href" and not value.startswith("#")):
                continue
            el.set("xlink:href" if name == f"{{{XLINK_NS}}}href" else local, value)
    for old in [c for c in root if c.tag in ("title", "desc")]:
        root.remove(old)
    t = ET.Element("title", {"id": f"{CHART_ID}-title"})
    t.text = title
    d = ET.Element("desc", {"id": f"{CHART_ID}-desc"})
    d.text = desc
    root.insert(0, d)
    root.insert(0, t)
    root.attrib = {"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS, **root.attrib, "role": "img",
                   "aria-labelledby": f"{CHART_ID}-title {CHART_ID}-desc", "xml:lang": "zh-CN"}
    body = ET.tostring(root, encoding="unicode")
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + body).encode("utf-8")
