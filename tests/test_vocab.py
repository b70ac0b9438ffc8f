"""The domain's words are spelled in kg/vocab.py only.

Every string constant of every module under kg/, search/, api/ and data/ (f-string parts and
regex sources included; docstrings are prose for readers and left out, as comments are) is
checked against the words kg/vocab.py defines, read from it, so the check grows with it:

* a document wording (a measure's label or printed form, a table title, a kind, a unit) of
  three or more characters, or a short one listed in DISTINCT, must not occur inside any of
  them;
* any word, question wordings included, must not be a whole string or a whole alternative of
  a regex ("决算" in ``"决算" in col``, ``(万元|元|万)``).

The contract labels must be the ontology's (ontology/budget.ttl rdfs:label@zh).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from rdflib import RDFS, Graph, Literal

import kg.vocab as V

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("kg", "search", "api", "data")
VOCAB = Path("kg/vocab.py")

# Two-character document words that mean nothing else, so a substring of any string is a copy.
DISTINCT = {V.THREE_PUBLIC_WORD}

# (module, string constant or its beginning): why that string may spell a vocabulary word. Each
# is a string in which the word is not the vocabulary's term (a name, a title, prose about
# something else) or documentation shown to people; keep the list short.
ALLOWED: dict[tuple[str, str], str] = {}


def _allow(module: str, why: str, *texts: str) -> None:
    for t in texts:
        ALLOWED[(module, t)] = why


_allow("data/vocab.py", "the name of an economic classification code as the national list prints it (a concept)",
       "工资福利支出", "其他工资福利支出", "因公出国（境）费用", "公务接待费", "公务用车运行维护费")
_allow("data/vocab.py", "the title of a law or policy document a disclosure cites",
       "中华人民共和国政府采购法", "关于加强部门预算绩效目标管理的指导意见", "关于规范机关运行经费管理的通知",
       "关于做好项目支出预算标准体系建设的通知", "关于进一步加强政府采购需求和履约验收管理的通知",
       "关于调整城乡义务教育学校生均公用经费基准定额的通知")
_allow("data/vocab.py", "an invented agency duty, project name or project purpose (prose, not a figure's label)",
       "负责离退休人员待遇领取资格认证和社会化管理服务", "负责退休人员养老待遇的计算与核定", "义务教育公用经费保障资金",
       "保障学校日常教学和运转所需公用经费", "检测设备运行维护费")
_allow("data/narrative.py", "prose about the 三公 budget and the procurement total, not the expenditure total",
       "支出预算为 ", "支出总额 ")
_allow("data/generate.py", "documentation: the command's help text",
       "Write deterministic synthetic 部门预算/决算 disclosures with ground truth.")
_allow("api/routes/ask.py", "documentation: OpenAPI examples and a parameter's description",
       "三公经费", "三公经费预算", "budget (预算) or final_account (决算).", "某单位2024年预算收入总额是多少？")
_allow("api/routes/pages.py", "documentation: an OpenAPI example", "三公经费预算是多少")
_allow("api/routes/compare.py", "documentation: an endpoint's and a parameter's description",
       "Each total (本年收入合计, 本年支出合计, 基本支出, 项目支出, “三公”经费…)", "budget (预算) or final_account (决算)")
_allow("api/cli.py", "documentation: the command's help text",
       "Knowledge graph and search over Chinese budget disclosures (部门预算/决算).")

# Modules that still spell vocabulary words, and why they are not done yet. The list can only
# shrink: an entry whose module no longer spells a word fails test_not_yet_is_still_needed.
NOT_YET: dict[str, str] = {}

try:
    from re import _constants as _sre  # Python 3.11+
    from re import _parser as _regex
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre
    import sre_parse as _regex

# Words that are the vocabulary's only in some places: 部门 and 单位 name the scopes, and also
# any department or unit (单位名称, 填报部门, 单位：万元). Their compounds with a kind (部门预算,
# 单位决算) are guarded instead.
NOT_TOKENS = {V.DEPARTMENT.word, V.UNIT.word}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                out.add(id(body[0].value))
    return out


def strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant of a module but its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip]


def literal_alternatives(text: str) -> set[str]:
    """`text` itself, and, read as a regex, every alternative or group that is a plain word
    ("万元" and "元" in ``(万元|元|万)``)."""
    out = {text}
    try:
        tree = _regex.parse(text)
    except (re.error, RecursionError, OverflowError):
        return out

    def word(items) -> str | None:
        items = list(items)
        if items and all(op is _sre.LITERAL for op, _ in items):
            return "".join(chr(c) for _, c in items)
        return None

    def walk(items) -> None:
        for op, av in items:
            if op is _sre.BRANCH:
                for alt in av[1]:
                    w = word(alt)
                    if w:
                        out.add(w)
                    walk(alt)
            elif op is _sre.SUBPATTERN:
                w = word(av[-1])
                if w:
                    out.add(w)
                walk(av[-1])
            elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
                walk(av[-1])
            elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
                walk(av[1])

    walk(tree)
    return out


def spelled(text: str, substrings: set[str], tokens: set[str]) -> set[str]:
    """The vocabulary words `text` spells."""
    found = {w for w in substrings if w in text}
    return found | (literal_alternatives(text) & tokens)


def guarded() -> tuple[set[str], set[str]]:
    doc = V.document_words()
    substrings = {w for w in doc if len(w) >= 3 or w in DISTINCT}
    return substrings, (doc | V.question_words()) - NOT_TOKENS


def modules() -> list[Path]:
    out = []
    for top in SCANNED:
        out += sorted(p.relative_to(ROOT) for p in (ROOT / top).rglob("*.py"))
    return [p for p in out if p != VOCAB and str(p) not in NOT_YET]


def allowed(module: str, text: str) -> bool:
    return any(m == module and text.startswith(t) for m, t in ALLOWED)


def test_no_module_but_vocab_spells_a_domain_word():
    substrings, tokens = guarded()
    found = []
    for rel in modules():
        for line, text in strings(ROOT / rel):
            if allowed(str(rel), text):
                continue
            for w in sorted(spelled(text, substrings, tokens)):
                found.append(f"{rel}:{line}: {w!r} in {text[:60]!r}")
    assert not found, f"{len(found)} domain words spelled outside kg/vocab.py:\n" + "\n".join(found)


def test_allowed_entries_are_still_needed():
    """An allow-list entry for a string that is gone, or no longer spells a word, is stale."""
    substrings, tokens = guarded()
    stale = []
    for rel, start in ALLOWED:
        texts = [t for _, t in strings(ROOT / rel) if t.startswith(start)]
        if not any(spelled(t, substrings, tokens) for t in texts):
            stale.append((rel, start))
    assert not stale


def test_vocab_spells_its_own_words():
    """The check reads real words: vocab itself spells them (a sanity check of the scanner)."""
    substrings, tokens = guarded()
    texts = [t for _, t in strings(ROOT / VOCAB)]
    assert V.INCOME.label in substrings
    assert any(V.INCOME.label in spelled(t, substrings, tokens) for t in texts)
    assert spelled("x if k == '决算' else y", substrings, tokens) == set()
    assert spelled("决算", substrings, tokens) == {"决算"}
    assert spelled(r"(\d+)\s*(万元|元|万)", substrings, tokens) >= {"万元", "元"}
    assert spelled(r"编制(?:部门|日期)", substrings, tokens) == set()
    assert spelled("其中：本年收入合计 ", substrings, tokens) >= {"本年收入合计"}


@pytest.mark.parametrize("module", sorted(NOT_YET))
def test_not_yet_is_still_needed(module):
    substrings, tokens = guarded()
    assert any(spelled(t, substrings, tokens) for _, t in strings(ROOT / module)), f"{module} is done: drop it"


@pytest.fixture(scope="module")
def ontology_labels() -> dict[str, str]:
    g = Graph().parse(ROOT / "ontology" / "budget.ttl")
    out = {}
    for s, o in g.subject_objects(RDFS.label):
        if isinstance(o, Literal) and o.language == "zh":
            out[str(s)] = str(o)
    return out


@pytest.mark.parametrize("measure", V.MEASURES, ids=lambda m: m.prop)
def test_measure_labels_are_the_contract_labels(measure, ontology_labels):
    assert ontology_labels[str(measure.term)] == measure.label


def test_income_keeps_its_question_alias():
    """收入总额 is how questions and answers name totalIncome; the contract's label is 本年收入合计."""
    assert V.INCOME.label == "本年收入合计"
    assert ("收入总额", V.INCOME) in V.ASKED_TOTALS
    assert V.INCOME.name == "收入总额"
