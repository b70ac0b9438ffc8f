"""The 说明 text against itself and against the tables.

Every sentence of the narrative is read into items: a subject ("基本支出", "人大事务（款）行政
运行（项）支出"), the amount it states, and what the sentence says of it — a change ("比上年增加
844.15 万元"), a percentage change ("增长 6.59%"), a share ("占 49.55%", "占“三公”经费的
26.69%"), a completion rate ("完成年初预算的 95.45%"), a comparison ("决算数小于预算数"), an
amount for the previous year ("2025年预算执行数为 1690.69 万元") or "持平". Then:

  change_percent      a stated percentage change = the change ÷ the earlier figure
  share_of_total      a stated share = the amount ÷ the total it is a share of (the list's lead
                      figure before 其中, or the total it names: “三公”经费, 本年支出合计)
  completion_rate     完成预算的 P% = 决算 ÷ 预算 (no rate of a zero budget)
  comparison_word     决算数大于/小于/持平预算数 as the two figures say
  line_text_vs_table  an amount the text gives a 类/款/项 = that line in a table
  text_vs_table       a total the text states = the table's (each time it states it; a fund's 基本支出
                      against that fund's table)
  repeated_total      where no table prints it, a total the text states twice = itself

Each tolerates what printing allows: the digits of the percentage as printed (a unit of its last
digit, since documents round or truncate) and half a unit of each amount's last digit. Year-on-
year claims (`year_claims`) are checked against last year's disclosure in kg.checks.versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from kg import vocab as V
from kg.checks import finding
from kg.checks.precision import AMOUNT_RE, HALF, Printed, value_step
from kg.checks.structure import three_public_rows
from kg.document import Document
from kg.extract.base import Facts, Figure, FindingFact, Line, Prov, logical_paragraphs, norm
from kg.extract.lines import read_table_lines
from kg.money import normalize, parse_decimal, table_factor, to_yuan, unit_word
from kg.readers.outline import OUTLINE_RE

HUNDRED = Decimal(100)
PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)%")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_RISE = V.alternation(V.RISE_WORDS)
_FALL = V.alternation(V.FALL_WORDS)
_CHANGE_TAIL = r"(?:了|为|约|达)?$"
_RISE_BEFORE = re.compile(rf"(?:{_RISE}){_CHANGE_TAIL}")
_FALL_BEFORE = re.compile(rf"(?:{_FALL}){_CHANGE_TAIL}")
_PREV = V.alternation(V.PREVIOUS_YEAR_WORDS)
_FLAT = re.compile(rf"(?:{_PREV})[^，,。；;]{{0,12}}?(?:{V.alternation(V.FLAT_WORDS)})")
_OF_WHICH = re.compile(V.alternation(V.OF_WHICH_WORDS))
_SHARE_BEFORE = re.compile(rf"{V.SHARE_WORD}([^，,。；;{V.SHARE_WORD}]{{0,16}}?)的?$")
_COMPLETION_BEFORE = re.compile(rf"{V.COMPLETION_WORD}([^，,。；;]{{0,10}}?)的?$")
_BUDGET_WORDS = V.alternation((*V.BUDGET_FIGURE_WORDS, V.BUDGET.word))
_ROLE_BUDGET = re.compile(rf"(?:{_BUDGET_WORDS})数?(?:为|是)?$")
_ROLE_OUTTURN = re.compile(rf"{V.FINAL_ACCOUNT.word}数?(?:为|是)?$")
_COMPARE = re.compile(rf"{V.FINAL_ACCOUNT.column}(?:{V.alternation(V.GREATER_WORDS + V.LESS_WORDS)}|"
                      rf"(?:同|与)?(?:{V.OPENING_BUDGET})?{V.BUDGET.column}(?:{V.alternation(V.FLAT_WORDS)}))")
_GREATER = re.compile(V.alternation(V.GREATER_WORDS))
_LESS = re.compile(V.alternation(V.LESS_WORDS))
_MARK = re.compile(rf"[（(]\d*({V.CLASS_MARK}|{V.SECTION_MARK}|{V.ITEM_MARK})[)）]")
_LEVEL = {V.CLASS_MARK: 3, V.SECTION_MARK: 5, V.ITEM_MARK: 7}
# What is left of a subject that names nothing: a year, when, and the kind of figure.
_BARE_SUBJECT = re.compile(rf"(?:(?:19|20)\d\d年度?|当年|本年|{_BUDGET_WORDS}|{V.FINAL_ACCOUNT.word}|{V.EXECUTION_WORD}|"
                           r"安排|数|为|是|支出|其中|[:：，,])")

RULES = ("change_percent", "share_of_total", "completion_rate", "comparison_word", "line_text_vs_table", "text_vs_table",
         "repeated_total")


@dataclass
class Mention:
    value: Decimal  # yuan for an amount, percent for a percentage
    printed: str
    start: int
    end: int
    step: Decimal  # a unit of the last printed digit, in the value's unit
    role: str = "subject"  # subject | up | down | base | budget | outturn | share | completion
    base_text: str = ""  # a share's or a completion rate's named base ("“三公”经费")


@dataclass
class Item:
    """One subject of a sentence and what the sentence says of it."""

    page: int
    sentence: str
    subject: str
    value: Mention | None = None
    delta: Mention | None = None
    pct: Mention | None = None
    base: Mention | None = None  # the earlier figure the sentence compares with
    budget: list[Mention] = field(default_factory=list)
    outturn: Mention | None = None
    shares: list[Mention] = field(default_factory=list)
    completion: Mention | None = None
    flat: bool = False
    prev_year: bool = False  # the comparison is with the previous year
    compare_word: str = ""  # "决算数小于预算数", said of this item's two figures
    lead: Mention | None = None  # the list's total this item is a share of


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def _pct_step(printed: str) -> Decimal:
    return Decimal(1).scaleb(-(len(printed.split(".", 1)[1]) if "." in printed else 0))


def mentions(s: str) -> list[Mention]:
    """Amounts (in yuan) and percentages of one normalized sentence, in order."""
    out = []
    for m in AMOUNT_RE.finditer(s):
        unit = unit_word(m.group(2))
        v = to_yuan(m.group(1), unit)
        if v is None:
            continue
        digits = len(m.group(1).split(".", 1)[1]) if "." in m.group(1) else 0
        factor = to_yuan("1", unit) or Decimal(1)
        out.append(Mention(v, m.group(0), m.start(), m.end(), factor * Decimal(1).scaleb(-digits)))
    for m in PERCENT_RE.finditer(s):
        v = _dec(m.group(1))
        if v is not None:
            out.append(Mention(v, m.group(0), m.start(), m.end(), _pct_step(m.group(1)), "percent"))
    return sorted(out, key=lambda x: x.start)


def _classify(s: str, ms: list[Mention], year: int | None, final: bool) -> None:
    """Each mention's role, from the words just before it. Only a final account sets a
    budget figure against an outturn; in a budget "预算数为 X" states the subject's own figure."""
    last = 0
    for m in ms:
        before = s[max(last, m.start - 24):m.start]
        clause = re.split(r"[，,：:]", before)[-1]
        if m.role == "percent":
            if _RISE_BEFORE.search(before):
                m.role = "up"
            elif _FALL_BEFORE.search(before):
                m.role = "down"
            elif (sh := _SHARE_BEFORE.search(clause)) is not None:
                m.role, m.base_text = "share", sh.group(1)
            elif (c := _COMPLETION_BEFORE.search(clause)) is not None:
                m.role, m.base_text = "completion", c.group(1)
            else:
                m.role = "other"
        elif _RISE_BEFORE.search(before):
            m.role = "up"
        elif _FALL_BEFORE.search(before):
            m.role = "down"
        elif final and _ROLE_OUTTURN.search(clause):
            m.role = "outturn"
        elif final and _ROLE_BUDGET.search(clause) and (year is None or not _names_year(clause, year - 1)):
            m.role, m.base_text = "budget", clause
        elif year is not None and (_names_year(clause, year - 1) or re.search(_PREV, clause)):
            m.role = "base"
        last = m.end


