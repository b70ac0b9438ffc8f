"""The entry point other packages use (api.app, api.routes.ask):

    ctx = Context.open(db)
    answer("天门市…局2024年预算收入总额是多少？", ctx)

The code lives in the modules of api.qa (see its docstring); this name stays because the
service and docs/api.md address question answering as api.qa.engine."""

from api.qa.answerer import answer
from api.qa.context import Context

__all__ = ["Context", "answer"]
