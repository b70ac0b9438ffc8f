"""How far to trust an answer: a number in [0, 1] from what the answer rests on and how the
question was read. An answer at or above CONFIDENT states its figure as the answer; below it
the answer is offered with its doubt (a passage of text, a name read loosely, a year or a
kind the question left open). docs/qa.md measures the confidently-wrong rate against it.

    source      graph 0.95 · archived table 0.8 · text passage 0.35 · no answer 0
    × agency    as printed 1 · skos:altLabel 0.97 · everyday form 0.85–0.95 · abbreviation 0.85
                · near miss 0.75–0.95 (by how much of the name is there) · ending only 0.75
                · picked among namesakes by year/kind 0.9
    × year      named 1 · left open while the agency has several 0.85
    × kind      named or only one 1 · left open while the year has both 0.9
    × document  year/agency from the graph 1 · read from the title or file name 0.9
    × reading   the handler's own (a defaulted measure, a row matched loosely)
"""

from __future__ import annotations

from api.qa.question import Question
from api.qa.result import Result

CONFIDENT = 0.6  # at or above: the answer states its figure as the answer

BASE = {"graph": 0.95, "table": 0.8, "text": 0.35}
LINK = {"label": 1.0, "alt": 0.97, "alias:title": 0.95, "alias:full": 0.95, "alias:level": 0.9, "alias:bare": 0.85,
        "abbrev": 0.85, "suffix": 0.75}


def link_factor(how: str, recall: float) -> float:
    base, _, picked = how.partition("+")
    f = 0.75 + 0.2 * recall if base == "near" else LINK.get(base, 0.85)
    return f * (0.9 if picked else 1.0)


def score(qn: Question, res: Result) -> float:
    if res.source is None or (res.value is None and not (res.source == "text" and res.evidence)):
        return 0.0  # no answer, or a list of candidates
    c = BASE.get(res.source, 0.35) * max(0.0, min(1.0, res.quality))
    for m in qn.agencies:
        c *= link_factor(m.how, m.recall)
    if qn.agencies and qn.intent.kind not in ("parent", "units", "subordinates", "code", "policy"):
        a = qn.agencies[0].iri
        ds = qn.lex.disclosures_of(a)
        if not qn.intent.years and len({d.year for d in ds}) > 1 and not qn.intent.previous_year:
            c *= 0.85
        year = qn.year or (ds[0].year if ds else None)
        kinds = {d.kind for d in ds if d.year == year}
        if qn.intent.doc_kind is None and len(kinds) > 1 and not qn.intent.both_kinds:
            c *= 0.9
    files = {e.get("source_file") for e in res.evidence}
    if any(d.inferred for d in qn.lex.disclosures if files.intersection(d.files)):
        c *= 0.9
    return round(c, 2)
