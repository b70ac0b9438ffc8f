"""Page and question latency on a big database (not a test: run by hand).

    .venv/bin/python tests/api/scale_timing.py DB [--runs 3] [--only NAME,NAME]

Drives the FastAPI app in process (TestClient, read-only store, as `budgetkg serve` opens
it) and prints the median and max of each page over `--runs` warm runs, after one first
call, timed apart (the first visit after a start or a write pays for what the service
keeps per store generation). What to open is read from the database itself — the first
item of each list page, the agency with the most disclosures, the most used
classification concept — and the questions for /api/ask are built from its labels, years
and policy numbers, so the script works on any corpus.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

from apihelpers import make_client  # noqa: E402

P = """PREFIX bkg: <https://w3id.org/budgetkg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def one(store, sparql: str) -> dict:
    rows = store.select(P + sparql)
    return rows[0] if rows else {}


def questions(store) -> list[tuple[str, str]]:
    """(intent, question) pairs about things the database holds."""
    top = one(store, """SELECT ?a (COUNT(?d) AS ?n) WHERE { ?d bkg:reportingAgency ?a } GROUP BY ?a
                        ORDER BY DESC(?n) LIMIT 1""")
    a = f"<{top['a']}>"
    name = one(store, f"SELECT ?l WHERE {{ {a} rdfs:label ?l }} LIMIT 1")["l"]
    years = sorted({r["y"] for r in store.select(P + f"SELECT DISTINCT ?y WHERE {{ ?d bkg:reportingAgency {a} ; "
                                                      "bkg:fiscalYear ?y }")}, reverse=True)
    y = years[0]
    unit_agency = one(store, """SELECT ?l WHERE { { SELECT ?a WHERE { ?a org:hasUnit ?u } LIMIT 1 } ?a rdfs:label ?l }
                                LIMIT 1""").get("l", name)
    parent_agency = one(store, """SELECT ?l WHERE { { SELECT ?a WHERE { ?a org:subOrganizationOf ?p } LIMIT 1 }
                                  ?a rdfs:label ?l } LIMIT 1""").get("l", name)
    pol = one(store, """SELECT ?n WHERE { { SELECT ?pol (COUNT(?p) AS ?k) WHERE { ?p bkg:basedOnPolicy ?pol }
                        GROUP BY ?pol ORDER BY DESC(?k) LIMIT 1 } ?pol bkg:documentNumber ?n } LIMIT 1""").get("n")
    line = one(store, f"""SELECT ?cl ?code WHERE {{ ?d bkg:reportingAgency {a} ; bkg:fiscalYear {y} .
                          ?l bkg:disclosure ?d ; bkg:classification ?c . ?c skos:prefLabel ?cl ; skos:notation ?code }}
                          LIMIT 1""")
    out = [("total", f"{name}{y}年预算收入总额是多少？"),
           ("staff", f"{name}的编制人数是多少？"),
           ("units", f"{unit_agency}有哪些内设机构？"),
           ("parent", f"{parent_agency}的主管部门是哪个单位？"),
           ("projects", f"{name}{y}年有多少个项目？"),
           ("superlative", f"{y}年哪个单位的项目支出最低？"),
           ("sum", f"{y}年各单位的三公经费合计是多少？")]
    if len(years) > 1:
        out.append(("compare", f"{name}{years[0]}年和{years[1]}年的项目支出相比增加了多少？"))
    if line:
        out.append(("line", f"{name}在{line['cl']}（{line['code']}）科目上的预算是多少？"))
    if pol:
        out.append(("policy", f"哪些项目以{pol}为依据？"))
    out.append(("text", f"{name}的主要职责是什么？"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated names (prefixes) to measure")
    ap.add_argument("--slow-s", type=float, default=20.0,
                    help="a page whose first call takes longer is reported from that one call (marked 1 run)")
    args = ap.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    with make_client(args.db, sparql_timeout_s=60) as c:
        store = c.app.state.services.store

        def t(name, path, params=None):
            if only and not any(name.startswith(o) for o in only):
                return None
            s = time.perf_counter()
            r = c.get(path, params=params or {})  # warm-up, not counted unless it is all there is
            first_ms = (time.perf_counter() - s) * 1000
            if first_ms > args.slow_s * 1000:
                print(f"| {name} | {r.status_code} | {first_ms:,.0f} (1 run) | {first_ms:,.0f} | {first_ms:,.0f} |", flush=True)
                return r
            ts = []
            for _ in range(args.runs):
                s = time.perf_counter()
                r = c.get(path, params=params or {})
                ts.append((time.perf_counter() - s) * 1000)
            print(f"| {name} | {r.status_code} | {statistics.median(ts):,.0f} | {max(ts):,.0f} | {first_ms:,.0f} |", flush=True)
            return r

        print("| page | status | median ms | max ms | first call ms |\n|---|---|---|---|---|")
        # The service loads the QA engine's names in the background at start-up; measuring
        # while that runs would time the pages against it (same process, one GIL).
        # what the service does in the background at start-up: not a question's time
        if not only or any(o.startswith(("ask", "home with")) for o in only):
            s = time.perf_counter()
            ctx = c.app.state.services.ask_context()
            getattr(ctx, "lexicon", None)
            files = getattr(getattr(ctx, "archive", None), "files", None)
            if callable(files):
                files()
            print(f"| (QA start-up: names and archive index, once) | | | | {(time.perf_counter() - s) * 1000:,.0f} |",
                  flush=True)
        t("home", "/")
        t("home.json", "/index.json")
        for lst in ("policies", "agencies", "disclosures"):
            t(f"{lst}.json", f"/{lst}.json")
            t(f"{lst} html", f"/{lst}")
        t("disclosures.json page 2", "/disclosures.json", {"page": 2})
        first = {lst: c.get(f"/{lst}.json").json()["items"][0]["href"] for lst in ("policies", "agencies", "disclosures")}
        busiest = one(store, """SELECT ?a WHERE { { SELECT ?a (COUNT(?d) AS ?n) WHERE { ?d bkg:reportingAgency ?a }
                                GROUP BY ?a ORDER BY DESC(?n) LIMIT 1 } }""")["a"]
        concept = one(store, """SELECT ?c WHERE { { SELECT ?c (COUNT(?l) AS ?n) WHERE { ?l bkg:classification ?c }
                                GROUP BY ?c ORDER BY DESC(?n) LIMIT 1 } }""")["c"]
        project = one(store, "SELECT ?p WHERE { ?c bkg:citingProject ?p } LIMIT 1")["p"]
        pages = {"policy page (most cited)": first["policies"], "agency page (first)": first["agencies"],
                 "agency page (most disclosures)": "/id/" + busiest.split("/id/", 1)[1],
                 "disclosure page": first["disclosures"], "project page": "/id/" + project.split("/id/", 1)[1],
                 "concept page (most used)": "/id/" + concept.split("/id/", 1)[1]}
        for name, path in pages.items():
            t(f"{name} json", path, {"format": "json"})
            t(f"{name} html", path)
        t("policy page ttl", first["policies"], {"format": "ttl"})
        qs = questions(store)
        for intent, q in qs:
            t(f"ask {intent}", "/api/ask", {"q": q})
        t("home with a question", "/", {"q": qs[0][1]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