def _names_year(text: str, year: int) -> bool:
    return re.search(rf"(?<!\d){year}年", text) is not None


def _subject(s: str, start: int, end: int) -> str:
    text = s[start:end]
    text = re.split(r"[，,：:]", text)[-1] if re.search(r"[\u4e00-\u9fff]", re.split(r"[，,：:]", text)[-1]) else text
    return _ROLE_TAIL.sub("", OUTLINE_RE.sub("", text).strip()) or text


def items(doc: Document, year: int | None, final: bool = False) -> list[Item]:
    """Every item of the narrative, in reading order, with the list lead (the total before
    其中 …) each later share refers to."""
    out: list[Item] = []
    lead: Mention | None = None
    for page, text in logical_paragraphs(doc):
        t = norm(text)
        if not t or (not AMOUNT_RE.search(t) and not PERCENT_RE.search(t)):
            if not t.endswith(("：", ":")):
                lead = None
            continue
        para: list[Item] = []
        has_share = False
        for s in _SENTENCE_END.split(t):
            ms = mentions(s)
            _classify(s, ms, year, final)
            cur: Item | None = None
            sent: list[Item] = []
            prev_end = 0
            pending_base: Mention | None = None
            for m in ms:
                new_outturn = m.role == "outturn" and cur is not None and cur.outturn is not None
                if m.role == "subject" or new_outturn:
                    cur = Item(page, s, _subject(s, prev_end, m.start), value=m if m.role == "subject" else None)
                    cur.outturn = m if new_outturn else None
                    cur.base, pending_base = pending_base, None
                    sent.append(cur)
                    nxt = next((x.start for x in ms if x.start > m.start and x.role == "subject"), len(s))
                    ow = _OF_WHICH.search(s, m.end)
                    if m.role == "subject" and ow and ow.start() < nxt:
                        lead = m
                    prev_end = m.end
                    continue
                if cur is None:
                    if m.role == "base":
                        pending_base = m
                        prev_end = m.end
                        continue
                    back = next((x for x in reversed(para) if x.value is not None), None)
                    last_year = rf"{year - 1}年度?" if year else _PREV
                    if m.role in ("up", "down") and back is not None and back.delta is None and back.pct is None \
                            and re.match(rf"(?:与|比|较|同)(?:{_PREV}|{last_year})", s):
                        # "…预算数为 1685.72 万元。与上年相比增加 1557.29 万元，增长 …": the earlier subject's
                        cur = back
                        cur.prev_year = True
                    else:
                        cur = Item(page, s, _subject(s, 0, m.start))
                        sent.append(cur)
                if m.role in ("up", "down") and m.printed.endswith("%"):
                    cur.pct = cur.pct or m
                elif m.role in ("up", "down"):
                    cur.delta = cur.delta or m
                elif m.role == "base":
                    cur.base = cur.base or m
                elif m.role == "budget":
                    cur.budget.append(m)
                elif m.role == "outturn":
                    cur.outturn = m
                elif m.role == "share":
                    cur.shares.append(m)
                    cur.lead = lead
                    has_share = True
                elif m.role == "completion" and cur.completion is None:
                    cur.completion = m
                prev_end = m.end
            if ms and _OF_WHICH.match(s) and para and (not sent or sent[0].value is None
                                                        or _OF_WHICH.search(s[:ms[0].start])):
                back = next((x for x in reversed(para) if x.value is not None), None)
                if back is not None:
                    lead = back.value
                    for it in sent:
                        if it.shares:
                            it.lead = lead
            cw = _COMPARE.search(s)
            if cw:
                # "决算数小于预算数的主要原因…": of the figures just stated in this paragraph
                pair = next((x for x in reversed(para + sent) if x.outturn is not None and x.budget), None)
                if pair is not None and not pair.compare_word:
                    pair.compare_word = cw.group(0)
            for it in sent:
                it.flat = bool(_FLAT.search(s))
                it.prev_year = bool(re.search(_PREV, s) or (year and _names_year(s, year - 1)))
            para += sent
        head = next((x.subject for x in para if _MARK.search(x.subject)), None)
        for it in para:
            # "2026年预算安排 1434.89 万元" names no subject: the paragraph's line ("行政运行（01项）") is
            if head and not _BARE_SUBJECT.sub("", it.subject):
                it.subject = head
        out += para
        if not has_share and not t.endswith(("：", ":")) and not _OF_WHICH.search(t):
            lead = None
    return out


