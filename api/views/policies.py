"""A policy's page (the projects and disclosures that cite it, paged) and the list of
every policy, most-cited first."""

from __future__ import annotations

from decimal import Decimal

from api.render import KIND_LABELS
from api.views.amounts import money
from api.views.compare import pick
from api.views.entities import resource
from api.views.figures import chart, has_data
from api.views.links import href, link
from api.views.lists import asc, desc, no_cache, page_info, paging
from api.views.query import lookup, terms, val
from kg.policy import find_numbers


def policy(store, iri: str, page: int = 1, size: int = 500, subject: list[dict] | None = None) -> dict:
    base = resource(store, iri, subject=subject)
    one = terms(store, f"""SELECT (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) (SAMPLE(?ic) AS ?issuer)
                              (SAMPLE(?iy) AS ?year) WHERE {{
        OPTIONAL {{ <{iri}> bkg:documentNumber ?n }} OPTIONAL {{ <{iri}> dcterms:title ?t }}
        OPTIONAL {{ <{iri}> bkg:issuerCode ?ic }} OPTIONAL {{ <{iri}> bkg:issueYear ?iy }} }}""")[0]
    variants = sorted({r["v"]["value"] for r in terms(store, f"""SELECT DISTINCT ?v WHERE {{
        {{ <{iri}> bkg:documentNumber ?v }} UNION {{ <{iri}> skos:altLabel ?v }} UNION {{ <{iri}> rdfs:label ?v }} }}""")})
    # Every project that cites the policy, one row per (citation, project) as before. The
    # order (newest year, then project name) needs two columns, read for these rows only;
    # the rest is read for the rows of the page shown. Sorting strings in SPARQL would
    # decode each one at every comparison.
    links: dict[tuple, dict] = {}
    for r in terms(store, f"""SELECT ?c ?p ?cd WHERE {{ ?c bkg:citedPolicy <{iri}> ; bkg:citingProject ?p
                                OPTIONAL {{ ?c prov:wasDerivedFrom ?cd }} }}"""):
        row = links.setdefault((r["c"]["value"], r["p"]["value"]), {"c": r["c"]["value"], "p": r["p"]["value"], "cd": None})
        row["cd"] = row["cd"] or val(r.get("cd"))
    cited = {p for _, p in links}
    for r in terms(store, f"SELECT DISTINCT ?p WHERE {{ ?p bkg:basedOnPolicy <{iri}> }}"):
        if r["p"]["value"] not in cited:  # a link no citation of this policy records
            links[(None, r["p"]["value"])] = {"c": None, "p": r["p"]["value"], "cd": None}
    # every column of the citing projects at once: the funding chart sums them all
    projects = lookup(store, [r["p"] for r in links.values()], PROJECT_COLUMNS)
    quotes = lookup(store, [r["c"] for r in links.values() if r["c"]], {"q": "bkg:quote"})  # all: for the variants
    for row in links.values():
        pr = projects.get(row["p"], {})
        row["d"] = row["cd"] or val(pr.get("pd"))  # the citation's own disclosure, else the project's
        row["label"] = val(pr.get("l"))
    citing = [r["d"]["value"] for r in terms(store, f"SELECT DISTINCT ?d WHERE {{ ?d dcterms:references <{iri}> }}")]
    docs = lookup(store, [r["d"] for r in links.values()] + citing, {"y": "bkg:fiscalYear", "f": "bkg:sourceFile"})
    for row in links.values():
        row["year"] = val(docs.get(row["d"], {}).get("y"))
    ranked = sorted(links.values(), key=lambda r: (desc(r["year"]), asc(r["label"]), r["p"], r["c"] or ""))
    page, offset = paging(page, size)
    shown = ranked[offset:offset + size]
    # the other columns, for the rows shown only
    more = projects
    pages = lookup(store, [r["c"] for r in shown if r["c"]], {"pg": "bkg:page"})
    agencies = lookup(store, [r["d"] for r in shown if not more.get(r["p"], {}).get("ia")], {"ra": "bkg:reportingAgency"})
    for r in shown:
        r["agency"] = val(more.get(r["p"], {}).get("ia")) or val(agencies.get(r["d"], {}).get("ra"))
    agency_labels = lookup(store, [r["agency"] for r in shown], {"l": "rdfs:label"})
    citations = []
    for r in shown:
        p, d, ag = r["p"], r["d"], r["agency"]
        q = {**quotes.get(r["c"], {}), **pages.get(r["c"], {})} if r["c"] else {}
        file = val(docs.get(d, {}).get("f"))
        citations.append({
            "citation": href(r["c"]) if r["c"] else None,
            "project": link(p, r["label"]),
            "amount": money(val(more.get(p, {}).get("amt"))),
            "agency": link(ag, val(agency_labels.get(ag, {}).get("l"))) if ag else None,
            "year": r["year"], "disclosure": link(d, file) if d else None,
            "source_file": file, "quote": val(q.get("q")), "page": val(q.get("pg")),
        })
    number = val(one.get("number"))
    if number:  # how the documents actually printed the number (【】, full-width digits, spaces…)
        all_quotes = [val(q["q"]) for q in quotes.values() if q.get("q")]
        variants = sorted(set(variants) | printed_variants(number, all_quotes))
    citing.sort(key=lambda d: (asc(val(docs.get(d, {}).get("f"))), d))
    funding = funding_chart(store, iri, val(one.get("number")) or val(one.get("title")), projects)
    return {**base, "page": "policy", "number": val(one.get("number")), "title": val(one.get("title")),
            "issuer_code": val(one.get("issuer")), "issue_year": val(one.get("year")), "variants": variants,
            "citations": citations, "citations_total": len(ranked),
            "disclosures": [{**link(d, val(docs.get(d, {}).get("f"))), "year": val(docs.get(d, {}).get("y"))}
                            for d in citing[offset:offset + size]],
            "disclosures_total": len(citing),
            "paging": page_info(page, size, max(len(ranked), len(citing))),
            "charts": [funding] if funding else []}


