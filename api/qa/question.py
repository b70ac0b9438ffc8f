"""One question's worth of state, shared by every handler: the normalized text, its
intent, the agencies and policies it names (linked against the graph's own labels), and
the reads all handlers make — a template run with the lexicon's names added, the
disclosures in scope, evidence for a graph fact, the no-answer reply."""

from __future__ import annotations

from decimal import Decimal

from api.qa import intent as intents
from api.qa.context import Context
from api.qa.linking import Disclosure, Match, mask
from api.qa.result import Result, evidence
from api.qa.sources import locate, table_row
from api.qa.text import find_policy_numbers, squash


class Question:
    def __init__(self, question: str, ctx: Context):
        self.question = question
        self.ctx = ctx
        self.lex = ctx.lexicon
        self.q = squash(question)
        self.policies = self.lex.link_policies(self.q)
        self.intent = intents.parse(self.q, has_policy=bool(self.policies) or bool(find_policy_numbers(self.q)))
        self.agencies = self.lex.link_agencies(self.q) if self.intent.kind != "policy" else []
        self.rest = mask(self.q, [(m.start, m.end) for m in self.agencies])
        self.entities: list[dict] = [{"type": "agency", "iri": m.iri, "label": self.lex.agency_labels.get(m.iri, m.entry.label),
                                      "matched": m.entry.label, "exact": m.exact} for m in self.agencies]
        self.entities += [{"type": "policy", "iri": e.iri, "label": e.label} for e in self.policies]

    def select(self, sparql: str) -> list[dict]:
        """Run a template and add the names of shared nodes from the lexicon (the
        templates leave them out, see api.qa.templates): f/y/k/a/al for ?d, code/cl/s
        for ?c, ial for ?ia, num for ?pol."""
        rows = self.ctx.store.select(sparql)
        for r in rows:
            d = self.lex.disclosure(r.get("d"))
            if d is not None:
                r.setdefault("f", d.source_file)
                r.setdefault("y", d.year)
                r.setdefault("k", d.kind)
                if not r.get("a"):
                    r["a"] = d.agency
            if r.get("a"):
                r.setdefault("al", self.lex.agency_labels.get(r["a"]))
            if r.get("c"):
                code, label, scheme = self.lex.concept_info.get(r["c"], ("", "", None))
                r.setdefault("code", code)
                r.setdefault("cl", label)
                r.setdefault("s", scheme)
            if r.get("ia"):
                r.setdefault("ial", self.lex.agency_labels.get(r["ia"]))
            if r.get("pol"):
                r.setdefault("num", self.lex.policy_info.get(r["pol"]))
        return rows

    @property
    def year(self) -> int | None:
        return self.intent.years[0] if self.intent.years else None

    def one_agency(self) -> Match | None:
        return self.agencies[0] if self.agencies else None

    def scope(self, agency: str | None, year: int | None = None) -> list[Disclosure]:
        """Disclosures a question about `agency` reads: the year it names (else newest
        first), of the kind its wording asks (预算/决算) when there is one."""
        year = self.year if year is None else year
        kind, scope = self.intent.doc_kind, self.intent.scope
        ds = self.lex.disclosures_of(agency, year, kind, scope)
        if not ds and scope:
            ds = self.lex.disclosures_of(agency, year, kind)
        if not ds and kind:
            ds = self.lex.disclosures_of(agency, year, None)
        return ds

    def disclosure(self, iri: str) -> Disclosure | None:
        return self.lex.disclosure(iri)

    def evidence_for(self, d: Disclosure | None, words: list[str], yuan: Decimal | None = None,
                     iri: str | None = None, page=None, quote: str | None = None, row: dict | None = None) -> dict:
        """Evidence for a graph fact: the place the graph's provenance points at (page,
        table title and row of `row`, a query result), quoted from the archived document;
        failing that, the row/sentence of the document that prints the label and figure."""
        src = d.source_file if d else None
        row = row or {}
        page = page if page is not None else row.get("page")
        if (page is None or not quote) and src:
            doc = self.ctx.archive.get(src)
            if doc is not None and row.get("table") and row.get("row") and not quote:
                hit = table_row(doc, str(row["table"]), int(row["row"]), [w for w in words[:1] if w])
                if hit is not None:
                    page, quote = hit[0] if page is None else page, f"{row['table']}：{hit[1]}"
            quote = quote or row.get("quote")
            if doc is not None and (page is None or not quote):
                hit = locate(doc, words, yuan)
                if hit is None and yuan is not None:
                    hit = locate(doc, words[:1], None)
                if hit is not None:
                    page = hit[0] if page is None else page
                    quote = quote or hit[1]
                elif page is None:
                    page = doc.pages[0].number if doc.pages else 1
        return evidence(src, page if page is not None else 1, quote or " ".join(w for w in words if w),
                        iri or (d.iri if d else None))

    def no_answer(self, what: str, sparql: str | None = None) -> Result:
        return Result(self.question, f"未找到{what}。", None, None, [], sparql, self.intent.kind, self.entities)

    def agency_name(self, iri: str | None) -> str:
        return self.lex.agency_labels.get(iri, "") if iri else ""