def _key(it: Item, m: Mention | None, what: str) -> str:
    """A finding's key: the page, the end of the subject and the figure as printed, stable
    across runs for the hand review to match."""
    return f"text:{it.page}:{it.subject[-12:]}:{it.value.printed if it.value else ''}:{m.printed if m else ''}:{what}"


# --- checks within the text -----------------------------------------------------------------


def _ratio_range(num: Mention, den: Mention, sign: int = 0) -> tuple[Decimal, Decimal] | None:
    """The percentage num / (den − sign·num) can be, given both amounts' rounding."""
    corners = []
    for dn in (num.value - num.step * HALF, num.value + num.step * HALF):
        for dd in (den.value - den.step * HALF, den.value + den.step * HALF):
            base = dd - sign * dn
            if base <= 0:
                return None
            corners.append(dn / base * HUNDRED)
    return min(corners), max(corners)


def _pct_finding(rule: str, what: str, it: Item, printed: Mention, rng: tuple[Decimal, Decimal], key: str,
                 extra_pages=()) -> FindingFact | None:
    lo, hi = rng
    if printed.value + printed.step >= lo and printed.value - printed.step <= hi:
        return None
    mid = (lo + hi) / 2
    tol = (hi - lo) / 2 + printed.step
    return finding.stated(rule, f"{what}：印为 {printed.printed}，按文中数字应为 {finding.pct(mid)}"
                                f"（容差 ±{tol.quantize(Decimal('0.001')).normalize():f} 个百分点）",
                          finding.pct(mid), printed.printed, [it.page, *extra_pages], key, tolerance=tol)


