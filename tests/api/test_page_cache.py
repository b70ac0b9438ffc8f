"""Entity pages, labels and files' disclosures are kept per store generation (api.cache):
the same page is computed once, and a write through the service is seen at once."""

from __future__ import annotations

from api.cache import GenerationCache
from tests.api.apihelpers import TOKEN, build_mini_db, make_client

AGENCY = "https://w3id.org/budgetkg/id/agency/lake-bureau"


def test_a_value_is_computed_once_per_generation():
    c, calls = GenerationCache(8), []

    def compute():
        calls.append(1)
        return len(calls)

    assert c.get(1, "k", compute) == 1
    assert c.get(1, "k", compute) == 1
    assert c.get(2, "k", compute) == 2  # a new generation never sees the old value
    assert c.get(1, "k", compute) == 3  # nor does a request still on the old one get the new
    assert len(calls) == 3


def test_the_least_recently_used_go_first():
    c = GenerationCache(2)
    for k in "ab":
        c.get(0, k, lambda k=k: k)
    c.get(0, "a", lambda: "recomputed")  # touched: b is now the oldest
    c.get(0, "c", lambda: "c")
    assert len(c) == 2
    assert c.get(0, "a", lambda: "recomputed") == "a"
    assert c.get(0, "b", lambda: "recomputed") == "recomputed"


def test_nothing_is_kept_with_size_zero():
    c, calls = GenerationCache(0), []
    for _ in range(2):
        c.get(0, "k", lambda: calls.append(1))
    assert len(calls) == 2


def test_get_many_asks_only_for_the_missing_and_remembers_absence():
    c, asked = GenerationCache(10), []

    def compute(keys):
        asked.append(sorted(keys))
        return {k: k.upper() for k in keys if k != "none"}

    assert c.get_many(0, ["a", "none"], compute) == {"a": "A", "none": None}
    assert c.get_many(0, ["a", "b", "none"], compute) == {"a": "A", "b": "B", "none": None}
    assert asked == [["a", "none"], ["b"]]


def test_a_value_computed_on_a_generation_that_moved_on_is_not_kept():
    c = GenerationCache(4)

    def slow():
        c.get(2, "other", lambda: 0)  # a write happened while this was computed
        return "old"

    assert c.get(1, "k", slow) == "old"
    assert c.get(2, "k", lambda: "new") == "new"


def test_a_page_reflects_a_write_at_once(tmp_path):
    with make_client(build_mini_db(tmp_path), write_token=TOKEN) as c:
        first = c.get("/id/agency/lake-bureau", params={"format": "json"})
        assert first.status_code == 200
        assert "湖滨县水务测试局" in first.text
        services = c.app.state.services
        before = services._pages.hits
        assert c.get("/id/agency/lake-bureau", params={"format": "json"}).json() == first.json()
        assert services._pages.hits > before  # the second was served from the cache
        upd = (f'DELETE {{ GRAPH ?g {{ <{AGENCY}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }} '
               f'INSERT {{ GRAPH ?g {{ <{AGENCY}> <http://www.w3.org/2000/01/rdf-schema#label> "湖滨县改名测试局"@zh }} }} '
               f'WHERE {{ GRAPH ?g {{ <{AGENCY}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}')
        r = c.post("/sparql", data={"update": upd}, headers={"authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204, r.text
        after = c.get("/id/agency/lake-bureau", params={"format": "json"})
        assert "湖滨县改名测试局" in after.text and "湖滨县水务测试局" not in after.text
        html = c.get("/id/agency/lake-bureau", headers={"accept": "text/html"})
        assert "湖滨县改名测试局" in html.text
