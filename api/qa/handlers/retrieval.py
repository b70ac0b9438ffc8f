"""Text fallback: questions the graph cannot answer ("社会保障卡的发行由哪个单位负责？")
are answered extractively — the sentence of the retrieved passages that carries most of
the question's key terms, quoted with its source file and page, and attributed to the
disclosure's reporting agency (who said it is part of the answer).

Passages come from the search index (search.retrieve.Searcher) when there is one, else
from a scan of the archived documents, so a database without an index still answers.
"""

from __future__ import annotations

import math
import re

from api.qa.intent import asked_term
from api.qa.question import Question
from api.qa.result import KIND_WORD, Result, evidence
from api.qa.sources import page_of, row_label
from api.qa.text import find_policy_numbers, squash
from kg import vocab as V
from kg.document import Heading, Paragraph, Table

# Question words carry no content to match passages on.
# (Single characters only where they are particles: 有/在 are kept, they are part of 国有, 所在.)
_QWORDS = re.compile(r"哪个单位|哪个部门|哪家单位|哪一个|哪个|哪家|哪些|什么|多少|是否|怎么|如何|为何|为什么|请问|"
                     r"情况|是谁|有哪|谁|吗|呢|？|\?|。|，|的|由|是|和|与|及|了")
_SENT = re.compile(r"(?<=[。；;！!？?])|\n")
MIN_COVER = 0.34
_HOW_MUCH = re.compile(r"多少|几|金额|数额")
_FIGURE = re.compile(rf"\d[\d,.]*(?:{V.WAN_YUAN}|{V.YUAN}|{V.YI_YUAN}|人|个|%)")


def _get(hit, name, default=None):
    if isinstance(hit, dict):
        return hit.get(name, default)
    return getattr(hit, name, default)


def key_bigrams(text: str) -> set[str]:
    t = re.sub(r"(?:19|20)\d{2}\s*(?:年度|年)", "\u3000", squash(text))  # the year filters passages instead
    t = _QWORDS.sub("\u3000", t)
    grams = set()
    for part in re.split(r"[\u3000\s]+", t):
        part = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", part)
        grams |= {part[i:i + 2] for i in range(len(part) - 1)}
    return grams


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text or "") if s and len(s.strip()) >= 4]


def _passages(qn: Question, k: int = 8) -> list[tuple[str, int, str, float]]:
    """(source_file, page, text, retrieval score) of the passages to read."""
    agency = qn.agencies[0].iri if qn.agencies else None
    alabel = qn.lex.agency_labels.get(agency) if agency else None
    allowed = None
    if agency or qn.year:
        allowed = {f for d in qn.lex.disclosures_of(agency, qn.year, None) for f in d.files}
    searcher = qn.ctx.searcher
    out: list[tuple[str, int, str, float]] = []
    if searcher is not None:
        hits = None
        # The agency is a filter; left in the query its long name would outweigh the
        # words that say what is asked.
        query = re.sub(r"\u3000+", " ", qn.rest).strip() if alabel else qn.question
        for kwargs in ({"k": k, "year": qn.year, "agency": alabel, "kind": qn.intent.doc_kind},
                       {"k": k, "year": qn.year, "agency": alabel}, {"k": k}):
            try:
                hits = searcher.search(query or qn.question, **kwargs)
                break
            except TypeError:
                continue
            except Exception:  # noqa: BLE001 - a broken index must not break answering
                hits = None
                break
        for h in hits or []:
            out.append((_get(h, "source_file", ""), _get(h, "page", 1) or 1, _get(h, "text", "") or "",
                        float(_get(h, "score", 0.0) or 0.0)))
        if out:
            return out
    # No index: read the archived documents themselves.
    for f in qn.ctx.archive.files():
        if allowed is not None and f not in allowed:
            continue
        doc = qn.ctx.archive.get(f)
        if doc is None:
            continue
        out += [(f, page, text, 0.0) for page, text in _joined_paragraphs(doc)]
        for blk in doc.blocks():
            if isinstance(blk, Table):
                for i, row in enumerate(blk.rows):
                    page = blk.row_pages[i] if i < len(blk.row_pages) else blk.page
                    out.append((f, page, " ".join(c for c in row if c), 0.0))
    return out