def _check_change(it: Item, key: str) -> FindingFact | None:
    if it.pct is None or it.pct.value == 0:
        return None
    if it.value is not None and it.base is not None:
        diff = Mention(abs(it.value.value - it.base.value), "", 0, 0, it.value.step + it.base.step)
        if it.delta is None or (it.value.value > it.base.value) == (it.delta.role == "up"):
            rng = _ratio_range(diff, it.base)
            if rng and (it.value.value > it.base.value) != (it.pct.role == "up") and it.value.value != it.base.value:
                return finding.stated("change_percent", f"“{it.subject}”由 {it.base.printed} 变为 {it.value.printed}，"
                                      f"文中却说{'增长' if it.pct.role == 'up' else '减少'} {it.pct.printed}",
                                      finding.pct((it.value.value - it.base.value) / it.base.value * HUNDRED),
                                      ("+" if it.pct.role == "up" else "-") + it.pct.printed, [it.page], key,
                                      tolerance=it.pct.step)
            return _pct_finding("change_percent", f"“{it.subject}”的增减幅度", it, it.pct, rng, key) if rng else None
    if it.value is None or it.delta is None or (it.delta.role == "up") != (it.pct.role == "up"):
        return None
    if it.delta.value >= it.value.value and it.delta.role == "up":
        return None  # new this year: the earlier figure is nil
    rng = _ratio_range(it.delta, it.value, 1 if it.delta.role == "up" else -1)
    return _pct_finding("change_percent", f"“{it.subject}”增减 {it.delta.printed} 的幅度", it, it.pct, rng, key) \
        if rng else None


