"""Tables without rulings, found by text alignment (placeholder, filled in below)."""

from __future__ import annotations


def find_aligned_tables(page: int, lines: list) -> list:
    return []
