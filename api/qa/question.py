"""One question's worth of state, shared by every handler: the normalized text, its
intent, the agencies and policies it names (linked against the graph's own labels), and
the reads all handlers make — a template run with the lexicon's names added, the
disclosures in scope, evidence for a graph fact, the no-answer reply."""

from __future__ import annotations

import re
from decimal import Decimal

from api.qa import intent as intents
from api.qa.context import Context
from api.qa.linking import Disclosure, Entry, Match, mask
from api.qa.result import Result, evidence
from api.qa.sources import locate_in, on_page, table_row
from api.qa.text import find_policy_numbers, squash
from kg import vocab as V


class Question:
    def __init__(self, question: str, ctx: Context):
        self.question = question
        self.ctx = ctx
        self.lex = ctx.lexicon
        self.q = squash(question)
        self.policies = self.lex.link_policies(self.q)
        # A project's own name says nothing about what is asked ("城市最低生活保障资金" asks for
        # no minimum): the wording is read with the names of projects written in full masked.
        named = [(i, i + len(e.name)) for e in self.lex.projects.candidates(self.q) if len(e.name) >= 5
                 for i in [self.q.find(e.name)] if i >= 0]
        self.intent = intents.parse(mask(self.q, named),
                                    has_policy=bool(self.policies) or bool(find_policy_numbers(self.q)))
        self.agencies = self.lex.link_agencies(self.q) if self.intent.kind != "policy" else []
        self.ambiguous: list[Match] = []  # names that still fit several agencies after year and kind
        for m in self.agencies:
            self._resolve(m)
        self.rest = mask(self.q, [(m.start, m.end) for m in self.agencies])
        self.unresolved = unresolved_names(self.rest, self.lex) if self.intent.kind != "policy" else []
        self.entities: list[dict] = [{"type": "agency", "iri": m.iri, "label": self.lex.agency_labels.get(m.iri, m.entry.label),
                                      "matched": self.q[m.start:m.end], "exact": m.exact, "how": m.how}
                                     for m in self.agencies]
        self.entities += [{"type": "policy", "iri": e.iri, "label": e.label} for e in self.policies]

    def _resolve(self, m: Match) -> None:
        """A name several agencies share ("县人社局"): keep those with a disclosure of the
        year, kind and scope the question asks; one left is the answer's, else it stays
        ambiguous and the answer lists them."""
        if not m.rivals:
            return
        everyone = [m.iri] + m.rivals
        year, kind, scope = self.year, self.intent.doc_kind, self.intent.scope
        fits = [a for a in everyone if self.lex.disclosures_of(a, year, kind, scope)] if (year or kind or scope) else []
        if len(fits) == 1:
            m.entry = Entry(fits[0], m.entry.name, self.lex.agency_labels.get(fits[0], m.entry.label), "agency")
            m.rivals = []
            m.how += "+year" if year else "+kind"
            return
        keep = fits if len(fits) > 1 else everyone
        if m.iri not in keep:
            m.entry = Entry(keep[0], m.entry.name, self.lex.agency_labels.get(keep[0], m.entry.label), "agency")
        m.rivals = [a for a in keep if a != m.iri]
        self.ambiguous.append(m)

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

    def scope(self, agency: str | None, year: int | None = None, kind: str | None = "", scope: str | None = ""
              ) -> list[Disclosure]:
        """Disclosures a question about `agency` reads: the year it names (else newest
        first), of the kind its wording asks (预算/决算) when there is one. `kind` and
        `scope` override the wording's (a comparison of a budget with its final account)."""
        year = self.year if year is None else year
        kind = self.intent.doc_kind if kind == "" else kind
        scope = self.intent.scope if scope == "" else scope
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
        failing that, the row/sentence of the document that prints the label and figure.

        A disclosure printed in several files (kg.publication) counts each file's pages on
        their own: the file cited is the one the provenance names (bkg:fromFile, a row's
        `file`), else the one the quote was found in — never just the disclosure's first."""
        row = row or {}
        page = page if page is not None else row.get("page")
        quote = quote or row.get("quote")
        named = row.get("file")
        files = [str(named)] if named else self.ctx.archive.files_of(d.iri, d.source_file) if d else []
        src = files[0] if files else None
        if (page is None or not quote) and files:
            docs = [doc for f in files if (doc := self.ctx.archive.get(f)) is not None]
            found = False
            if row.get("table") and row.get("row") and not quote:
                for doc in docs:
                    hit = table_row(doc, str(row["table"]), int(row["row"]), [w for w in words[:1] if w])
                    if hit is not None:
                        src, found = doc.source_file, True
                        page, quote = hit[0] if page is None else page, f"{row['table']}：{hit[1]}"
                        break
            if docs and (page is None or not quote):
                # With a page but no file, the page is not the quote's unless the quote's file
                # is the only one; the quote's own page is cited then.
                unplaced = page is not None and len(docs) > 1 and not named and not found
                hit = locate_in(docs, words, yuan)
                if hit is None and yuan is not None:
                    hit = locate_in(docs, words[:1], None)
                if hit is not None:
                    src = hit[0].source_file
                    page = hit[1] if page is None or unplaced else page
                    quote = quote or hit[2]
                elif page is None:
                    page = docs[0].pages[0].number if docs[0].pages else 1
        elif quote and page is not None and len(files) > 1:
            # a quote the graph records with a page: the file that prints it there
            src = next((f for f in files if (doc := self.ctx.archive.get(f)) is not None
                        and on_page(doc, int(page), quote)), src)
        return evidence(src, page if page is not None else 1, quote or " ".join(w for w in words if w),
                        iri or (d.iri if d else None))

    def no_answer(self, what: str, sparql: str | None = None, candidates: list[dict] | None = None,
                  offer: str = "") -> Result:
        """未找到…, with what is nearest (`candidates`, worded in `offer`)."""
        text = f"未找到{what}。" + (offer if offer else "")
        return Result(self.question, text, None, None, [], sparql, self.intent.kind, self.entities, confidence=0.0,
                      candidates=candidates or [])

    def agency_candidates(self, iris: list[str], why: str = "") -> list[dict]:
        return [{"type": "agency", "iri": i, "label": self.agency_name(i), "why": why} for i in iris]

    def years_of(self, agency: str) -> list[Disclosure]:
        """An agency's disclosures, newest first: what an answer offers when the year asked is
        missing. A publication printed as two files is one disclosure with two source files:
        offered once."""
        seen: set[str] = set()
        return [d for d in self.lex.disclosures_of(agency) if not (d.iri in seen or seen.add(d.iri))]

    def agency_name(self, iri: str | None) -> str:
        return self.lex.agency_labels.get(iri, "") if iri else ""


