"""What the list pages share: paging, and the sort keys that reproduce SPARQL's order in
python (rankings are sorted here, where each string is decoded once)."""

from __future__ import annotations

from decimal import Decimal


def asc(v) -> tuple:
    """SPARQL's ascending order of one string key: unbound first."""
    return (0, "") if v is None else (1, str(v))


def desc(v) -> tuple:
    """SPARQL's DESC of one number: largest first, unbound last."""
    return (0, -v) if isinstance(v, (int, Decimal)) else (1, 0)


def page_info(page: int, size: int, total: int) -> dict:
    return {"page": page, "size": size, "total": total, "pages": max(1, -(-total // size)),
            "next": page + 1 if page * size < total else None, "prev": page - 1 if page > 1 else None}


def paging(page: int, size: int) -> tuple[int, int]:
    page = max(1, int(page or 1))
    return page, (page - 1) * size


def no_cache(key: str, compute):
    return compute()
