"""Content negotiation: pick the best of what a route offers for an Accept header."""

from __future__ import annotations


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    out = []
    for part in (header or "*/*").split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q))
    return out or [("*/*", 1.0)]


def choose(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers: highest q, then the most specific matching range, then
    the route's own order (so */* picks the first offer). None when nothing is acceptable."""
    ranges = parse_accept(header)
    best, best_key = None, None
    for idx, offer in enumerate(offers):
        otype = offer.split("/")[0]
        q, spec = None, -1
        for rng, rq in ranges:
            if rng == offer:
                s = 2
            elif rng == f"{otype}/*":
                s = 1
            elif rng == "*/*":
                s = 0
            else:
                continue
            if s > spec:
                q, spec = rq, s
        if q is None or q <= 0:
            continue
        key = (q, spec, -idx)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


def prefers_html(header: str | None) -> bool:
    """A browser navigation (text/html listed explicitly and liked at least as much as JSON)."""
    return choose(header, ["application/json", "text/html"]) == "text/html" and "text/html" in (header or "")