# An organisation's name as people write it: a run of characters ending in a word for a kind
# of body (局, 中心, 法院 …) and not followed by a word that makes it a fund or project.
_ORG = re.compile(r"(?:(?!哪|所有|各|全部|其他|以下|下属|所属|二级|本)[\u4e00-\u9fffA-Za-z]){2,}?"
                  r"(委员会|常委会|办公厅|办公室|人民政府|政府|检察院|法院|中心|局|厅|大队|支队|研究所|研究院|医院|"
                  r"管理处|研究所|事务所|站|馆|院|小学|中学|学校|幼儿园|学院|大学)"
                  rf"(?!经费|资金|项目|{V.SPECIAL}|补助|建设|运行|维护|改造|购置|采购|工作)")


def unresolved_names(rest: str, lex) -> list[str]:
    """Organisation names left in the question once the linked agencies are masked: names
    the graph does not know. A name inside a project, line or internal unit is not one."""
    out = []
    for m in _ORG.finditer(rest):
        name = m.group(0)
        # A one-character kind (站, 院) ends many words that are no body: a longer name only —
        # but for 局 and 厅, whose three-character names people write (社保局, 人社厅).
        short_ok = 3 if m.group(1) in ("局", "厅") else 4
        if len(name) < short_ok or (len(m.group(1)) == 1 and len(name) < 5 and m.group(1) not in ("局", "厅")):
            continue
        if any(name in e.name for e in lex.projects.entries) or any(name in e.name for e in lex.concepts.entries):
            continue
        out.append(name)
    return out