class Narrative:
    def __init__(self, doc: Document, f: Facts, printed: Printed):
        self.doc, self.f, self.p = doc, f, printed
        self.out: list[FindingFact] = []
        self.items = items(doc, f.fiscal_year, f.kind == V.FINAL_ACCOUNT.code)
        self._lines: list[Line] | None = None
        self._named: list[tuple[str, Figure]] | None = None

    def add(self, x: FindingFact | None) -> None:
        if x is not None:
            self.out.append(x)

    def run(self) -> list[FindingFact]:
        for it in self.items:
            self.add(_check_change(it, _key(it, it.pct, "change")))
            for sh in it.shares:
                self.share(it, sh, _key(it, sh, "share"))
            self.completion(it, _key(it, it.completion, "completion"))
            self.comparison(it, _key(it, it.outturn, "compare"))
            self.line_amount(it)
        self.text_totals()
        self.text_mentions()
        self.line_text()
        return self.out

    # --- shares, rates, comparisons --------------------------------------------------------

    def named_total(self, text: str) -> Figure | None:
        """The total a share names ("“三公”经费", "本年支出合计")."""
        t = self.f.totals
        if V.THREE_PUBLIC_WORD in text:
            want = V.kind_by_code(self.f.kind).column
            rows = three_public_rows(self.doc, self.p.unit)
            row = next((r for r in rows if r.label == want), None) or next((r for r in rows if not r.label), None)
            if row is not None and row.total is not None:
                return row.total
            return t.get(V.THREE_PUBLIC.key)
        if V.alternation(V.FUND_QUALIFIERS) and any(w in text for w in V.FUND_QUALIFIERS):
            return None
        if V.CURRENT_EXPENDITURE in text or text.startswith(V.EXPENDITURE_SUM):
            return t.get(V.EXPENDITURE.key)
        if V.CURRENT_INCOME in text or text.startswith(V.INCOME_SUM):
            return t.get(V.INCOME.key)
        return None

    def share(self, it: Item, sh: Mention, key: str) -> None:
        if it.value is None:
            return
        base = None
        pages = []
        if sh.base_text:
            fig = self.named_total(sh.base_text)
            if fig is None:
                return
            base = Mention(fig.value, finding.wan(fig.value), 0, 0, self.p.step(fig.value, fig.prov))
            pages = [fig.prov.page]
        elif it.lead is not None and it.lead is not it.value:
            base = it.lead
        elif any(ln.scheme == "functional" and len(ln.code) == 3 and _same_name(norm(ln.name), it.subject)
                 for ln in self.all_lines()):
            # a function class's share with no total before it: of the year's spending, or of
            # whichever total it matches
            totals = [self.f.totals[k] for k in (V.EXPENDITURE.key, V.GRAND_EXPENDITURE.key, V.INCOME.key)
                      if k in self.f.totals and self.f.totals[k].value > 0]
            cands = [Mention(x.value, finding.wan(x.value), 0, 0, self.p.step(x.value, x.prov)) for x in totals]
            rngs = [r for c in cands if (r := _ratio_range(it.value, c))]
            if rngs and all(_pct_finding("share_of_total", "", it, sh, r, key) for r in rngs):
                self.add(_pct_finding("share_of_total", f"“{it.subject}”{it.value.printed} 占{V.EXPENDITURE.label}的比例",
                                      it, sh, rngs[0], key, [totals[0].prov.page]))
            return
        if base is None or base.value <= 0:
            return
        rng = _ratio_range(it.value, base)
        if rng:
            self.add(_pct_finding("share_of_total", f"“{it.subject}”{it.value.printed} 占{sh.base_text or '合计'}的比例",
                                  it, sh, rng, key, pages))

    def completion(self, it: Item, key: str) -> None:
        c = it.completion
        if c is None or it.outturn is None or not it.budget:
            return
        named = [b for b in it.budget if c.base_text and c.base_text.rstrip(V.BUDGET.word) and
                 c.base_text.rstrip(V.BUDGET.word) in b.base_text] or it.budget
        if all(b.value == 0 for b in named):
            if c.value > 0:
                self.add(finding.stated("completion_rate", f"文中称{V.COMPLETION_WORD}{c.base_text}的 {c.printed}，"
                                        f"但{c.base_text or V.BUDGET.word}为 0", "—", c.printed, [it.page], key))
            return
        rngs = [r for b in named if b.value > 0 and (r := _ratio_range(it.outturn, b))]
        if rngs and all(_pct_finding("completion_rate", "", it, c, r, key) for r in rngs):
            self.add(_pct_finding("completion_rate", f"{V.COMPLETION_WORD}{c.base_text or V.BUDGET.word}的比例",
                                  it, c, rngs[0], key))

    def comparison(self, it: Item, key: str) -> None:
        """The word against the figures as printed: only a difference beyond their rounding
        contradicts "持平", and only the other order beyond it contradicts 大于/小于. With
        several budget figures stated (年初预算, 全年预算) the word may refer to any."""
        if not it.compare_word or it.outturn is None or not it.budget:
            return
        b, word = it.outturn, it.compare_word
        said = 1 if _GREATER.search(word) else -1 if _LESS.search(word) else 0

        def contradicts(a: Mention) -> bool:
            # two figures of one sentence share its precision: "0.2" beside "0.15" is 0.20 with its zero dropped
            tol = min(a.step, b.step)
            diff = b.value - a.value
            return abs(diff) > tol if said == 0 else said * diff < -tol

        if not all(contradicts(a) for a in it.budget):
            return
        a = it.budget[0]
        tol = min(a.step, b.step)
        real = 0 if abs(b.value - a.value) < tol else (1 if b.value > a.value else -1)
        names = {1: V.GREATER_WORDS[0], -1: V.LESS_WORDS[0], 0: V.FLAT_WORDS[0]}
        self.add(finding.stated("comparison_word", f"文中称“{word}”，但{V.FINAL_ACCOUNT.column} {b.printed}"
                                f"{names[real]}{V.BUDGET.column} {a.printed}", names[real], names[said],
                                [it.page], key, tolerance=tol, expected_value=a.value, found_value=b.value))

    # --- text against tables ----------------------------------------------------------------

    def all_lines(self) -> list[Line]:
        """Classification lines of every table (not only the one extraction keeps): a text may
        quote any of them."""
        if self._lines is None:
            self._lines = []
            for t in self.doc.tables():
                try:
                    self._lines += read_table_lines(t, self.p.unit, self.f.kind)
                except (IndexError, ValueError):
                    continue
            if not self._lines:
                self._lines = list(self.f.lines)
        return self._lines

    def named(self, name: str) -> list[Figure]:
        """Every figure a table prints beside a label naming `name` ("一、一般公共服务支出 | 16,992.37")."""
        if self._named is None:
            self._named = []
            for t in self.doc.tables():
                factor = table_factor(t, self.p.unit)
                for ri, r in enumerate(t.rows):
                    for i in range(len(r) - 1):
                        label, v = OUTLINE_RE.sub("", norm(r[i])), parse_decimal(r[i + 1])
                        if label and v is not None and parse_decimal(r[i]) is None:
                            page = t.row_pages[ri] if ri < len(t.row_pages) else t.page
                            self._named.append((label, Figure(normalize(v * factor), Prov(page, t.title or "", ri + 1))))
        return [fig for label, fig in self._named if _same_name(norm(name), label)]

    def resolve(self, subject: str) -> list[Line]:
        """The functional lines a subject with 类/款/项 marks names ("人大事务（款）行政运行（项）")."""
        marks = list(_MARK.finditer(subject))
        if not marks:
            return []
        names = []
        prev = 0
        for m in marks:
            names.append((_LEVEL[m.group(1)], re.sub(r"^[\d.、．]+", "", subject[prev:m.start()]).strip("”“\"")))
            prev = m.end()
        level, name = names[-1]
        lines = [ln for ln in self.all_lines() if ln.scheme == "functional" and len(ln.code) == level]
        hits = [ln for ln in lines if _same_name(norm(ln.name), name, suffix=True)]
        by = {}
        for ln in self.all_lines():
            by.setdefault(ln.code, ln)
        for lv, nm in names[:-1]:
            narrowed = [ln for ln in hits if ln.code[:lv] in by and _same_name(norm(by[ln.code[:lv]].name), nm)]
            hits = narrowed or hits
        if len({ln.code for ln in hits}) > 1 and names[:-1] == []:
            # a name run that starts with the parent's name ("人大事务行政运行")
            narrowed = [ln for ln in hits if ln.code[:level - 2] in by and name.startswith(norm(by[ln.code[:level - 2]].name))]
            hits = narrowed or hits
        return hits if len({ln.code for ln in hits}) == 1 else []

    def line_amount(self, it: Item) -> None:
        if it.value is None or not _MARK.search(it.subject):
            return
        hits = self.resolve(it.subject)
        if not hits:
            return
        own = V.kind_by_code(self.f.kind).figure_type
        stated = [(it.value, own)]
        if it.outturn is not None:
            stated.append((it.outturn, V.FINAL_ACCOUNT.figure_type))
        for b in it.budget[:1]:
            stated.append((b, V.BUDGET.figure_type))
        for m, ftype in stated:
            cands = [ln for ln in hits if ln.amount is not None and ln.figure_type == ftype]
            if not cands:
                continue
            ok = any(abs(m.value - ln.amount) <= (m.step + self.p.step(ln.amount, ln.prov)) * HALF for ln in cands)
            # a class as a summary table prints it by name (all funds, where the coded tables may be one fund's)
            ok = ok or any(len(ln.code) == 3 and abs(m.value - fig.value) <= (m.step + self.p.step(fig.value, fig.prov)) * HALF
                           for ln in cands for fig in self.named(ln.name))
            if ok:
                continue
            primary = {(x.code, x.figure_type): x.prov.table for x in self.f.lines}
            ln = next((x for x in cands if primary.get((x.code, x.figure_type)) == x.prov.table), cands[0])
            tol = (m.step + self.p.step(ln.amount, ln.prov)) * HALF
            other = [x for x in self.all_lines() if x.amount == m.value and x.scheme == "functional"
                     and x.code != ln.code]
            what = f"说明文字中 {ln.code}（{ln.name}）的金额与“{ln.prov.table}”不符"
            if other:
                what += f"（{m.printed} 是 {other[0].code}（{other[0].name}）的金额）"
            self.add(finding.money("line_text_vs_table", what, ln.amount, m.value, tol, [it.page, ln.prov.page],
                                   f"functional:{ln.code}:text:{finding.wan(m.value)}"))
            return

    def text_totals(self) -> None:
        """A total the narrative states (its first statement) against the table's, beyond the
        text's rounding; not 基本/项目支出, which narratives quote for single lines too."""
        for key in (V.INCOME.key, V.EXPENDITURE.key, V.PERSONNEL.key, V.PUBLIC.key, V.THREE_PUBLIC.key,
                    V.OPERATING.key):
            tx, tb = self.f.text_figures.get(key), self.f.totals.get(key)
            if tx is None or tb is None or tb.prov.table is None or tx is tb:
                continue
            tol = (value_step(tx.value) + self.p.step(tb.value, tb.prov)) * HALF
            what = next(m.short for m in V.MONEY_MEASURES if m.key == key)
            self.add(finding.money("text_vs_table", f"说明文字中的{what}与“{tb.prov.table}”不符", tb.value, tx.value, tol,
                                   [tx.prov.page, tb.prov.page], f"text:{key}"))

    def text_mentions(self) -> None:
        """Every other statement of a total in the text (a total repeated with different last
        digits), against the table that prints it; a 基本支出 the text gives one fund against
        that fund's table."""
        first = {k: v.value for k, v in self.f.text_figures.items()}
        untabled: dict[str, list[Item]] = {}
        for it in self.items:
            if it.value is None or not it.value.value:
                continue
            key = _measure_of(it.subject, self.f.agency)
            table = self.f.totals.get(key) if key else None
            fund = _fund_of(it.subject) if key is None else None
            if fund is not None:
                key, table = V.BASIC.key, self.f.basic_by_fund.get(fund)
            if key is not None and fund is None and (table is None or table.prov.table is None):
                untabled.setdefault(key, []).append(it)
            if table is None or table.prov.table is None or (fund is None and first.get(key) == it.value.value):
                continue
            tol = (it.value.step + self.p.step(table.value, table.prov)) * HALF
            what = next(m.short for m in V.MONEY_MEASURES if m.key == key)
            self.add(finding.money("text_vs_table", f"说明文字中的{fund or ''}{what}与“{table.prov.table}”不符", table.value,
                                   it.value.value, tol, [it.page, table.prov.page],
                                   f"text:{fund + ':' if fund else ''}{key}:{finding.wan(it.value.value)}"))
        for key, its in untabled.items():
            # no table prints it (a text-only file): the text must at least repeat itself
            head = its[0]
            for it in its[1:]:
                tol = (head.value.step + it.value.step) * HALF
                what = next(m.short for m in V.MONEY_MEASURES if m.key == key)
                self.add(finding.money("repeated_total", f"说明文字两处所述{what}不一致（第 {head.page} 页与第 {it.page} 页）",
                                       head.value.value, it.value.value, tol, [head.page, it.page],
                                       f"text:{key}:{finding.wan(head.value.value)}:{finding.wan(it.value.value)}"))

    def line_text(self) -> None:
        """A 项 amount the narrative states (extraction's reading: by printed code, else by a
        name only one 项 carries) against the classified table's row."""
        ftype = V.kind_by_code(self.f.kind).figure_type
        lines = [ln for ln in self.f.lines if ln.scheme == "functional" and len(ln.code) == 7 and ln.amount is not None
                 and ln.figure_type == ftype]
        for name, code, fig in self.f.line_text:
            hits = [ln for ln in lines if ln.code == code] if code else [ln for ln in lines if ln.name == name]
            if len(hits) != 1:
                continue
            ln = hits[0]
            tol = (value_step(fig.value) + self.p.step(ln.amount, ln.prov)) * HALF
            self.add(finding.money("line_text_vs_table", f"说明文字中 {ln.code}（{ln.name}）的金额与“{ln.prov.table}”不符",
                                   ln.amount, fig.value, tol, [fig.prov.page, ln.prov.page],
                                   f"functional:{ln.code}:text:{finding.wan(fig.value)}"))


