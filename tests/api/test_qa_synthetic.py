"""Unseen questions: a synthetic corpus from data/generate.py (its own agencies, projects,
policies and figures), ingested through the real pipeline, and questions made from its
ground truth by templates — so nothing here was tuned on the strings being asked about.

Accuracy uses the scorer's rules (the answer text must contain the figure in 万元, 元 or
亿元, or every expected string)."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from tests.generated import generated_db

ROOT = Path(__file__).resolve().parents[2]
FLOOR = 0.8

KIND_WORD = {"budget": "预算", "final_account": "决算"}
# Several wordings per total, as people ask them.
TOTALS = [
    ("income", ["{a}{y}年{k}收入总额是多少？", "{a}{y}年{k}的总收入是多少？", "{a}{y}年度{k}收入合计为多少万元？"]),
    ("expenditure", ["{a}{y}年的{k}支出总额是多少？", "{a}{y}年{k}的总支出是多少？", "{a}{y}年度{k}支出合计是多少"]),
    ("basic", ["{a}{y}年{k}基本支出是多少？", "{a}在{y}年的{k}基本支出为多少万元？"]),
    ("project", ["{a}{y}年项目支出{k}是多少？", "{a}{y}年{k}项目支出有多少？"]),
    ("personnel", ["{a}{y}年{k}人员经费是多少？", "请问{a}{y}年{k}中人员经费有多少？"]),
    ("public", ["{a}{y}年{k}公用经费是多少？", "{a}{y}年{k}日常公用经费是多少？"]),
    ("three_public", ["{a}{y}年“三公”经费{k}是多少？", "{a}{y}年{k}三公经费合计"]),
    ("operating", ["{a}{y}年机关运行经费{k}是多少？", "{a}{y}年{k}的机关运行费是多少？"]),
    ("procurement", ["{a}{y}年政府采购{k}金额是多少？"]),
]
BRACKETS = [("【", "】"), ("[", "]"), ("（", "）"), ("〔", "〕")]


def _norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s or "")))


def _has_money(text, wan):
    want = Decimal(str(wan))
    t = unicodedata.normalize("NFKC", text).replace(",", "")
    for m in re.finditer(r"(-?\d+(?:\.\d+)?)\s*(亿元|万元|元|亿|万)?", t):
        v, unit = Decimal(m.group(1)), m.group(2) or ""
        in_wan = {"亿元": v * 10000, "亿": v * 10000, "元": v / 10000, "万元": v, "万": v, "": v}[unit]
        if abs(in_wan - want) <= Decimal("0.01"):
            return True
    return False


def correct(case, answer: str) -> bool:
    if "number_wan" in case:
        return _has_money(answer, case["number_wan"])
    if "number" in case:
        return any(Decimal(m) == Decimal(str(case["number"]))
                   for m in re.findall(r"\d+(?:\.\d+)?", unicodedata.normalize("NFKC", answer)))
    return all(_norm(t) in _norm(answer) for t in case["text_all"])


GENERIC_SUFFIXES = ("专项经费", "经费", "资金", "项目", "补助")


def _short_name(g: dict, truths: list[dict]) -> str | None:
    """The agency's name without its city/county, when no other agency shares what is left
    (people drop the place when it is clear from context)."""
    a = g["agency"]["name"]
    place = g["agency"].get("city_or_county") or ""
    if not place or not a.startswith(place) or len(a) - len(place) < 4:
        return None
    short = a[len(place):]
    others = {t["agency"]["name"] for t in truths} - {a}
    return None if any(short in o for o in others) else short


def _project_variant(name: str) -> str | None:
    """A project name with its generic suffix dropped or swapped (…经费 → …资金)."""
    for suf in GENERIC_SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 5:
            stem = name[: -len(suf)]
            return stem + ("资金" if suf != "资金" else "经费")
    return None


def make_questions(truths: list[dict], seed: int = 0) -> list[dict]:
    """Questions over every document's ground truth, by template, with the wording
    variation people use (预算/决算, a policy number in any bracket, an agency named
    without its place, a project named with another generic suffix)."""
    rng = random.Random(seed)
    # An agency with several disclosures is asked with year and kind, else it is ambiguous.
    cases = []
    for g in truths:
        a, y, k = g["agency"]["name"], g["fiscal_year"], KIND_WORD[g["kind"]]
        short = _short_name(g, truths)
        if short:
            key, tpls = rng.choice(TOTALS)
            if g["totals"].get(key) is not None:
                cases.append({"q": rng.choice(tpls).format(a=short, y=y, k=k), "number_wan": g["totals"][key],
                              "type": "short-agency"})
        variants = [(p, v) for p in g["projects"] for v in [_project_variant(p["name"])] if v]
        for p, v in rng.sample(variants, min(1, len(variants))):
            cases.append({"q": f"{a}{y}年{k}安排的{v}是多少？", "number_wan": p["amount"], "type": "project-variant"})
        functional_names = {x["name"] for x in g.get("functional_lines", [])}
        econ = [x for x in g.get("economic_lines", []) if len(x["code"]) == 5 and x["name"] not in functional_names
                and x.get("total") is not None]
        for line in rng.sample(econ, min(1, len(econ))):
            cases.append({"q": f"{a}{y}年{k}的{line['name']}是多少？", "number_wan": line["total"], "type": "economic"})
        for key, tpls in rng.sample(TOTALS, 3):
            v = g["totals"].get(key)
            if v is not None:
                cases.append({"q": rng.choice(tpls).format(a=a, y=y, k=k), "number_wan": v, "type": "total"})
        for p in rng.sample(g["projects"], min(2, len(g["projects"]))):
            cases.append({"q": f"{a}{y}年{k}中{p['name']}的金额是多少？", "number_wan": p["amount"], "type": "project"})
        staff = g["agency"].get("staff") or {}
        if staff.get("authorized") is not None:
            cases.append({"q": f"{a}{y}年的编制人数是多少？", "number": staff["authorized"], "type": "staff"})
        if staff.get("retired") is not None and rng.random() < 0.5:
            cases.append({"q": f"{a}{y}年离退休人员有几人？", "number": staff["retired"], "type": "staff"})
        elif staff.get("actual") is not None:
            cases.append({"q": f"{a}{y}年实有人员多少人？", "number": staff["actual"], "type": "staff"})
        if g["agency"].get("internal_units"):
            cases.append({"q": f"{a}设有哪些内设机构？", "text_all": g["agency"]["internal_units"][:3], "type": "units"})
        if g["agency"].get("parent"):
            cases.append({"q": f"{a}的主管部门是哪个单位？", "text_all": [g["agency"]["parent"]], "type": "parent"})
        for link in g.get("policy_project_links", [])[:1]:
            num = link["policy"]
            o, c = rng.choice(BRACKETS)
            printed = num.replace("〔", o).replace("〕", c)
            cases.append({"q": f"哪些项目以{printed}为依据？", "text_all": [link["project"]], "type": "policy"})
        lines = [x for x in g.get("functional_lines", []) if len(x["code"]) == 7]
        for line in rng.sample(lines, min(2, len(lines))):
            economic_names = {x["name"] for x in g.get("economic_lines", [])}
            if rng.random() < 0.5 or line["name"] in economic_names:  # a name in both schemes needs its code
                q = f"{a}{y}年{k}在{line['name']}（{line['code']}）科目上是多少？"
            else:
                q = f"{a}{y}年{k}中{line['name']}支出是多少？"
            cases.append({"q": q, "number_wan": line["total"], "type": "line"})
    # Superlatives within one year and kind.
    groups: dict[tuple, list[dict]] = {}
    for g in truths:
        groups.setdefault((g["fiscal_year"], g["kind"]), []).append(g)
    for (y, kind), gs in sorted(groups.items()):
        agencies = {g["agency"]["name"] for g in gs}
        if len(gs) < 2 or len(agencies) < len(gs):
            continue
        top = max(gs, key=lambda g: g["totals"]["project"] or 0)
        cases.append({"q": f"{y}年哪个单位的项目支出{KIND_WORD[kind]}最高？", "text_all": [top["agency"]["name"]],
                      "type": "superlative"})
    return cases


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    # No search index: text questions are not asked here, and the archive scan covers them.
    db = generated_db(out, count=10, seed=4242, workers=2)
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "truth").glob("*.json"))]
    cases_file = out / "cases_qa.json"  # the generator's own questions, written without this package
    generator_cases = json.loads(cases_file.read_text(encoding="utf-8")) if cases_file.exists() else []
    return db, truths, generator_cases


def test_synthetic_questions(synthetic_db):
    from api.qa.answerer import answer
    from api.qa.context import Context

    db, truths, _ = synthetic_db
    cases = make_questions(truths, seed=1)
    ctx = Context.open(db)
    try:
        got = [(c, answer(c["q"], ctx)) for c in cases]
    finally:
        ctx.close()
    wrong = [(c["type"], c["q"], r["answer"][:80]) for c, r in got if not correct(c, r["answer"])]
    acc = 1 - len(wrong) / len(got)
    assert len(got) >= 40
    assert acc >= FLOOR, f"accuracy {acc:.3f} over {len(got)} questions; wrong: {wrong[:15]}"
    assert all(r["evidence"] and r["evidence"][0]["source_file"] for c, r in got if correct(c, r["answer"]))


def test_generator_questions(synthetic_db):
    """The generator writes its own question set (cases_qa.json, the scorer's format)."""
    from api.qa.answerer import answer
    from api.qa.context import Context

    db, _, cases = synthetic_db
    assert cases, "data/generate.py wrote no cases_qa.json"
    ctx = Context.open(db)
    try:
        got = [(c, answer(c["q"], ctx)) for c in cases]
    finally:
        ctx.close()
    wrong = [(c["q"], r["answer"][:80]) for c, r in got if not correct(c, r["answer"])]
    acc = 1 - len(wrong) / len(got)
    assert acc >= FLOOR, f"accuracy {acc:.3f} over {len(got)} generator questions; wrong: {wrong[:10]}"
