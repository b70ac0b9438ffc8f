"""Policy documents (政策文件, cited by 文号 or title): which projects and agencies a policy
funds, and which policies a project or an agency's disclosure is based on (依据)."""

from __future__ import annotations

from api.qa import templates as T
from api.qa.handlers.retrieval import number_mention
from api.qa.linking import Disclosure
from api.qa.question import Question
from api.qa.result import KIND_WORD, Result, year_word
from api.qa.text import find_policy_numbers, format_wan


def policy(qn: Question) -> Result | None:
    """Policy → the projects (and agencies) the graph links to it."""
    if not qn.policies:
        nums = find_policy_numbers(qn.q)
        # Not in the graph: a sentence of the documents that cites it may still say
        # which project it funds.
        found = number_mention(qn, nums[0]) if nums else None
        return found or qn.no_answer(f"文号为{nums[0][1]}年{nums[0][2]}号的政策文件" if nums else "相关政策文件")
    pols = [e.iri for e in qn.policies]
    sparql = T.policy_links(policies=pols)
    rows = qn.select(sparql)
    label = "、".join(e.label for e in qn.policies)
    if not rows:
        sparql2 = T.policy_disclosures(pols)
        refs = qn.select(sparql2)
        if not refs:
            return qn.no_answer(f"引用{label}的项目", sparql)
        names = sorted({f"{r['al']}{r['y']}年" for r in refs if r["al"]})
        ev = [qn.evidence_for(qn.disclosure(r["d"]), [qn.policies[0].label.split("〔")[0]], None)
              for r in refs[:3]]
        return Result(qn.question, f"{label}被{'、'.join(names)}的公开文件引用，但未关联到具体项目。",
                      names, None, ev, sparql2, "policy", qn.entities)
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
        d = qn.disclosure(r["d"]) if r.get("d") else None
        ev.append(qn.evidence_for(d, [r["pl"]], None, r["p"], row=r))
    agencies = sorted({r.get("ial") or r.get("al") for r in by_project.values() if r.get("ial") or r.get("al")})
    if qn.intent.asks_agency and not qn.intent.asks_project and agencies:
        text = f"{label}支持的单位是{'、'.join(agencies)}，涉及项目：{'；'.join(parts)}。"
    else:
        text = f"以{label}为依据的项目：{'；'.join(parts)}。"
    return Result(qn.question, text, names, None, ev, sparql, "policy", qn.entities)


def basis(qn: Question) -> Result | None:
    """The policies a project named in the question is based on; with no project named,
    those the agency's disclosure cites."""
    a = qn.one_agency()
    ds = qn.scope(a.iri) if a else None
    ms = qn.lex.link_projects(qn.rest, {d.iri for d in ds} if ds else None, a.iri if a else None)
    if not ms:
        return _cited_policies(qn, ds[0]) if ds else None
    best = ms[0]
    iris = list(dict.fromkeys(m.iri for m in ms if m.entry.label == best.entry.label or m.iri == best.iri))
    sparql = T.policy_links(projects=iris)
    rows = qn.select(sparql)
    if not rows:
        return None
    pols = list(dict.fromkeys(r.get("num") or r.get("title") for r in rows if r.get("num") or r.get("title")))
    r = next((x for x in rows if x.get("quote")), rows[0])
    d = qn.disclosure(r["d"]) if r.get("d") else None
    ev = [qn.evidence_for(d, [pols[0].split("〔")[0]] if pols else [r["pl"]], None, r["p"], row=r)]
    text = f"项目“{r['pl']}”的依据是{'、'.join(pols)}。"
    qn.entities.append({"type": "project", "iri": r["p"], "label": r["pl"]})
    return Result(qn.question, text, pols, None, ev, sparql, "basis", qn.entities, source="graph",
                  interpretation=" · ".join(p for p in [d.agency_label if d else None, str(d.year) if d and d.year else None,
                                                        f"项目“{r['pl']}”", "立项依据（政策文件）"] if p))


def _cited_policies(qn: Question, d: Disclosure) -> Result | None:
    """The policies an agency's disclosure cites, when no project is named."""
    sparql = T.disclosure_policies([d.iri])
    rows = qn.select(sparql)
    nums = sorted({r["num"] for r in rows if r.get("num")})
    if not nums:
        return None
    ev = [qn.evidence_for(d, [nums[0].split("〔")[0]], None, d.iri)]
    text = f"{d.agency_label}{year_word(d)}{KIND_WORD.get(d.kind, '公开')}公开引用的政策文件共{len(nums)}个：{'、'.join(nums)}。"
    return Result(qn.question, text, nums, None, ev, sparql, "basis", qn.entities)