FUNDING_SERIES = 8  # agencies shown by name in the funding chart; the rest are summed as one


PROJECT_COLUMNS = {"l": "rdfs:label", "pd": "bkg:disclosure", "amt": "bkg:amount", "ia": "bkg:implementingAgency"}


def funding_chart(store, iri: str, name: str | None, projects: dict[str, dict] | None = None) -> dict | None:
    """The amounts of the projects based on the policy, by agency and year. Each project
    counts once, in one disclosure per agency, year, kind and scope (the same document
    ingested twice would count it twice, see compare.pick); budgets and final accounts are
    separate series, since adding a year's budget to its outturn counts the money twice.
    `projects`: the PROJECT_COLUMNS of every project citing it or based on it, if read already."""
    if projects is None:
        ps = [r["p"]["value"] for r in terms(store, f"""SELECT DISTINCT ?p WHERE {{ {{ ?p bkg:basedOnPolicy <{iri}> }}
            UNION {{ ?c bkg:citedPolicy <{iri}> ; bkg:citingProject ?p }} }}""")]
        projects = lookup(store, ps, PROJECT_COLUMNS)
    ds = sorted({val(p["pd"]) for p in projects.values() if p.get("pd")})
    info = lookup(store, ds, {"y": "bkg:fiscalYear", "k": "bkg:documentKind", "sc": "bkg:disclosureScope",
                              "f": "bkg:sourceFile", "ra": "bkg:reportingAgency"})
    kept = {c["d"] for c in pick([{"agency": val(i.get("ra")) or d, "d": d, "year": val(i.get("y")), "kind": val(i.get("k")),
                                   "scope": val(i.get("sc")), "file": val(i.get("f"))} for d, i in info.items()])}
    sums: dict[tuple, dict[int, Decimal]] = {}
    for p in projects.values():
        d, amount = val(p.get("pd")), val(p.get("amt"))
        i = info.get(d, {})
        agency, year = val(p.get("ia")) or val(i.get("ra")), val(i.get("y"))
        if d not in kept or not isinstance(amount, Decimal) or agency is None or year is None:
            continue
        per_year = sums.setdefault((agency, val(i.get("k"))), {})
        per_year[year] = per_year.get(year, Decimal(0)) + amount
    if not sums:
        return None
    ranked = sorted(sums, key=lambda k: (-sum(sums[k].values()), k[0], asc(k[1])))
    labels = lookup(store, [a for a, _ in ranked], {"l": "rdfs:label"})
    kinds = {k for _, k in ranked}
    years = sorted({y for per_year in sums.values() for y in per_year})

    def name_of(key):
        label = val(labels.get(key[0], {}).get("l")) or key[0]
        return f"{label}（{KIND_LABELS.get(key[1] or '', key[1] or '')}）" if len(kinds) > 1 else label

    series = [(name_of(k), [sums[k].get(y) for y in years]) for k in ranked[:FUNDING_SERIES]]
    rest = ranked[FUNDING_SERIES:]
    if rest:
        series.append((f"其他 {len(rest)} 个单位", [sum((sums[k][y] for k in rest if y in sums[k]), Decimal(0))
                                                  if any(y in sums[k] for k in rest) else None for y in years]))
    spec = chart("funding", iri, f"{name or ''} 依据该政策的项目金额".strip(), [f"{y}" for y in years], series,
                 style="stacked", x_title="年度")
    return spec if has_data(spec) else None


