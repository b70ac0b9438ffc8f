"""Question answering over the graph, with text retrieval as the fallback.

    ctx = Context.open(db)
    answer("天门市…局2024年预算收入总额是多少？", ctx)
    → {"question", "answer", "value", "unit", "evidence": [{source_file, page, quote, iri}],
       "sparql", "intent", "entities"}

Flow: intent (api.qa.intent, from the wording) → entity linking (api.qa.linking, against
the graph's own labels) → a SPARQL query built for that intent (api.qa.templates) → an
answer sentence with the figure and its unit, plus evidence. Facts the graph has no term
for are read from the archived document's tables by row label (api.qa.sources); anything
else goes to text retrieval with an extractive answer. When nothing supports an answer the
reply says 未找到… and carries no value — never a guess.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from api.qa import intent as intents
from api.qa import templates as T
from api.qa.linking import Disclosure, Lexicon, Match, mask
from api.qa.sources import Archive, locate, row_lookup, table_row
from api.qa.text import find_policy_numbers, format_count, format_signed_wan, format_wan, squash
from kg.store import StoreError

log = logging.getLogger("budgetkg.qa")
MAX_QUESTION = 500  # characters read of a question; longer input is cut, not refused

KIND_WORD = {"budget": "预算", "final_account": "决算", None: "公开"}
FUNCTIONAL = "https://w3id.org/budgetkg/def#FunctionalClassification"
ECONOMIC = "https://w3id.org/budgetkg/def#EconomicClassification"


# --- context ------------------------------------------------------------------------


class Context:
    """What answering needs: the store, the lexicon of names (loaded once, reloaded when
    the disclosures change), the document archive, and — opened lazily, since building it
    loads models — a text searcher. Build one per service and share it across requests."""

    # How often to look whether the set of disclosures changed (None: never — an owner that
    # knows when it writes, like the service, builds a new Context instead). The look lists
    # every disclosure: ~1 s at 10,000.
    RECHECK_S: float | None = 2.0

    def __init__(self, store, db: str | Path | None = None, searcher=None):
        self.store = store
        self.db = Path(db) if db else None
        self._searcher = searcher
        self._searcher_tried = searcher is not None
        self._lexicon: Lexicon | None = None
        self._signature: tuple = ()
        self._checked = 0.0
        self.archive = Archive(self.db, store)

    @classmethod
    def open(cls, db: str | Path) -> Context:
        from kg.store import open_store

        return cls(open_store(db, read_only=True), db)

    @property
    def lexicon(self) -> Lexicon:
        """The names of the graph, reloaded when the set of disclosures changed (an
        ingest or upload through the service) — checked at most every few seconds."""
        now = time.monotonic()
        if self._lexicon is None or (self.RECHECK_S is not None and now - self._checked > self.RECHECK_S):
            self._checked = now
            try:
                sig = tuple(sorted(d.sha256 for d in self.store.documents()))
            except Exception:  # noqa: BLE001 - a store without provenance triples: load once
                sig = ()
            if self._lexicon is None or sig != self._signature:
                self.archive = Archive(self.db, self.store)
                self._lexicon = Lexicon.load(self.store, name_for=self._name_from_title)
                self._signature = sig
        return self._lexicon

    def _name_from_title(self, source_file: str) -> str | None:
        """The agency a disclosure's title names ("某某小学 2024 年单位预算公开说明"), for a
        disclosure the graph has no reporting agency for."""
        from kg.extract.header import TITLE_RE

        doc = self.archive.get(source_file)
        if doc is None:
            return None
        for b in list(doc.blocks())[:8]:
            text = " ".join(getattr(b, "text", "").split())
            m = TITLE_RE.search(text)
            if m:
                name = re.sub(r"[\s:：]+", "", text[: m.start()])
                if 4 <= len(name) <= 40 and re.fullmatch(r"[\u4e00-\u9fff（）()]+", name):
                    return name
        return None

    def refresh(self) -> None:
        """Forget cached names and documents (after an ingest changed the store)."""
        self._lexicon = None
        self.archive = Archive(self.db, self.store)

    @property
    def searcher(self):
        if not self._searcher_tried:
            self._searcher_tried = True
            if self.db is not None:
                try:
                    from search.retrieve import Searcher

                    self._searcher = Searcher.open(self.db)
                except Exception:  # noqa: BLE001 - no index / no search package: archive scan instead
                    self._searcher = None
        return self._searcher

    def close(self) -> None:
        try:
            self.store.close()
        except Exception:  # noqa: BLE001
            pass


# --- result ---------------------------------------------------------------------------


@dataclass
class Result:
    question: str
    answer: str
    value: object = None
    unit: str | None = None
    evidence: list[dict] = field(default_factory=list)
    sparql: str | None = None
    intent: str = "text"
    entities: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.answer, "value": self.value, "unit": self.unit,
                "evidence": self.evidence, "sparql": self.sparql, "intent": self.intent, "entities": self.entities}


def _ev(source_file, page, quote, iri=None) -> dict:
    return {"source_file": source_file or None, "page": int(page) if page is not None else None,
            "quote": (quote or "")[:300], "iri": iri}


def _money(v) -> str:
    return format(Decimal(v).normalize(), "f") if v is not None else None


def _wan_value(yuan: Decimal) -> str:
    return format_wan(yuan)[:-2]


def _year_word(d: Disclosure | None) -> str:
    return f"{d.year}年" if d and d.year else ""


class Answerer:
    """One question's worth of state: the normalized text, intent and links."""

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

    # --- helpers -------------------------------------------------------------------
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
        return _ev(src, page if page is not None else 1, quote or " ".join(w for w in words if w), iri or (d.iri if d else None))

    def no_answer(self, what: str, sparql: str | None = None) -> Result:
        return Result(self.question, f"未找到{what}。", None, None, [], sparql, self.intent.kind, self.entities)

    def agency_name(self, iri: str | None) -> str:
        return self.lex.agency_labels.get(iri, "") if iri else ""

    # --- dispatch ----------------------------------------------------------------------
    def run(self) -> Result:
        kind = self.intent.kind
        handler = {"policy": self.policy, "code": self.code, "projects": self.projects, "basis": self.basis,
                   "parent": self.parent, "units": self.units, "staff": self.staff,
                   "superlative": self.superlative, "compare": self.compare, "sum": self.sum,
                   "duty": self.text}.get(kind, self.amount)
        res = handler()
        if res is None:
            res = self.text()
        return res

    # --- policy -> projects / agencies ---------------------------------------------------
    def policy(self) -> Result | None:
        if not self.policies:
            from api.qa.retrieval import number_mention

            nums = find_policy_numbers(self.q)
            # Not in the graph: a sentence of the documents that cites it may still say
            # which project it funds.
            found = number_mention(self, nums[0]) if nums else None
            return found or self.no_answer(f"文号为{nums[0][1]}年{nums[0][2]}号的政策文件" if nums else "相关政策文件")
        pols = [e.iri for e in self.policies]
        sparql = T.policy_links(policies=pols)
        rows = self.select(sparql)
        label = "、".join(e.label for e in self.policies)
        if not rows:
            sparql2 = T.policy_disclosures(pols)
            refs = self.select(sparql2)
            if not refs:
                return self.no_answer(f"引用{label}的项目", sparql)
            names = sorted({f"{r['al']}{r['y']}年" for r in refs if r["al"]})
            ev = [self.evidence_for(self.disclosure(r["d"]), [self.policies[0].label.split("〔")[0]], None)
                  for r in refs[:3]]
            return Result(self.question, f"{label}被{'、'.join(names)}的公开文件引用，但未关联到具体项目。",
                          names, None, ev, sparql2, "policy", self.entities)
        by_project: dict[str, dict] = {}
        for r in rows:
            by_project.setdefault(r["p"], r)
            if r.get("quote") and not by_project[r["p"]].get("quote"):
                by_project[r["p"]] = r
        parts, ev, names = [], [], []
        for r in by_project.values():
            agency = r.get("ial") or r.get("al") or ""
            amt = f"，{format_wan(r['v'])}" if r.get("v") is not None else ""
            parts.append(f"{r['pl']}（{agency}{r['y'] or ''}{'年' if r.get('y') else ''}{amt}）")
            names.append(r["pl"])
            d = self.disclosure(r["d"]) if r.get("d") else None
            ev.append(self.evidence_for(d, [r["pl"]], None, r["p"], r.get("page"), r.get("quote")))
        agencies = sorted({r.get("ial") or r.get("al") for r in by_project.values() if r.get("ial") or r.get("al")})
        if self.intent.asks_agency and not self.intent.asks_project and agencies:
            text = f"{label}支持的单位是{'、'.join(agencies)}，涉及项目：{'；'.join(parts)}。"
        else:
            text = f"以{label}为依据的项目：{'；'.join(parts)}。"
        return Result(self.question, text, names, None, ev, sparql, "policy", self.entities)

    # --- agency facts ---------------------------------------------------------------------
    def _one_agency(self) -> Match | None:
        return self.agencies[0] if self.agencies else None

    def code(self) -> Result | None:
        a = self._one_agency()
        if a is None:
            return None
        sparql = T.agency_code(a.iri)
        rows = self.select(sparql)
        name = self.agency_name(a.iri)
        if not rows:
            return None  # not in the graph: the text may say it
        codes = sorted({str(r["code"]) for r in rows})
        ds = self.scope(a.iri)
        ev = [self.evidence_for(ds[0] if ds else None, [codes[0]], None, a.iri)]
        return Result(self.question, f"{name}的单位代码是{'、'.join(codes)}。", codes[0], None, ev, sparql, "code",
                      self.entities)

    def projects(self) -> Result | None:
        a = self._one_agency()
        if a is None:
            return None
        ds = self.scope(a.iri)
        if not ds:
            return self.no_answer(f"{self.agency_name(a.iri)}的公开数据")
        d = ds[0]
        sparql = T.projects_of([d.iri])
        rows = list({r["p"]: r for r in self.select(sparql)}.values())
        if not rows:
            return self.no_answer(f"{d.agency_label}{_year_word(d)}的项目", sparql)
        parts = [f"{r['l']}（{format_wan(r['v'])}）" if r.get("v") is not None else r["l"] for r in rows]
        ev = [self.evidence_for(d, [r["l"]], Decimal(r["v"]) if r.get("v") is not None else None, r["p"], row=r)
              for r in rows[:3]]
        text = f"{d.agency_label}{_year_word(d)}{KIND_WORD.get(d.kind, '公开')}共列{len(rows)}个项目：{'；'.join(parts)}。"
        return Result(self.question, text, [r["l"] for r in rows], None, ev, sparql, "projects", self.entities)

    def basis(self) -> Result | None:
        a = self._one_agency()
        ds = self.scope(a.iri) if a else None
        ms = self.lex.link_projects(self.rest, {d.iri for d in ds} if ds else None, a.iri if a else None)
        if not ms:
            return self._cited_policies(ds[0]) if ds else None
        best = ms[0]
        iris = list(dict.fromkeys(m.iri for m in ms if m.entry.label == best.entry.label or m.iri == best.iri))
        sparql = T.policy_links(projects=iris)
        rows = self.select(sparql)
        if not rows:
            return None
        pols = list(dict.fromkeys(r.get("num") or r.get("title") for r in rows if r.get("num") or r.get("title")))
        r = next((x for x in rows if x.get("quote")), rows[0])
        d = self.disclosure(r["d"]) if r.get("d") else None
        ev = [self.evidence_for(d, [pols[0].split("〔")[0]] if pols else [r["pl"]], None, r["p"], r.get("page"),
                                r.get("quote"))]
        text = f"项目“{r['pl']}”的依据是{'、'.join(pols)}。"
        return Result(self.question, text, pols, None, ev, sparql, "basis", self.entities)

    def _cited_policies(self, d: Disclosure) -> Result | None:
        """The policies an agency's disclosure cites, when no project is named."""
        sparql = T.disclosure_policies([d.iri])
        rows = self.select(sparql)
        nums = sorted({r["num"] for r in rows if r.get("num")})
        if not nums:
            return None
        ev = [self.evidence_for(d, [nums[0].split("〔")[0]], None, d.iri)]
        text = f"{d.agency_label}{_year_word(d)}{KIND_WORD.get(d.kind, '公开')}公开引用的政策文件共{len(nums)}个：{'、'.join(nums)}。"
        return Result(self.question, text, nums, None, ev, sparql, "basis", self.entities)

    def parent(self) -> Result | None:
        a = self._one_agency()
        if a is None:
            return None
        sparql = T.parent_of(a.iri)
        rows = self.select(sparql)
        name = self.agency_name(a.iri)
        if not rows:
            return self._parent_from_text(a.iri, name)
        parents = sorted({r["pl"] for r in rows})
        ds = self.scope(a.iri)
        ev = [self.evidence_for(ds[0] if ds else None, [parents[0]], None, rows[0]["parent"])]
        return Result(self.question, f"{name}的主管部门是{'、'.join(parents)}。", parents[0] if len(parents) == 1 else parents,
                      None, ev, sparql, "parent", self.entities)

    _PARENT_TEXT = [
        re.compile(r"(?:是|为|系)(?P<p>[\u4e00-\u9fff（）]{3,30}?(?:局|委员会|委|政府|厅|部|办公室|中心))(?:的)?(?:所属|下属|直属|二级单位)"),
        re.compile(r"(?:主管部门|上级主管部门|主管单位|隶属于|归口)(?:为|是|：|:)?(?P<p>[\u4e00-\u9fff（）]{3,30}?(?:局|委员会|委|政府|厅|部|办公室))"),
    ]

    def _parent_from_text(self, agency: str, name: str) -> Result | None:
        """"X是Y所属…单位" / "主管部门为Y": the parent as the agency's own disclosure says it,
        for an agency the graph gives no org:subOrganizationOf."""
        for d in self.scope(agency)[:3]:
            doc = self.ctx.archive.get(d.source_file)
            if doc is None:
                continue
            for b in doc.blocks():
                text = getattr(b, "text", None)
                if not text or (name not in squash(text) and "本单位" not in text and "本部门" not in text):
                    continue
                for rx in self._PARENT_TEXT:
                    m = rx.search(squash(text))
                    if m and m.group("p") != squash(name):
                        parent = m.group("p")
                        return Result(self.question, f"{name}的主管部门是{parent}（据公开文件正文）。", parent, None,
                                      [_ev(d.source_file, b.page, text.strip(), d.iri)], None, "parent", self.entities)
        return None

    def units(self) -> Result | None:
        a = self._one_agency()
        if a is None:
            return None
        sparql = T.units_of(a.iri)
        rows = self.select(sparql)
        name = self.agency_name(a.iri)
        if not rows:
            return None  # not in the graph: the text may say it
        units = list(dict.fromkeys(r["ul"] for r in rows))
        ds = self.scope(a.iri)
        ev = [self.evidence_for(ds[0] if ds else None, units[:2], None, a.iri)]
        return Result(self.question, f"{name}的内设机构有{len(units)}个：{'、'.join(units)}。", units, None, ev, sparql,
                      "units", self.entities)

    def staff(self) -> Result | None:
        a = self._one_agency()
        prop = self.intent.staff
        word = intents.TOTAL_NAMES[prop]
        if a is None:
            return None
        ds = self.scope(a.iri)
        if not ds:
            return self.no_answer(f"{self.agency_name(a.iri)}{self.year or ''}{'年' if self.year else ''}的公开数据")
        sparql = T.disclosure_total(prop, [d.iri for d in ds])
        rows = {r["d"]: r for r in self.select(sparql)}
        for d in ds:
            r = rows.get(d.iri)
            if r is None:
                continue
            n = int(r["v"])
            ev = [self.evidence_for(d, [word[:2]], None, d.iri)]
            ev[0] = self._count_evidence(d, word, n) or ev[0]
            return Result(self.question, f"{d.agency_label}{_year_word(d)}的{word}为{format_count(n)}。", n, "人", ev,
                          sparql, "staff", self.entities)
        return self.no_answer(f"{self.agency_name(a.iri)}的{word}", sparql)

    def _count_evidence(self, d: Disclosure, word: str, n: int) -> dict | None:
        doc = self.ctx.archive.get(d.source_file)
        if doc is None:
            return None
        for blk in doc.blocks():
            text = getattr(blk, "text", None)
            if text is None:
                continue
            for sent in re.split(r"(?<=[。；;])", text):
                s = squash(sent)
                if word[:2] in s and re.search(rf"(?<!\d){n}(?!\d)", s):
                    return _ev(d.source_file, blk.page, sent.strip(), d.iri)
        return None

    # --- amounts -----------------------------------------------------------------------
    def measures(self, text: str, disclosures: list[Disclosure] | None, agency: str | None) -> list[tuple]:
        """What figure the question asks for, best reading first: ("total", prop) |
        ("project", [Match]) | ("line", [concept IRIs], column) | ("row", term).
        A total's wording wins unless a longer exact name contains it; projects and
        classification lines compete on link weight (how much of the question they
        explain); a table row by label comes last."""
        out: list[tuple[tuple, tuple]] = []
        it = self.intent
        dset = {d.iri for d in disclosures} if disclosures else None
        projects = self.lex.link_projects(text, dset, agency) if (dset or agency or disclosures is None) else []
        concepts = self._concepts(text)
        if it.total and not it.qualified:
            pos = text.find(it.total_word)
            covered = any(m.exact and m.start <= pos and pos + len(it.total_word) <= m.end
                          and m.length > len(it.total_word) for m in projects)
            named = bool(projects) or bool(concepts)
            weak = it.total_word in intents.WEAK_TOTAL_WORDS and named
            if not covered and not weak and not (concepts and concepts[1] and concepts[2] > len(it.total_word)):
                out.append(((2, 999.0), ("total", it.total)))
        if projects:
            # The likeliest disclosure (newest, budget, department) that names the project
            # about as well as the best match does.
            top = projects[0].score
            order = {d.iri: i for i, d in enumerate(disclosures or [])}
            good = [m for m in projects if m.score >= 0.8 * top]
            best = min(good, key=lambda m: (order.get(m.entry.meta[0], len(order)), -m.score))
            same = [best] + [m for m in projects if m.iri != best.iri and m.entry.label == best.entry.label
                             and m.entry.meta[0] == best.entry.meta[0]]
            out.append(((1, best.score), ("project", same)))
        if concepts:
            iris, exact, length, weight = concepts
            column = it.line_column or "amount"
            out.append(((1, weight), ("line", iris, column)))
        term = self.term(text)
        if term:
            out.append(((0, len(term)), ("row", term)))
        out.sort(key=lambda x: x[0], reverse=True)
        return [m for _, m in out]

    def _concepts(self, text: str) -> tuple[list[str], bool, int, float] | None:
        for code in self.intent.codes:
            es = self.lex.concepts_by_code.get(code)
            if es:
                return [e.iri for e in es], True, 99, 999.0
        ms = self.lex.link_concepts(text)
        if not ms:
            return None
        best = ms[0]
        same = [m.iri for m in ms if m.entry.name == best.entry.name or (m.exact == best.exact and m.score == best.score
                                                                        and m.length == best.length)]
        return list(dict.fromkeys(same)), best.exact, best.length, best.score

    _TRAIL = re.compile(r"(?:是多少|为多少|有多少|是几|多少钱|多少|是什么|有哪些|情况|如何|怎样|怎么样|\?|？|。|!|！|吗|呢|"
                        r"是?哪(?:个|一个|家)(?:单位|部门|机构)?|是谁|"
                        r"分别|各|共|一共|总共|数额|金额|数|的|资金量|安排了?|预算数?|决算数?|万元|元|科目上?|上)$")
    _LEAD = re.compile(r"^(?:请问|在|的|年度|年|中|里|其中|于|对|关于|用于)")

    def term(self, text: str) -> str:
        """The phrase a question asks the figure of, once agency, year and question words
        are gone: "…中心2024年一般公共预算拨款收入是多少？" → "一般公共预算拨款收入"."""
        t = re.sub(r"(?:19|20)\d{2}(?:年度|年)", "\u3000", text)
        parts = [p for p in re.split(r"[\u3000\s,，、]+", t) if p]
        best = ""
        for p in parts:
            prev = None
            while prev != p:
                prev = p
                p = self._TRAIL.sub("", p)
                p = self._LEAD.sub("", p)
            if "的" in p:
                p = p.split("的")[-1] or p
            if len(p) > len(best):
                best = p
        return best if len(best) >= 2 else ""

    def amount(self, agency: Match | None = None, year: int | None = None) -> Result | None:
        a = agency or self._one_agency()
        ds = self.scope(a.iri, year) if a else self.scope(None, year)
        if a and not ds:
            y = year or self.year
            return self.no_answer(f"{self.agency_name(a.iri)}{y or ''}{'年' if y else ''}的公开数据")
        if a is None:
            unknown = _ORG.search(self.rest)
            if unknown and not any(unknown.group(0) in e.name for e in self.lex.projects.entries):
                # The question names an agency the graph does not know: another agency's
                # project or line of the same name is not its answer.
                return self.no_answer(f"名为“{unknown.group(0)}”的单位的公开数据")
        # Without an agency the year and kind the question names still narrow the search.
        narrowed = a is not None or self.year is not None or self.intent.doc_kind is not None
        for m in self.measures(self.rest, ds if narrowed else None, a.iri if a else None):
            res = self.read_measure(m, a, ds)
            if res is not None:
                return res
        return None

    ROW_SCAN = 200  # documents a row lookup opens when the question names no agency

    def _row_candidates(self, term: str, ds: list[Disclosure], a: Match | None) -> list[Disclosure]:
        """The disclosures whose tables a row lookup reads. With an agency, all of its own.
        Without one `ds` can be the whole corpus, and reading every document for a term no
        table has took over a minute at 10,000: the disclosures the keyword index finds the
        term in come first, and at most ROW_SCAN are opened."""
        if a is not None or len(ds) <= self.ROW_SCAN:
            return ds
        first: list[str] = []
        searcher = self.ctx.searcher
        if searcher is not None:
            try:
                first = [h.source_file for h in searcher.search(term, k=self.ROW_SCAN, mode="bm25")]
            except Exception:  # noqa: BLE001 - no usable index: keep the given order
                first = []
        rank = {f: i for i, f in reversed(list(enumerate(first)))}
        ordered = sorted(ds, key=lambda d: rank.get(d.source_file, len(first)))  # stable: ds order otherwise
        return ordered[:self.ROW_SCAN]

    def _first_totals(self, prop: str, ds: list[Disclosure], batch: int = 200) -> list[tuple[Disclosure, dict]]:
        """(disclosure, row) for the disclosures in `ds` that state `prop`, in `ds` order —
        read in batches and only as far as an answer needs: eight figures from more than
        one agency (what _many shows), or all of them. Without an agency in the question
        `ds` is every disclosure, and one query over 10,000 took seconds."""
        hits: list[tuple[Disclosure, dict]] = []
        for i in range(0, len(ds), batch):
            part = ds[i:i + batch]
            rows = {r["d"]: r for r in self.select(T.disclosure_total(prop, [d.iri for d in part]))}
            hits += [(d, rows[d.iri]) for d in part if d.iri in rows]
            if len(hits) >= 8 and len({d.agency for d, _ in hits}) > 1:
                break
        return hits

    def read_measure(self, m: tuple, a: Match | None, ds: list[Disclosure]) -> Result | None:
        kind = m[0]
        if kind == "total":
            prop = m[1]
            word = intents.TOTAL_NAMES.get(prop, self.intent.total_word or prop)
            hits = self._first_totals(prop, ds)
            if not hits:
                return None
            sparql = T.disclosure_total(prop, [d.iri for d, _ in hits[:8]])  # what the answer shows
            if a is None and len({d.agency for d, _ in hits}) > 1:
                return self._many(hits, word, sparql)
            d, r = hits[0]
            v = Decimal(r["v"])
            ev = [self.evidence_for(d, [self.intent.total_word or word[:2]], v, d.iri, row=r)]
            text = f"{d.agency_label}{_year_word(d)}{KIND_WORD.get(d.kind, '公开')}{word}为{format_wan(v)}。"
            return Result(self.question, text, _wan_value(v), "万元", ev, sparql, "total", self.entities)
        if kind == "project":
            matches: list[Match] = m[1]
            sparql = T.project_amounts([x.iri for x in matches])
            rows = [r for r in self.select(sparql) if r.get("v") is not None]
            if not rows:
                return None
            order = {d.iri: i for i, d in enumerate(ds)} if ds else {}
            rows.sort(key=lambda r: (order.get(r.get("d"), 999), -(r.get("y") or 0)))
            r = rows[0]
            v = Decimal(r["v"])
            d = self.disclosure(r["d"]) if r.get("d") else None
            self.entities.append({"type": "project", "iri": r["p"], "label": r["l"], "matched": matches[0].entry.label,
                                  "exact": matches[0].exact})
            ev = [self.evidence_for(d, [r["l"]], v, r["p"], row=r)]
            who = f"{r.get('al') or ''}{_year_word(d)}" if d else ""
            text = f"{who}项目“{r['l']}”的金额为{format_wan(v)}。"
            return Result(self.question, text, _wan_value(v), "万元", ev, sparql, "project", self.entities)
        if kind == "line":
            iris, column = m[1], m[2]
            sparql = T.line_amounts(iris, [d.iri for d in ds] if ds else None, column,
                                    None if ds else self.year, None if ds else self.intent.doc_kind)
            rows = self.select(sparql)
            if not rows:
                return None
            order = {d.iri: i for i, d in enumerate(ds)} if ds else {}
            rows.sort(key=lambda r: (order.get(r["d"], 999), _scheme_rank(r.get("s"), self.q), self._figure_rank(r),
                                     -(r.get("y") or 0)))
            if a is None and len({r["a"] for r in rows}) > 1:
                first = rows[0]
                per_d: dict[str, dict] = {}
                for r in rows:  # sorted: each disclosure's preferred figure comes first
                    if r["c"] == first["c"]:
                        per_d.setdefault(r["d"], r)
                hits = [(self.disclosure(r["d"]), r) for r in per_d.values()]
                return self._many([(d, r) for d, r in hits if d], f"{first['cl'] or first['code']}", sparql)
            r = rows[0]
            d = self.disclosure(r["d"])
            v = Decimal(r["v"])
            label = r.get("cl") or ""
            code = r.get("code") or ""
            self.entities.append({"type": "concept", "iri": r["c"], "label": label, "notation": code})
            col = {"basicExpenditure": "基本支出", "projectExpenditure": "项目支出", "personnelExpenditure": "人员经费",
                   "publicExpenditure": "公用经费"}.get(column, "")
            ev = [self.evidence_for(d, [label or code], v, r["l"], row=r)]
            figure = {"budget": "预算", "outturn": "决算"}.get(r.get("ft")) or KIND_WORD.get(d.kind if d else None, '公开')
            text = (f"{r.get('al') or ''}{_year_word(d)}“{label}”（{code}）科目{col}{figure}数"
                    f"为{format_wan(v)}。")
            return Result(self.question, text, _wan_value(v), "万元", ev, sparql, "line", self.entities)
        if kind == "row":
            term = m[1]
            found = []
            for d in self._row_candidates(term, ds or [], a):
                doc = self.ctx.archive.get(d.source_file)
                hits = row_lookup(doc, term) if doc is not None else []
                if hits:
                    found.append((d, hits[0]))
                    if a is not None or len(found) >= 8:
                        break
            if not found:
                return None
            if a is None and len({d.agency for d, _ in found}) > 1:
                parts = [f"{d.agency_label}{_year_word(d)}{format_wan(h.value_yuan)}" for d, h in found]
                ev = [_ev(d.source_file, h.page, h.quote, d.iri) for d, h in found[:3]]
                return Result(self.question, f"问题未指明单位，各单位的{found[0][1].label}：{'；'.join(parts)}。",
                              [_wan_value(h.value_yuan) for _, h in found], "万元", ev, None, "table", self.entities)
            d, h = found[0]
            ev = [_ev(d.source_file, h.page, h.quote, d.iri)]
            text = f"{d.agency_label}{_year_word(d)}{h.label}为{format_wan(h.value_yuan)}（据{h.table_title or '公开表格'}）。"
            return Result(self.question, text, _wan_value(h.value_yuan), "万元", ev, None, "table", self.entities)
        return None

    _BUDGET_FIGURE = re.compile(r"年初预算|预算数|调整预算|全年预算")

    def _figure_rank(self, r: dict) -> int:
        """A final account prints a line's 年初预算 and its 决算数 (bkg:figureType budget /
        outturn): the outturn is the answer unless the question asks for the budget figure."""
        ft = r.get("ft")
        if ft is None:
            return 1
        want = "budget" if (r.get("k") != "final_account" or self._BUDGET_FIGURE.search(self.q)) else "outturn"
        return 0 if ft == want else 2

    def _many(self, hits: list[tuple[Disclosure, dict]], word: str, sparql: str) -> Result:
        """The question named no agency and several have the figure: list them all."""
        hits = hits[:8]
        parts = [f"{d.agency_label}{_year_word(d)}{format_wan(r['v'])}" for d, r in hits]
        ev = [self.evidence_for(d, [word[:4]], Decimal(r["v"]), d.iri, row=r) for d, r in hits[:3]]
        return Result(self.question, f"问题未指明单位，各单位的{word}：{'；'.join(parts)}。",
                      [_wan_value(Decimal(r["v"])) for _, r in hits], "万元", ev, sparql, "total", self.entities)

    # --- across agencies / years ----------------------------------------------------
    def _ranked(self, year: int | None) -> tuple[list[tuple[Disclosure, Decimal, dict]], str, str] | None:
        """Every disclosure's figure for the measure the question names, for ranking."""
        kind = self.intent.doc_kind
        for m in self.measures(self.rest, [], None):
            if m[0] == "total":
                sparql = T.total_ranking(m[1], year, kind)
                rows = self.select(sparql)
                word = intents.TOTAL_NAMES.get(m[1], m[1])
            elif m[0] == "line":
                sparql = T.line_amounts(m[1], None, m[2], year, kind)
                rows = self.select(sparql)
                if rows:
                    best_scheme = min(rows, key=lambda r: _scheme_rank(r.get("s"), self.q)).get("s")
                    rows = [r for r in rows if r.get("s") == best_scheme]
                    # One figure per disclosure: a final account's outturn, not its 年初预算.
                    best_ft = {}
                    for r in rows:
                        best_ft[r["d"]] = min(best_ft.get(r["d"], 9), self._figure_rank(r))
                    rows = [r for r in rows if self._figure_rank(r) == best_ft[r["d"]]]
                word = (rows[0].get("cl") or rows[0].get("code")) if rows else ""
            else:
                continue
            per_d: dict[str, tuple[Disclosure, Decimal, dict]] = {}
            if self.intent.scope:
                rows = [r for r in rows if getattr(self.disclosure(r["d"]), "scope", None) == self.intent.scope] or rows
            for r in rows:
                d = self.disclosure(r["d"])
                if d is None:
                    continue
                v = Decimal(r["v"])
                if r["d"] not in per_d or v > per_d[r["d"]][1]:
                    per_d[r["d"]] = (d, v, r)
            if per_d:
                return list(per_d.values()), word, sparql
        return None

    def superlative(self) -> Result | None:
        if self.intent.asks_project and not self.intent.asks_agency:
            return self._top_project()
        got = self._ranked(self.year)
        if got is None:
            return None
        items, word, sparql = got
        # One figure per agency: its newest disclosure within the question's scope.
        per_agency: dict[str, tuple[Disclosure, Decimal, dict]] = {}
        for d, v, r in sorted(items, key=lambda x: (-(x[0].year or 0), x[0].kind != "budget", x[0].scope == "unit")):
            per_agency.setdefault(d.agency, (d, v, r))
        ranked = sorted(per_agency.values(), key=lambda x: x[1], reverse=self.intent.direction == "max")
        d, v, r = ranked[0]
        top = "最高" if self.intent.direction == "max" else "最低"
        others = "；".join(f"{x[0].agency_label}{format_wan(x[1])}" for x in ranked[1:4])
        yw = f"{self.year}年" if self.year else ""
        text = f"{yw}{word}{top}的单位是{d.agency_label}（{format_wan(v)}）。" + (f"其余：{others}。" if others else "")
        ev = [self.evidence_for(d, [word], v, r.get("l") or d.iri, row=r)]
        return Result(self.question, text, d.agency_label, None, ev, sparql, "superlative", self.entities)

    def _top_project(self) -> Result | None:
        a = self._one_agency()
        ds = self.scope(a.iri) if a else self.scope(None)
        if not ds:
            return None
        dset = {d.iri for d in (ds[:1] if a else ds)}
        projects = [e for e in self.lex.projects.entries if e.meta[0] in dset]
        if not projects:
            return None
        sparql = T.project_amounts(list(dict.fromkeys(e.iri for e in projects)))
        rows = [r for r in self.select(sparql) if r.get("v") is not None]
        if not rows:
            return None
        rows.sort(key=lambda r: Decimal(r["v"]), reverse=self.intent.direction == "max")
        r = rows[0]
        d = self.disclosure(r["d"])
        v = Decimal(r["v"])
        top = "最高" if self.intent.direction == "max" else "最低"
        text = f"{r.get('al') or ''}{_year_word(d)}金额{top}的项目是“{r['l']}”（{format_wan(v)}）。"
        ev = [self.evidence_for(d, [r["l"]], v, r["p"], row=r)]
        return Result(self.question, text, r["l"], None, ev, sparql, "superlative", self.entities)

    def compare(self) -> Result | None:
        years = self.intent.years
        pairs: list[tuple[Match, int | None]] = []
        if len(self.agencies) >= 2:
            pairs = [(m, self.year) for m in self.agencies[:2]]
        elif self.agencies and len(years) >= 2:
            pairs = [(self.agencies[0], y) for y in years[:2]]
        elif self.agencies and self.intent.previous_year:
            ds = self.scope(self.agencies[0].iri)
            if not ds or ds[0].year is None:
                return None
            y = ds[0].year
            if not self.lex.disclosures_of(self.agencies[0].iri, y - 1, None):
                return None  # the year before is not in the graph: the text may say how it changed
            pairs = [(self.agencies[0], y), (self.agencies[0], y - 1)]
        else:
            return None
        results = []
        for m, y in pairs:
            r = self.amount(m, y)
            if r is None or r.value is None or not isinstance(r.value, str):
                return None
            results.append(r)
        v0, v1 = (Decimal(r.value) * 10000 for r in results)
        diff = v0 - v1
        if pairs[0][0].iri != pairs[1][0].iri:
            names = [self.agency_name(m.iri) for m, _ in pairs]
        else:
            names = [f"{y}年" for _, y in pairs]
        text = "；".join(r.answer.rstrip("。") for r in results) + "。"
        if diff == 0:
            text += f"{names[0]}与{names[1]}持平。"
        else:
            change = (f"{'多' if diff > 0 else '少'}{format_wan(abs(diff))}" if pairs[0][0].iri != pairs[1][0].iri
                      else format_signed_wan(diff))
            text += f"{names[0]}比{names[1]}{change}。"
        ev = [e for r in results for e in r.evidence]
        return Result(self.question, text, [r.value for r in results], "万元", ev, results[0].sparql, "compare", self.entities)

    def sum(self) -> Result | None:
        got = self._ranked(self.year)
        if got is None:
            return None
        items, word, sparql = got
        total = sum((v for _, v, _ in items), Decimal(0))
        yw = f"{self.year}年" if self.year else ""
        text = f"{yw}{len(items)}个公开文件的{word}合计为{format_wan(total)}。"
        ev = [self.evidence_for(d, [word], v, d.iri) for d, v, _ in items[:5]]
        return Result(self.question, text, _wan_value(total), "万元", ev, sparql, "sum", self.entities)

    # --- text ------------------------------------------------------------------------
    def text(self) -> Result:
        from api.qa.retrieval import extractive_answer

        return extractive_answer(self)


