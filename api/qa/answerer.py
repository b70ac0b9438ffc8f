"""answer(question, ctx): the intent of a question picks its handler; whatever the graph
cannot answer goes to the text fallback. Never raises on odd input."""

from __future__ import annotations

import logging

from api.qa.context import Context
from api.qa.handlers import agency, amounts, policies, projects, rankings, retrieval
from api.qa.question import Question
from api.qa.result import Result
from kg.store import StoreError

log = logging.getLogger("budgetkg.qa")
MAX_QUESTION = 500  # characters read of a question; longer input is cut, not refused

# Intent kind → handler; any other kind (amount) asks for a figure.
HANDLERS = {"policy": policies.policy, "code": agency.code, "projects": projects.projects, "basis": policies.basis,
            "parent": agency.parent, "units": agency.units, "staff": agency.staff,
            "superlative": rankings.superlative, "compare": rankings.compare, "sum": rankings.summed,
            "duty": retrieval.extractive_answer}


def run(qn: Question) -> Result:
    res = HANDLERS.get(qn.intent.kind, amounts.amount)(qn)
    if res is None:
        res = retrieval.extractive_answer(qn)
    return res


def answer(question: str, ctx: Context) -> dict:
    """Answer one question. Never raises on odd input: a blank question gets a short reply."""
    question = " ".join((question or "").split())[:MAX_QUESTION]
    if not question:
        return Result(question, "请输入问题。", intent="empty").to_dict()
    try:
        return run(Question(question, ctx)).to_dict()
    except StoreError as e:
        return Result(question, f"无法回答：{e}", intent="error").to_dict()
    except Exception as e:  # noqa: BLE001 - one odd question must not take the service down
        log.exception("question answering failed for %r", question)
        return Result(question, f"无法回答：内部错误（{type(e).__name__}）。", intent="error").to_dict()