def _same_name(table_name: str, text_name: str, suffix: bool = False) -> bool:
    """A line's name as a table prints it against the text's ("一般公共服务" for 一般公共服务支出)."""
    if not table_name or not text_name:
        return False
    strip = V.CURRENT_EXPENDITURE[-2:]
    a, b = table_name.removesuffix(strip), text_name.removesuffix(strip)
    if a == b:
        return True
    return suffix and len(a) >= 2 and b.endswith(a)


def check(doc: Document, f: Facts, printed: Printed) -> list[FindingFact]:
    return Narrative(doc, f, printed).run()


def figure(m: Mention, page: int) -> Figure:
    return Figure(m.value, Prov(page, None, None, m.printed))


# --- year-on-year claims (checked against last year's disclosure by kg.checks.versions) ------


@dataclass
class YearClaim:
    """What the text implies last year's figure was, as a range its rounding allows."""

    subject: str
    key: str  # "measure:<Facts.totals key>" or "line:<functional code>"
    low: Decimal
    high: Decimal
    page: int
    said: str  # the words that imply it ("增加 2248.37万元", "持平", "增长 16.47%")


_MEASURE_WORDS = [(m.key, m.text) for m in (V.BASIC, V.PROJECT, V.PERSONNEL, V.PUBLIC, V.OPERATING, V.INCOME,
                                              V.EXPENDITURE)] + \
    [(m.key, (norm(m.label),)) for m in (V.ABROAD, V.VEHICLES, V.VEHICLE_PURCHASE, V.VEHICLE_OPERATION, V.RECEPTION)]