def printed_variants(number: str, quotes: list[str]) -> set[str]:
    """The printed spellings of `number` in these quotes (kg.policy normalizes each find)."""
    return {n.printed.strip() for q in quotes for n in find_numbers(q) if n.number == number}


def policies(store, page: int = 1, size: int = 500, cache=no_cache) -> dict:
    """Every policy, most-cited first. `cache(key, compute)` may keep the ranking (the
    service keeps it per store generation: every write starts a new one)."""
    page, offset = paging(page, size)
    ranked = cache("policies", lambda: policy_ranking(store))
    items = [{**link(pol, number or title), "number": number, "title": title, "projects": projects, "disclosures": docs}
             for pol, number, title, projects, docs in ranked[offset:offset + size]]
    return {"page": "policies", "title": "政策文件", "count": len(items), "items": items,
            "paging": page_info(page, size, len(ranked))}


def policy_ranking(store) -> tuple:
    """(policy, number, title, projects, disclosures) for every policy, most-cited first.
    Each count is one scan of its properties (the citation's two properties in separate
    subqueries, which Oxigraph hash-joins); the order is computed here, where each string
    is decoded once."""
    pols = {r["pol"]["value"]: {} for r in terms(store, "SELECT ?pol WHERE { ?pol a bkg:Policy }")}
    for var, prop in (("number", "bkg:documentNumber"), ("title", "dcterms:title")):
        for r in terms(store, f"SELECT ?pol ?v WHERE {{ ?pol {prop} ?v }}"):
            if r["pol"]["value"] in pols:
                pols[r["pol"]["value"]].setdefault(var, val(r["v"]))
    for var, sparql in (("projects", """SELECT ?pol (COUNT(DISTINCT ?p) AS ?n) WHERE {
                            { { SELECT ?c ?pol WHERE { ?c bkg:citedPolicy ?pol } }
                              { SELECT ?c ?p WHERE { ?c bkg:citingProject ?p } } }
                            UNION { ?p bkg:basedOnPolicy ?pol } } GROUP BY ?pol"""),
                        ("docs", "SELECT ?pol (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dcterms:references ?pol } GROUP BY ?pol")):
        for r in terms(store, sparql):
            if r["pol"]["value"] in pols:
                pols[r["pol"]["value"]][var] = val(r["n"])
    ranked = sorted(pols.items(), key=lambda kv: (-(kv[1].get("projects") or 0), asc(kv[1].get("number")),
                                                  asc(kv[1].get("title")), kv[0]))
    return tuple((pol, r.get("number"), r.get("title"), r.get("projects") or 0, r.get("docs") or 0) for pol, r in ranked)
