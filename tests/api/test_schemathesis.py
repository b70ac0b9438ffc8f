"""schemathesis over the service's own /openapi.json: every operation (POST /sparql with a
query body included) gets generated requests, valid and invalid by the schema, against a
real `budgetkg serve` on the demo corpus (read-only); none may answer 5xx. A 503
`query_timeout` is the contract for a query that runs past the limit and is let through.

The examples are bounded per operation and mode (a couple of minutes in all); every
failure is collected with a curl line to replay it, so one run reports them all."""

from __future__ import annotations

import pytest
from liveserver import LiveServer

pytestmark = pytest.mark.slow

EXAMPLES = 25


def server_error(r) -> bool:
    if r.status_code < 500:
        return False
    try:
        return not (r.status_code == 503 and r.json()["error"]["code"] == "query_timeout")
    except (ValueError, KeyError, TypeError):
        return True


@pytest.fixture(scope="module")
def live(sample_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("schemathesis") / "serve.log"
    with LiveServer(sample_db, log, {"BUDGETKG_SPARQL_TIMEOUT_S": "3"}) as srv:
        yield srv


def exercise(live, op, mode, examples: int) -> list[str]:
    """Run `examples` generated requests of one operation; up to three failures, described."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable

    seen: list[str] = []

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case):
        r = case.call(base_url=live.base, timeout=60)
        if server_error(r) and len(seen) < 3:
            seen.append(f"{op.label} ({mode}): {r.status_code} {r.text[:300]!r}\n  {case.as_curl_command()[:400]}")

    try:
        run()
    except Unsatisfiable:  # an operation without parameters or body has no invalid request to make
        assert mode == "negative", f"{op.label}: no valid request could be generated"
    return seen


def test_openapi_operations_never_answer_5xx(live):
    import schemathesis
    from schemathesis import GenerationMode

    # SPARQL bodies are text: send the generated string as it is
    schemathesis.serializer.alias(["application/sparql-query", "application/sparql-update"], "text/plain")
    schema = schemathesis.openapi.from_url(f"{live.base}/openapi.json")
    failures: list[str] = []
    labels = []
    for result in schema.get_all_operations():
        op = result.ok()
        labels.append(op.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += exercise(live, op, mode, EXAMPLES)
    assert "POST /sparql" in labels and "GET /sparql" in labels, labels
    assert live.alive(), live.log_tail()
    assert not failures, "\n".join(failures)
