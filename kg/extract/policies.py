"""Policies and laws cited anywhere in the document, and which project each one funds.

Citations are found in paragraphs and table cells (kg.policy does the recognising). A cited
policy is linked to a project when the evidence says so: the clause that cites it names
the project (or starts with an abbreviation of it: "企业收支缺口依据…" for
"企业养老保险基金收支缺口地方配套"), the row of a project table prints it in a basis
column, or a project form ("项目名称 | X … 项目立项依据 | 依据…") cites it for its project.
"""

from __future__ import annotations

import re

from kg import vocab as V
from kg.document import Document, Table
from kg.extract.base import Facts, LinkFact, PolicyFact, ProjectFact, clean_name, logical_paragraphs, norm
from kg.extract.header import is_abbreviation
from kg.policy import find_citations
from kg.readers.outline import OUTLINE_RE, PART_RE

_CLAUSE_SPLIT = re.compile(r"(?<=[。；;！？!?])|\n")
_GENERIC_TAIL = re.compile(rf"(?:专项经费|专项资金|补助资金|工作经费|经费|资金|补助|补贴|项目|{V.SPECIAL}|费)$")
_ANAPHOR = re.compile(rf"(?:该|此|本)(?:项目|经费|资金|{V.SPECIAL})")
_BASIS = re.compile(r"依据|根据|按照|依照|参照|执行")


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def _project_in(clause: str, projects: list[ProjectFact]) -> ProjectFact | None:
    # a cited title names a policy, not a project ("《关于…应急处置经费保障的意见》")
    c = norm(re.sub(r"《[^《》]*》", "", clause))
    best, best_len = None, 0
    for p in projects:
        for n in [p.name] + p.alt_names:
            nn = norm(n)
            if len(nn) >= 3 and nn in c and len(nn) > best_len:
                best, best_len = p, len(nn)
    if best:
        return best
    # the name without its generic tail ("动物强制免疫疫苗经费" cited as "动物强制免疫疫苗资金")
    cores = []
    for p in projects:
        for n in [p.name] + p.alt_names:
            core = _GENERIC_TAIL.sub("", norm(n))
            if len(core) >= 4 and core in c:
                cores.append((len(core), p))
    if cores:
        top = max(k for k, _ in cores)
        hits = {id(p): p for k, p in cores if k == top}
        if len(hits) == 1:
            return next(iter(hits.values()))
    m = _BASIS.search(c)
    if m and m.start() >= 4:
        subject = re.sub(r"^[\d.、（()）\s]+", "", c[: m.start()])
        subject = re.sub(r"(的|为|是)$", "", subject)
        hits = [p for p in projects if len(subject) >= 4 and
                any(is_abbreviation(subject, n) or _subsequence(subject, n) for n in [p.name] + p.alt_names)]
        if len(hits) == 1:
            return hits[0]
    return None


def _subsequence(short: str, full: str) -> bool:
    s, f = norm(short), norm(full)
    if len(s) < 4 or len(s) >= len(f):
        return False
    it = iter(f)
    return all(ch in it for ch in s)


class _Collector:
    def __init__(self, f: Facts):
        self.f = f
        self.by_key: dict[str, PolicyFact] = {}
        self.links: dict[tuple[str, str], LinkFact] = {}

    def add(self, text: str, page: int, project: ProjectFact | None = None, basis_field: bool = False) -> None:
        previous = None  # the project the last clause named: "该项目…依据…" refers back to it
        for clause in _clauses(text):
            named = _project_in(clause, self.f.projects)
            cites = find_citations(clause)
            if not cites:
                previous = named or previous
                continue
            if named is None and _ANAPHOR.search(clause):
                named = previous
            previous = named or previous
            target = named or project
            if target is None and basis_field and len(self.f.projects) == 1:
                target = self.f.projects[0]
            for c in cites:
                if c.number is not None:
                    key = c.number.number
                    pol = self.by_key.setdefault(key, PolicyFact(key, c.number.issuer, c.number.year, c.number.serial))
                    if c.number.printed not in pol.printed:
                        pol.printed.append(c.number.printed)
                    if c.title and not pol.title:
                        pol.title = c.title
                    if target is not None:
                        self.links.setdefault((target.key, key), LinkFact(target.key, key, clean_name(clause)[:300], page))
                elif c.title:
                    key = "《" + c.title + "》"
                    self.by_key.setdefault(key, PolicyFact(None, title=c.title))


def _form_project(t: Table, projects: list[ProjectFact]) -> ProjectFact | None:
    for r in t.header + t.rows:
        cells = [clean_name(c) for c in r]
        for i, c in enumerate(cells[:-1]):
            if re.fullmatch(r"项目(\(政策\)|（政策）)?名称", norm(c)):
                v = norm(next((x for x in cells[i + 1:] if x), ""))
                for p in projects:
                    if v and v in {norm(n) for n in [p.name] + p.alt_names}:
                        return p
                return None
    return None


def extract_policies(doc: Document, f: Facts) -> None:
    col = _Collector(f)
    sections = {norm(p.section_title): p for p in f.projects if p.section_title}
    current = None
    for page, text in logical_paragraphs(doc):
        n = norm(text)
        if n in sections:
            current = sections[n]
        elif PART_RE.match(n) or (n.endswith("说明") and len(n) <= 48 and not OUTLINE_RE.match(n)):
            current = None
        col.add(text, page, current)
    for b in doc.blocks():
        if isinstance(b, Table):
            form_project = _form_project(b, f.projects)
            for ri, r in enumerate(b.header + b.rows):
                row_project = None
                names = {norm(c) for c in r}
                for p in f.projects:
                    if norm(p.name) in names:
                        row_project = p
                        break
                label = norm(r[0]) if r else ""
                page = b.page
                bi = ri - len(b.header)
                if 0 <= bi < len(b.row_pages):
                    page = b.row_pages[bi]
                for c in r:
                    if not c or not re.search(r"\d{4}", c):
                        continue
                    basis = bool(_BASIS.search(label)) or "依据" in label
                    col.add(c, page, row_project or form_project, basis_field=basis)
    # a 《title》 cited bare in one place and with its 文号 in another is that numbered policy
    numbered = {norm(p.title) for p in col.by_key.values() if p.number and p.title}
    f.policies = [p for p in col.by_key.values() if p.number or norm(p.title) not in numbered]
    f.links = list(col.links.values())