_ROLE_TAIL = re.compile(rf"(?:(?:{_BUDGET_WORDS}|{V.FINAL_ACCOUNT.word})(?:数|{V.CURRENT_EXPENDITURE[-2:]})?)?(?:为|是)?$")


# What may stand before a total's name without making it another figure: a year, this
# agency ("本单位"), an item number.
_PLAIN_PREFIX = re.compile(rf"^(?:(?:19|20)\d\d年度?|[\d.、．]+|本(?:{V.scope_pattern()})|"
                           rf"(?:{V.scope_pattern()})|[:：，,\s])+")


def _measure_of(subject: str, agency: str | None = None) -> str | None:
    """The total a subject names, when it names it plainly: nothing but a year or the agency's
    own name before the measure's wording ("2024年本年支出合计", "基本支出"), so neither
    "政府采购支出总额" nor a fund's "一般公共预算收入" is taken for the year's total."""
    s = _ROLE_TAIL.sub("", subject)
    if any(w in s for w in V.FUND_QUALIFIERS) or _MARK.search(s):
        return None
    if agency and norm(agency) in s:
        s = s[s.index(norm(agency)) + len(norm(agency)):]
    s = _PLAIN_PREFIX.sub("", s)
    if re.fullmatch(V.three_public_pattern(), s):
        return V.THREE_PUBLIC.key
    for key, words in _MEASURE_WORDS:
        if s in words:
            return key
    return None


