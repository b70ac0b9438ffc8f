"""Amounts as the pages show them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def money(value) -> dict | None:
    """Yuan (exact, as printed in the graph) plus the 万元 figure the UI shows."""
    if value is None:
        return None
    try:
        yuan = Decimal(str(value))
    except InvalidOperation:
        return None
    wan = (yuan / 10000).normalize()
    if wan == wan.to_integral():
        wan = wan.quantize(Decimal(1))
    text = f"{wan:,f}"
    if "." in text:
        ip, fp = text.split(".")
        text = f"{ip}.{fp}" if len(fp) >= 2 else f"{ip}.{fp:0<2}"
    else:
        text += ".00"
    return {"yuan": str(yuan), "wan": str(wan), "display": f"{text} 万元"}
