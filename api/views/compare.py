"""Comparison pages: an agency's totals and functional lines side by side across its years
(with the change from the year before), and several agencies side by side in one year.

An agency may publish a budget and a final account for the same year, for the department
and for the unit alone, and the same document may be ingested twice (a PDF and its text
export). Figures are only compared like with like: one column per year within a series of
the same kind and scope, one disclosure per column (the first by file name; the others are
listed). A budget's functional lines are its budget figures, a final account's its outturn
(disclosures.functional_lines).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from pyoxigraph import NamedNode

from api.errors import ApiError
from api.render import KIND_LABELS, SCOPE_LABELS
from api.views.amounts import money
from api.views.disclosures import FIGURE_OF_KIND, TOTAL_ORDER, functional_lines
from api.views.figures import chart, has_data
from api.views.links import href, iri_ok, link, term_label, term_label_en
from api.views.lists import asc
from api.views.query import lookup, terms, val, values_block
from kg.store import BKG, ID
from kg.vocab import PROJECT, THREE_PUBLIC

KIND_ORDER = {"budget": 0, "final_account": 1}
SCOPE_ORDER = {"department": 0, "unit": 1}
CENT = Decimal("0.01")
MAX_AGENCIES = 20  # columns of the several-agency page: wider than that is a download, not a page
AGENCY_CHARTS = {
    "totals": (f"收支总额与基本、{PROJECT.label}", ("totalIncome", "totalExpenditure", "basicExpenditure", "projectExpenditure")),
    "three-public": (THREE_PUBLIC.label, ("threePublicExpenses", "threePublicAbroad", "threePublicVehicles",
                                   "threePublicReception")),
}


def change(prev: Decimal | None, cur: Decimal | None, from_year=None) -> dict | None:
    """The change from `prev` to `cur`: exact in yuan, the percentage rounded half up to
    hundredths (none from zero)."""
    if prev is None or cur is None:
        return None
    diff = cur - prev
    pct = None if prev == 0 else (diff * 100 / prev).quantize(CENT, rounding=ROUND_HALF_UP)
    if pct is not None and pct == 0:
        pct = abs(pct)  # a change too small to show is 0.00, not -0.00
    return {"from_year": from_year, "amount": money(diff), "percent": pct,
            "direction": "up" if diff > 0 else "down" if diff < 0 else "same"}


def heads(store, agencies: list[str]) -> list[dict]:
    """Every disclosure these agencies report, with year, kind, scope and file."""
    ds: list[tuple[str, str]] = []
    for start in range(0, len(agencies), 500):
        ds += [(r["a"]["value"], r["d"]["value"]) for r in terms(store, f"""SELECT ?a ?d WHERE {{
            {values_block("a", agencies[start:start + 500])} ?d bkg:reportingAgency ?a }}""")]
    info = lookup(store, [d for _, d in ds], {"y": "bkg:fiscalYear", "k": "bkg:documentKind",
                                              "sc": "bkg:disclosureScope", "f": "bkg:sourceFile"})
    return [{"agency": a, "d": d, "year": val(info.get(d, {}).get("y")), "kind": val(info.get(d, {}).get("k")),
             "scope": val(info.get(d, {}).get("sc")), "file": val(info.get(d, {}).get("f"))} for a, d in ds]


def pick(rows: list[dict]) -> list[dict]:
    """One disclosure per (agency, kind, scope, year): the first by file name, the others
    kept as `others` (the same document ingested twice, or a second version)."""
    chosen: dict[tuple, dict] = {}
    for h in sorted(rows, key=lambda h: (asc(h["file"]), h["d"])):
        key = (h["agency"], h["kind"], h["scope"], h["year"])
        if key in chosen:
            chosen[key]["others"].append(link(h["d"], h["file"]))
        else:
            chosen[key] = {**h, "others": []}
    return list(chosen.values())


def totals_of(store, ds: list[str]) -> dict[str, dict[str, Decimal]]:
    """The decimal totals (TOTAL_ORDER) each disclosure states."""
    wanted = " ".join(f"bkg:{t}" for t in TOTAL_ORDER)
    out: dict[str, dict[str, Decimal]] = {}
    for start in range(0, len(ds), 500):
        for r in terms(store, f"""SELECT ?d ?p ?v WHERE {{ {values_block("d", ds[start:start + 500])}
                                  VALUES ?p {{ {wanted} }} ?d ?p ?v }}"""):
            v = val(r["v"])
            if isinstance(v, Decimal):
                out.setdefault(r["d"]["value"], {}).setdefault(r["p"]["value"][len(BKG):], v)
    return out


def total_rows(columns: list[dict], totals: dict, with_change: bool) -> list[dict]:
    rows = []
    for t in TOTAL_ORDER:
        amounts = [totals.get(c["d"], {}).get(t) for c in columns]
        if all(a is None for a in amounts):
            continue
        rows.append({"term": t, "predicate": BKG + t, "label": term_label(BKG + t), "label_en": term_label_en(BKG + t),
                     "values": cells(columns, amounts, with_change)})
    return rows


def functional_rows(columns: list[dict], lines: dict, with_change: bool) -> list[dict]:
    codes: dict[str, str | None] = {}
    for c in columns:
        for code, (name, _) in lines.get(c["d"], {}).items():
            if codes.get(code) is None:
                codes[code] = name
    return [{"code": code, "label": codes[code] or code, "level": (len(code) - 1) // 2,
             "values": cells(columns, [lines.get(c["d"], {}).get(code, (None, None))[1] for c in columns], with_change)}
            for code in sorted(codes)]


def cells(columns: list[dict], amounts: list, with_change: bool) -> list[dict]:
    out = []
    for i, (c, a) in enumerate(zip(columns, amounts, strict=True)):
        cell = {"year": c["year"], "amount": money(a)}
        if with_change:
            cell["change"] = change(amounts[i - 1], a, columns[i - 1]["year"]) if i else None
        out.append(cell)
    return out


def column_view(c: dict) -> dict:
    return {"year": c["year"], "disclosure": link(c["d"], c["file"]), "source_file": c["file"], "others": c["others"]}


def series_label(kind, scope) -> str:
    return f"{SCOPE_LABELS.get(scope, scope or '')}{KIND_LABELS.get(kind, kind or '')}" or "公开文件"


def agency_series(store, iri: str) -> tuple[list[list[dict]], list[dict]]:
    """The agency's dated disclosures as series of like with like (kind, scope), each one
    column per year, oldest first; and the disclosures that print no year."""
    chosen = pick(heads(store, [iri]))
    groups: dict[tuple, list[dict]] = {}
    for c in chosen:
        if c["year"] is not None:
            groups.setdefault((c["kind"], c["scope"]), []).append(c)
    order = sorted(groups, key=lambda k: (KIND_ORDER.get(k[0], 9), SCOPE_ORDER.get(k[1], 9), asc(k[0]), asc(k[1])))
    series = [sorted(groups[k], key=lambda c: c["year"]) for k in order]
    undated = [link(c["d"], c["file"]) for c in chosen if c["year"] is None]
    return series, undated


def agency_label(store, iri: str) -> str | None:
    rows = lookup(store, [iri], {"l": "rdfs:label"})
    return val(rows.get(iri, {}).get("l"))


def year_count(store, iri: str) -> int:
    """How many fiscal years the agency has disclosures for."""
    rows = terms(store, f"""SELECT (COUNT(DISTINCT ?y) AS ?n) WHERE {{ ?d bkg:reportingAgency <{iri_ok(iri)}> ;
                                                                           bkg:fiscalYear ?y }}""")
    return int(val(rows[0]["n"]) or 0) if rows else 0


def agency_charts(store, iri: str, series: list[list[dict]] | None = None, min_columns: int = 2) -> list[dict]:
    """The agency's totals and 三公 across its years (only those it has figures for; none
    with fewer than `min_columns` columns: the pages show no chart of a single year, where
    there is nothing to compare)."""
    if series is None:
        series, _ = agency_series(store, iri)
    columns = [c for s in series for c in s]
    if len(columns) < max(1, min_columns):
        return []
    totals = totals_of(store, [c["d"] for c in columns])
    many = len(series) > 1  # the year alone does not tell a budget from a final account
    x = [f"{c['year']}{series_label(c['kind'], c['scope'])}" if many else str(c["year"]) for c in columns]
    out = []
    for name, (title, wanted) in AGENCY_CHARTS.items():
        spec = chart(name, iri, f"{agency_label(store, iri) or ''} {title}".strip(), x,
                     [(term_label(BKG + t), [totals.get(c["d"], {}).get(t) for c in columns]) for t in wanted],
                     x_title="年度")
        spec["series"] = [s for s in spec["series"] if any(s["values"])]
        if has_data(spec):
            out.append(spec)
    return out


def agency_compare(store, iri: str) -> dict:
    label = agency_label(store, iri)
    series, undated = agency_series(store, iri)
    columns = [c for s in series for c in s]
    totals = totals_of(store, [c["d"] for c in columns])
    lines = functional_lines(store, {c["d"]: c["kind"] for c in columns})
    years = sorted({c["year"] for c in columns})
    return {
        "page": "agency_compare", "title": f"{label or iri} 逐年对比", "agency": link(iri, label), "years": years,
        "series": [{"kind": s[0]["kind"], "scope": s[0]["scope"], "label": series_label(s[0]["kind"], s[0]["scope"]),
                    "figure": FIGURE_OF_KIND.get(s[0]["kind"]), "columns": [column_view(c) for c in s],
                    "totals": total_rows(s, totals, True), "functional": functional_rows(s, lines, True)}
                   for s in series],
        "undated": undated, "charts": agency_charts(store, iri, series),
        "compare_with_href": "/compare?" + urlencode({"agency": agency_key(iri)}),
    }


def agency_key(iri: str) -> str:
    """The short name of an agency the several-agency page takes (the inverse of agency_iri)."""
    return iri[len(ID) + len("agency/"):] if iri.startswith(ID + "agency/") else iri


def agency_iri(key: str) -> str:
    """An agency named the way the forms and links do: its IRI, `agency/<id>` or `<id>`."""
    key = key.strip()
    iri = key if key.startswith(ID) else ID + (key if key.startswith("agency/") else "agency/" + key)
    try:
        NamedNode(iri)  # it goes into SPARQL text: refuse what the parser would
    except ValueError as e:
        raise ApiError(400, "bad_iri", f"agency: not a valid IRI: {iri!r} ({e})") from None
    return iri


def known_agencies(store, iris: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(iris), 500):
        found |= {r["a"]["value"] for r in terms(store, f"""SELECT ?a WHERE {{
            {values_block("a", iris[start:start + 500])} ?a a bkg:Agency }}""")}
    return found


def agencies_compare(store, year: int | None, kind: str, agencies: list[str], years: list[int]) -> dict:
    """Several agencies side by side in one year and kind (the agency's department
    disclosure before its unit one). `years` are the choices the form offers."""
    iris = list(dict.fromkeys(agency_iri(a) for a in agencies if a and a.strip()))
    if len(iris) > MAX_AGENCIES:
        raise ApiError(422, "invalid_parameter", f"agency: at most {MAX_AGENCIES} agencies at a time, got {len(iris)}")
    known = known_agencies(store, iris)
    unknown = [i for i in iris if i not in known]
    if unknown:
        raise ApiError(404, "not_found", f"not an agency: {', '.join(unknown)}")
    rows = [h for h in heads(store, iris) if h["kind"] == kind]
    if year is None and rows:
        year = max((h["year"] for h in rows if h["year"] is not None), default=None)
    chosen = {}
    for c in sorted(pick([h for h in rows if h["year"] == year]), key=lambda c: SCOPE_ORDER.get(c["scope"], 9)):
        chosen.setdefault(c["agency"], c)
    labels = lookup(store, iris, {"l": "rdfs:label"})
    columns = [chosen.get(a) or {"agency": a, "d": None, "year": year, "kind": kind, "file": None, "others": []}
               for a in iris]
    present = [c for c in columns if c["d"]]
    totals = totals_of(store, [c["d"] for c in present])
    lines = functional_lines(store, {c["d"]: c["kind"] for c in present})
    return {
        "page": "compare", "title": f"{year or ''} 年单位对比".strip(), "year": year, "kind": kind,
        "columns": [{"agency": link(c["agency"], val(labels.get(c["agency"], {}).get("l"))),
                     "disclosure": link(c["d"], c["file"]) if c["d"] else None, "source_file": c["file"],
                     "scope": c.get("scope"), "others": c["others"]} for c in columns],
        "totals": total_rows(columns, totals, False), "functional": functional_rows(columns, lines, False),
        "choices": compare_choices(store, year, iris, years),
    }


def compare_choices(store, year: int | None, selected: list[str], years: list[int], limit: int = 1000) -> dict:
    """What the several-agency form offers: the years, and the agencies with a disclosure
    in the chosen year (by name, the first `limit`), the selected ones always."""
    if year is not None:
        rows = terms(store, f"SELECT DISTINCT ?a WHERE {{ ?d bkg:fiscalYear {int(year)} ; bkg:reportingAgency ?a }}")
    else:
        rows = terms(store, "SELECT DISTINCT ?a WHERE { ?d bkg:reportingAgency ?a }")
    found = [r["a"]["value"] for r in rows]
    labels = lookup(store, list(dict.fromkeys(found + selected)), {"l": "rdfs:label"})
    ranked = sorted(found, key=lambda a: (asc(val(labels.get(a, {}).get("l"))), a))[:limit]
    shown = ranked + [a for a in selected if a not in ranked]
    return {"years": years, "kinds": [{"value": k, "label": v} for k, v in KIND_LABELS.items()],
            "agencies": [{**link(a, val(labels.get(a, {}).get("l"))), "key": agency_key(a),
                          "selected": a in selected} for a in shown],
            "truncated": len(found) > limit}


def agency_compare_href(iri: str) -> str | None:
    page = href(iri)
    return f"{page}/compare" if page else None
