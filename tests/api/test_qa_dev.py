"""Acceptance: the development questions (../shared/eval/qa_dev.json) answered over the
graph built from the four corpus texts, judged with the scorer's own matching rules."""

from __future__ import annotations

import importlib.util
import json

import pytest

from api.qa.answerer import answer
from api.qa.context import Context

pytestmark = pytest.mark.shared

FLOOR = 0.85


@pytest.fixture(scope="module")
def scorer(shared):
    spec = importlib.util.spec_from_file_location("score_queries", shared / "eval" / "score_queries.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def results(txt_db, shared):
    cases = json.loads((shared / "eval" / "qa_dev.json").read_text(encoding="utf-8"))
    ctx = Context.open(txt_db)
    try:
        return [(c, answer(c["q"], ctx)) for c in cases]
    finally:
        ctx.close()


def correct(scorer, case, res) -> bool:
    ans = str(res.get("answer") or "")
    if "number_wan" in case:
        return scorer.has_money(ans, case["number_wan"])
    if "number" in case:
        from decimal import Decimal

        return any(v == Decimal(str(case["number"])) for v, _ in scorer.numbers_in(ans))
    return all(scorer.norm(t) in scorer.norm(ans) for t in case["text_all"])


def test_dev_accuracy(scorer, results):
    wrong = [(c["q"], r["answer"]) for c, r in results if not correct(scorer, c, r)]
    acc = 1 - len(wrong) / len(results)
    assert acc >= FLOOR, f"accuracy {acc:.3f} < {FLOOR}: {wrong}"


def test_every_answer_cites_file_and_page(results):
    for c, r in results:
        assert r["evidence"], c["q"]
        for e in r["evidence"]:
            assert e["source_file"] and isinstance(e["page"], int) and e["page"] >= 1, (c["q"], e)


def test_graph_answers_carry_their_sparql(results):
    graph = [r for _, r in results if r["intent"] not in ("text", "table")]
    assert graph and all(r["sparql"] and "SELECT" in r["sparql"] for r in graph)