# An organisation's name as people write it: a run of characters ending in an agency word.
_ORG = re.compile(r"(?:(?!哪|所有|各)[\u4e00-\u9fffA-Za-z]){3,}?(?:委员会|办公室|中心|局|大队|支队|研究所|研究院|医院|学校|"
                  r"管理处|站|馆|院|所|小学|中学|学校|幼儿园|学院|大学)(?!经费|资金|项目|专项|补助)")


def _scheme_rank(scheme: str | None, q: str) -> int:
    """Which classification to read when a name is in several: the one the question names,
    else functional (支出功能分类, where 科目 questions point), else economic."""
    if "经济分类" in q:
        return 0 if scheme == ECONOMIC else 1
    if "功能分类" in q or "科目" in q:
        return 0 if scheme == FUNCTIONAL else 1
    return {ECONOMIC: 0, FUNCTIONAL: 1}.get(scheme, 2)


def answer(question: str, ctx: Context) -> dict:
    """Answer one question. Never raises on odd input: a blank question gets a short reply."""
    question = " ".join((question or "").split())[:MAX_QUESTION]
    if not question:
        return Result(question, "请输入问题。", intent="empty").to_dict()
    try:
        return Answerer(question, ctx).run().to_dict()
    except StoreError as e:
        return Result(question, f"无法回答：{e}", intent="error").to_dict()
    except Exception as e:  # noqa: BLE001 - one odd question must not take the service down
        log.exception("question answering failed for %r", question)
        return Result(question, f"无法回答：内部错误（{type(e).__name__}）。", intent="error").to_dict()