def extractive_answer(qn: Question) -> Result:
    # The agency is a filter on passages (see _passages), not a term to match sentences on.
    keys = key_bigrams(qn.rest)
    if qn.intent.kind == "parent":
        # How disclosures say who an agency reports to.
        keys |= {"所属", "下属", "隶属", "主管", "二级"}
    if not keys:
        return qn.no_answer("可回答该问题的内容")
    passages = _passages(qn)
    pool = [(rank, src, page, sent, squash(sent), (rank, i)) for rank, (src, page, text, _s) in enumerate(passages)
            for i, sent in enumerate(sentences(text))]
    split = {rank: sentences(text) for rank, (_src, _page, text, _s) in enumerate(passages)}
    # Rarer key terms count more ("人民调解" over "项目"/"预算"): weights from how many of
    # the candidate sentences carry each bigram.
    df = {g: sum(1 for *_, ss, _pos in pool if g in ss) for g in keys}
    weight = {g: math.log(1 + len(pool) / (1 + df[g])) for g in keys}
    total_w = sum(weight.values()) or 1.0
    wants_figure = bool(_HOW_MUCH.search(qn.q))
    best = None
    n = len(passages) or 1
    for rank, src, page, sent, ss, pos in pool:
        present = [g for g in keys if g in ss]
        cover = len(present) / len(keys)
        score = sum(weight[g] for g in present) / total_w
        if wants_figure and _FIGURE.search(ss):
            score += 0.1
        # Earlier hits are better retrieval answers; break near-ties in their favour.
        score += 0.05 * (n - rank) / n
        if best is None or score > best[0]:
            best = (score, cover, src, page, sent, pos)
    section = None
    if qn.intent.kind != "duty" and not wants_figure:
        section = _section(qn, keys, weight)
    if section is not None and (best is None or section[0] >= best[1] - 0.1):
        cover, src, page, heading, body = section
        d = qn.lex.disclosure_of_file(src)
        who = _who(d, src)
        text = f"根据{who}公开文件（第{page}页）“{heading}”：{body}"
        return Result(qn.question, text, None, None, [evidence(src, page, body, d.iri if d else None)], None, "text",
                      qn.entities)
    if best is None or best[1] < MIN_COVER:
        return qn.no_answer("与问题相关的内容")
    _, cover, src, page, sent, (rank, i) = best
    page = page_of(qn.ctx.archive.get(src), page, sent)
    # A heading ("一、部门职责") answers with what follows it.
    following = split[rank][i + 1:]
    while len(sent) < 40 and following:
        sent = sent.rstrip() + " " + following.pop(0)
    d = qn.lex.disclosure_of_file(src)
    who = _who(d, src)
    text = f"根据{who}公开文件（第{page}页）：{sent}"
    ev = [evidence(src, page, sent, d.iri if d else None)]
    return Result(qn.question, text, None, None, ev, None, "text", qn.entities)


def _who(d, src: str) -> str:
    if d is None or not d.agency_label:
        return src
    return f"{d.agency_label}{d.year or ''}{'年' if d.year else ''}{KIND_WORD.get(d.kind, '公开')}"


def _section(qn: Question, keys: set[str], weight: dict[str, float]):
    """A heading of the agency's disclosure that names what is asked ("主要职责",
    "国有资产占用情况"), answered with the paragraphs under it: (cover, source_file, page,
    heading, text) or None. Read from the archived document's structure, so a section
    the search index split into pieces still answers whole."""
    agency = qn.agencies[0].iri if qn.agencies else None
    if agency is None:
        return None
    term = asked_term(qn.rest)
    head_noun = term[-2:] if len(term) >= 2 else ""
    total_w = sum(weight.get(g, 1.0) for g in keys) or 1.0
    best = None
    for _d, doc in qn.ctx.archive.each_document(qn.scope(agency)[:3]):
        blocks = list(doc.blocks())
        for i, b in enumerate(blocks):
            if not isinstance(b, Heading) or len(b.text) > 30:
                continue
            hs = squash(b.text)
            present = [g for g in keys if g in hs]
            cover = sum(weight.get(g, 1.0) for g in present) / total_w
            if head_noun and head_noun in hs:
                cover = max(cover, 0.95)  # the thing asked about names the section
            if cover < 0.5:
                continue
            body: list[str] = []
            for nb in blocks[i + 1:]:
                if isinstance(nb, Heading):
                    if nb.level <= b.level or body:
                        break
                    continue
                if isinstance(nb, Paragraph) and nb.text.strip():
                    body.append(nb.text.strip())
                if sum(map(len, body)) > 240:
                    break
            if not body:
                continue
            text = " ".join(body)
            text = text if len(text) <= 300 else text[:300] + "…"
            # Among equally good headings the most specific (shortest) one.
            rank = (cover, -len(row_label(b.text)))
            if best is None or rank > best[0]:
                best = (rank, (cover, doc.source_file, b.page, b.text.strip(), text))
    return best[1] if best else None


MAX_SCAN_DOCS = 200  # documents read when the index does not surface a cited 文号


def number_mention(qn: Question, number: tuple):
    """A sentence that cites the 文号 `number` (as find_policy_numbers returns it), quoted
    with its file and page; None when no document prints it."""
    before, year, serial = number[0], number[1], number[2]

    def cites(sent: str) -> bool:
        for b, y, n, _s, _e in find_policy_numbers(sent):
            if y == year and n == serial and (before.endswith(b[-2:]) or b.endswith(before[-2:])):
                return True
        return False

    candidates = [(src, page, text) for src, page, text, _s in _passages(qn)]
    for f in qn.ctx.archive.files()[:MAX_SCAN_DOCS]:
        doc = qn.ctx.archive.get(f)
        if doc is not None:
            candidates += [(f, page, text) for page, text in _joined_paragraphs(doc)]
    for src, page, text in candidates:
        for sent in sentences(text):
            if cites(sent):
                d = qn.lex.disclosure_of_file(src)
                answer = f"图谱中未收录该文号；根据{_who(d, src)}公开文件（第{page}页）：{sent}"
                return Result(qn.question, answer, None, None, [evidence(src, page, sent, d.iri if d else None)], None,
                              "text", qn.entities)
    return None


def _joined_paragraphs(doc) -> list[tuple[int, str]]:
    """Paragraphs with a sentence a line break cut in two joined again (a PDF line that
    ends "…（翠农发" continues "（2017）29号）…" in the next block)."""
    out: list[tuple[int, str]] = []
    for b in doc.blocks():
        if not isinstance(b, Paragraph):
            continue
        if out and not re.search(r"[。；;！!？?：:]\s*$", out[-1][1]):
            out[-1] = (out[-1][0], out[-1][1] + b.text)
        else:
            out.append((b.page, b.text))
    return out
