"""Ingest on Ray (`budgetkg ingest --ray-address`): one local Ray runtime with 2 workers for
the whole module (it takes seconds to start), and the graph it builds must be the one a
serial ingest builds."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.compare import isomorphic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_runtime():
    import ray  # in the dev extra: a missing Ray is an error, not a skip
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def test_ray_executor_keeps_order(ray_runtime):
    from kg.parallel import RayExecutor

    ex = RayExecutor("local")  # joins the runtime the fixture started, does not own it
    assert ex.workers == 2
    items = [b"1" * n for n in (5, 1, 30, 2, 0, 7)] * 3
    # functions must be importable on the workers, hence a builtin here
    assert list(ex.map(len, items)) == [len(x) for x in items]
    ex.close()
    assert ray_runtime.is_initialized()


def test_ray_ingest_equals_serial_ingest(ray_runtime, corpus_txt, tmp_path):
    from kg.pipeline import ingest
    from kg.store import open_store

    out = {}
    for mode in ("serial", "ray"):
        db = tmp_path / mode
        st = open_store(db, backend="oxigraph")
        try:
            res = ingest(corpus_txt, db, st, workers=1 if mode == "serial" else 2,
                         ray_address="local" if mode == "ray" else None)
            assert [r.status for r in res] == ["added"] * len(corpus_txt), [r.error for r in res]
            out[mode] = (rdflib.Graph().parse(data=st.dump("nt").decode(), format="nt"),
                         [(r.path, r.source_file, r.sha256, r.triples, r.pages) for r in res])
        finally:
            st.close()
    assert len(out["serial"][0]) > 0
    assert isomorphic(out["serial"][0], out["ray"][0])
    assert out["serial"][1] == out["ray"][1]  # same files, names, hashes and counts, in the same order
