"""Which documents a corpus holds (agency, year, kind and file stem for each) and how one is
built: its parts written in reading order into one Disclosure."""

from __future__ import annotations

import hashlib
import math

from data import narrative
from data.disclosure import INCONSISTENCY_RATE, Disclosure
from data.document import Doc
from data.tables import tables
from data.truth import truth
from data.world import YEARS, Agency, World


def plan_corpus(seed: int, count: int) -> tuple[World, list[tuple[Agency, int, str, str]]]:
    """Which (agency, year, kind) each document is. Every agency gets one document before any
    gets a second, and its later documents cover its other year and kind, so even a small
    corpus has agencies recurring across years."""
    n_agencies = max(6, math.ceil(count / 4))
    world = World(seed, n_agencies)
    # agency 0 starts with two budgets (year on year), agency 1 with a budget and its final account
    combos = [(YEARS[1], "budget"), (YEARS[0], "budget"), (YEARS[0], "final_account"), (YEARS[1], "final_account")]
    docs = []
    for round_ in range(4):
        for a in world.agencies:
            y, k = combos[(round_ + a.idx) % 4]
            docs.append((a, y, k))
    docs = docs[:count]
    out = []
    for i, (a, y, k) in enumerate(docs):
        h = hashlib.sha256(f"{seed}:{a.idx}:{y}:{k}".encode()).hexdigest()[:12]
        out.append((a, y, k, f"{i:05d}_{h}" if count > 999 else f"{i:03d}_{h}"))
    return world, out


def build(d: Disclosure) -> Doc:
    """The document and its ground truth. The parts draw on one random stream, so their order
    here is part of what a seed means: changing it changes every later byte."""
    doc = d.doc
    doc.h1(doc.title)
    narrative.contents(d)
    narrative.overview(d)
    if d.kind == "budget":
        narrative.budget_text(d)
    else:
        narrative.final_text(d)
    tables(d)
    narrative.glossary(d)
    doc.truth = truth(d)
    return doc


def build_doc(world: World, a: Agency, year: int, kind: str, stem: str,
              inconsistency_rate: float = INCONSISTENCY_RATE) -> Doc:
    return build(Disclosure(world, a, year, kind, stem, inconsistency_rate))


def build_disclosure(world: World, a: Agency, year: int, kind: str, stem: str,
                     inconsistency_rate: float = INCONSISTENCY_RATE) -> tuple[Disclosure, Doc]:
    """A document of a family corpus (its facts extended, data/families.py prints it) and the
    disclosure it was built from, which the layout families reshape it by."""
    b = Disclosure(world, a, year, kind, stem, inconsistency_rate, extended=True)
    return b, build(b)