def _fund_of(subject: str) -> str | None:
    """The fund of a 基本支出 the text qualifies ("一般公共预算财政拨款基本支出" → 一般公共预算)."""
    s = _ROLE_TAIL.sub("", subject)
    if not s.endswith(V.BASIC.label):
        return None
    return next((w for w in (V.GPB, V.GOV_FUND) if w in s), None)


def year_claims(doc: Document, f: Facts, printed: Printed) -> list[YearClaim]:
    """The narrative's statements about last year: a change from it, "与上年持平", a
    percentage change. Not one measured against the year's 执行数 or another kind's figure."""
    if not f.fiscal_year:
        return []
    n = Narrative(doc, f, printed)
    other = V.FINAL_ACCOUNT.word if f.kind != V.FINAL_ACCOUNT.code else V.OPENING_BUDGET
    out = []
    for it in n.items:
        if not it.prev_year or it.value is None or V.EXECUTION_WORD in it.sentence or other in it.sentence:
            continue
        key = _measure_of(it.subject, f.agency)
        if key is not None:
            key = f"measure:{key}"
        elif _MARK.search(it.subject):
            hits = n.resolve(it.subject)
            key = f"line:{hits[0].code}" if hits else None
        if key is None:
            continue
        v, h = it.value.value, it.value.step * HALF
        if it.delta is not None and it.delta.value:
            d = it.delta.value if it.delta.role == "up" else -it.delta.value
            tol = h + it.delta.step * HALF
            out.append(YearClaim(it.subject, key, v - d - tol, v - d + tol, it.page, f"{it.delta.role}:{it.delta.printed}"))
        elif it.flat:
            out.append(YearClaim(it.subject, key, v - h, v + h, it.page, V.FLAT_WORDS[0]))
        elif it.pct is not None and it.pct.value and (it.pct.role == "up" or it.pct.value < 100):
            sign = 1 if it.pct.role == "up" else -1
            lo_p, hi_p = it.pct.value - it.pct.step, it.pct.value + it.pct.step
            ends = [(v + dv) / (1 + sign * p / HUNDRED) for dv in (-h, h) for p in (lo_p, hi_p) if 1 + sign * p / HUNDRED > 0]
            if ends:
                out.append(YearClaim(it.subject, key, min(ends), max(ends), it.page, f"{it.pct.role}:{it.pct.printed}"))
    return out
