"""The floors of docs/qa.md on documents nothing was tuned on: a corpus from data/generate.py
(its own seed), ingested through the real pipeline, asked every question data/questions.py
makes from its truth files in several wordings — accuracy at least 0.95 and at most 2% of the
answers confidently wrong, overall; no question type far below."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.generated import generated_db

ACCURACY = 0.95
CONFIDENTLY_WRONG = 0.02
PER_TYPE = 0.85


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from bench.bench_qa import evaluate
    from data.questions import make_questions

    out = tmp_path_factory.mktemp("qa_generated")
    db = generated_db(out, count=24, seed=2718, workers=2)
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "truth").glob("*.json"))]
    return evaluate(db, make_questions(truths, seed=3))


def test_the_question_set_is_large_and_paraphrased(graded):
    table, cases = graded
    questions = Counter(c["id"] for c in cases)
    assert len(questions) >= 300, len(questions)
    assert sum(1 for n in questions.values() if n >= 2) / len(questions) >= 0.95  # several wordings each
    types = {c["type"] for c in cases}
    for t in ("total", "compare-years", "compare-kinds", "compare-agencies", "growth", "superlative", "ranking-set",
              "top-n", "share", "times", "count-units", "count-projects", "count-subordinates", "basis", "policy",
              "unknown-agency", "unknown-year", "alias", "level"):
        assert t in types, t


def test_floors(graded):
    table, cases = graded
    wrong = [(c["type"], c["q"], c["answer"][:80]) for c in cases if not c["ok"]]
    assert table["all"]["accuracy"] >= ACCURACY, (table["all"], wrong[:15])
    sure = [(c["type"], c["q"], c["answer"][:80]) for c in cases if c["confidently_wrong"]]
    assert table["all"]["confidently_wrong"] <= CONFIDENTLY_WRONG, (table["all"], sure[:15])
    low = {t: v for t, v in table.items() if v["cases"] >= 4 and v["accuracy"] < PER_TYPE}
    assert not low, (low, wrong[:15])
