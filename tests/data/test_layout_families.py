"""The generator's layout families (data/families.py, `generate.py --family`): every family
states the same facts as the default layout, prints them the way it says, and leaves the
default corpus as it was. Reading them is tests/kg/test_families.py's business."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from data.families import FAMILIES
from data.family_output import generate_families
from data.output import generate
from kg import vocab as W

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "data" / "generate.py"
SEEDS = (13, 15, 20240101)
N = 8


@pytest.fixture(scope="module")
def families(tmp_path_factory) -> list[Path]:
    out = []
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"fam{seed}")
        generate_families(folder, N, seed, {"txt"}, list(FAMILIES))
        out.append(folder)
    return out


def docs(folder: Path, family: str):
    """(stem, {file name: text}, truth) of every document of one family."""
    for t in sorted((folder / family / "truth").glob("*.json")):
        truth = json.loads(t.read_text("utf-8"))
        texts = {name: (folder / family / "txt" / name).read_text("utf-8") for name in truth["synthetic"]["files"]}
        yield t.stem, texts, truth


def tables(text: str) -> dict[str, list[list[str]]]:
    """Tab-separated blocks by title; a form feed inside a table continues it."""
    out, cur = {}, None
    for line in text.split("\n"):
        if "\t" in line:
            cells = line.split("\t")
            if cur is None:
                cur = out.setdefault(cells[0], [])
            else:
                cur.append(cells)
        elif line != "\f":
            cur = None
    return out


def num(s: str) -> Decimal:
    s = s.replace(",", "").strip()
    return Decimal(s) if s else Decimal(0)


def wan(truth: dict, s: str) -> Decimal:
    return num(s) / (10000 if truth["synthetic"]["unit"] == W.YUAN else 1)


def table(text: str, *endings: str) -> list[list[str]]:
    """The header and body rows of the table whose title ends so (its filing line left out)."""
    return next(rows[1:] for title, rows in tables(text).items() if title.endswith(endings))


def test_every_family_states_the_same_facts(families):
    """A family's truth is the default layout's, but for the file it names, the family and what
    it cannot print; and every document of a family corpus records the facts only families print."""
    for folder in families:
        base = {stem: truth for stem, _, truth in docs(folder, "standard")}
        for name in FAMILIES:
            for stem, _, truth in docs(folder, name):
                ref = json.loads(json.dumps(base[stem]))
                for t in (ref, truth):
                    t.pop("doc")
                    for k in ("family", "family_letter", "files", "unprintable"):
                        t["synthetic"].pop(k)
                assert truth == ref, (folder.name, name, stem)
                assert "extensions" in truth


def test_the_default_layout_is_the_default_corpus_where_the_facts_are_the_same(families, tmp_path):
    """Family a prints a document as the default corpus does unless its extended facts add a
    reserve to it or to the year's budget (a final account prints that budget beside its own
    figures): then a line's total exceeds 基本 + 项目 by it."""
    folder = families[-1]
    generate(tmp_path, N, SEEDS[-1], {"txt"})
    same = differ = 0
    for stem, texts, truth in docs(folder, "standard"):
        plain = (tmp_path / "txt" / f"{stem}.txt").read_text("utf-8")
        ext = truth["extensions"]
        if ext["reserve"] or ext["plan_reserve"] or ext["previous_reserve"]:
            differ += 1
            assert texts[f"{stem}.txt"] != plain
            assert (W.RESERVE in texts[f"{stem}.txt"]) == bool(ext["reserve"])
        else:
            same += 1
            assert texts[f"{stem}.txt"] == plain, stem
    assert same and differ


def test_extension_facts_add_up(families):
    for folder in families:
        for stem, _, truth in docs(folder, "standard"):
            ext, tot = truth["extensions"], truth["totals"]
            d = {k: Decimal(str(v)) for k, v in ext["income_sources"].items()}
            assert sum(d.values()) == Decimal(str(tot["income"])), stem
            total = Decimal(str(tot["expenditure"]))
            assert Decimal(str(tot["basic"])) + Decimal(str(tot["project"])) + Decimal(str(ext["reserve"])) == total
            if truth["kind"] == W.FINAL_ACCOUNT.code:
                assert ext["reserve"] == 0
            gov = {x["code"]: Decimal(str(x["total"])) for x in ext["government_economic_lines"]}
            assert sum(v for c, v in gov.items() if len(c) == 3) == Decimal(str(tot["basic"])), stem
            econ = {x["code"]: x["total"] for x in truth["economic_lines"]}
            assert ext["meeting_fee"] == econ.get("30215", 0) and ext["training_fee"] == econ.get("30216", 0)
            amounts = {p["name"]: Decimal(str(p["amount"])) for p in truth["projects"]}
            for p in ext["projects"]:
                if p["quarterly"] is not None:
                    assert sum(Decimal(str(x)) for x in p["quarterly"]) == amounts[p["name"]], (stem, p["name"])
                assert len(p["targets"]) == 3
    reserves = [t["extensions"]["reserve"] for f in families for _, _, t in docs(f, "standard")]
    specials = [t["extensions"]["income_sources"]["special_account"] for f in families for _, _, t in docs(f, "standard")]
    assert any(reserves) and any(specials)


def test_split_merged_and_names_only_codes(families):
    for folder in families:
        for (stem, split, _), (_, merged, _), (_, names, truth) in zip(
                docs(folder, "split_codes"), docs(folder, "merged_codes"), docs(folder, "names_only"), strict=True):
            split, merged, names = (next(iter(t.values())) for t in (split, merged, names))
            econ = table(split, *W.BASIC_TABLE_TITLES)
            codes = {"".join(r[:2]) for r in econ}
            assert {x["code"] for x in truth["economic_lines"]} <= codes, stem
            assert ["类", "款"] == next(r[:2] for r in econ if r[0] == "类")
            func = table(merged, W.EXPENDITURE_TABLE.budget, W.EXPENDITURE_TABLE.final)
            cells = {r[0] for r in func}
            for line in truth["functional_lines"]:
                assert any(c.startswith(line["code"]) and c.endswith(line["name"]) for c in cells), (stem, line)
            assert truth["synthetic"]["unprintable"] == ["economic.code", "functional.code"]
            for title, rows in tables(names).items():
                coded = (W.EXPENDITURE_TABLE.budget, W.EXPENDITURE_TABLE.final, W.GPB_EXPENDITURE_TABLE.budget,
                         W.GPB_EXPENDITURE_TABLE.final, W.GPB_BASIC_TABLE.budget, W.GPB_BASIC_TABLE.final)
                if title in coded:
                    assert not any(re.fullmatch(r"\d{3,7}", c) for r in rows for c in r), (stem, title)
                    depth = 2 if title in coded[4:] else 4  # a 款 under its 类, a 项 under its 款
                    assert any(r[0].startswith("\u3000" * depth) for r in rows), (stem, title)


def test_dual_economic_prints_both_classifications(families):
    seen_first = set()
    for folder in families:
        for stem, texts, truth in docs(folder, "dual_economic"):
            rows = table(next(iter(texts.values())), *W.BASIC_TABLE_TITLES)
            head = rows[0]
            assert W.ECONOMIC_CLASSIFICATION in head and W.GOV_ECONOMIC_CLASSIFICATION in head
            seen_first.add(head[0])
            gov = {x["code"] for x in truth["extensions"]["government_economic_lines"]}
            printed = {c for r in rows for c in r if re.fullmatch(r"5\d\d(\d\d)?", c)}
            assert printed == gov, stem
    assert seen_first == {W.ECONOMIC_CLASSIFICATION, W.GOV_ECONOMIC_CLASSIFICATION}


def test_reserve_and_income_sources_are_printed_and_add_up(families):
    for folder in families:
        for stem, texts, truth in docs(folder, "reserve"):
            text = next(iter(texts.values()))
            ext = truth["extensions"]
            summary = table(text, W.SUMMARY_TABLE.budget, W.SUMMARY_TABLE.final)
            labels = {r[0].strip(): r[1] for r in summary}
            assert wan(truth, labels[f"二、{W.SPECIAL_ACCOUNT}"]) == Decimal(str(ext["income_sources"]["special_account"]))
            assert wan(truth, labels["当年收入小计"]) == Decimal(str(truth["totals"]["income"]))
            if truth["kind"] == W.BUDGET.code:
                uses = {r[4]: r[5] for r in summary if len(r) > 5}
                assert wan(truth, uses[f"三、{W.RESERVE}"]) == Decimal(str(ext["reserve"]))
                exp = table(text, W.EXPENDITURE_TABLE.budget)
                col = next(r for r in exp if W.RESERVE in r).index(W.RESERVE)
                total = next(r for r in exp if "合计" in r and not r[0])
                t, b, p, res = (num(total[i]) for i in (col - 3, col - 2, col - 1, col))
                if not truth["inconsistencies"]:
                    assert t == b + p + res, stem


def test_meeting_and_training_fees_beside_the_three_public_parts(families):
    for folder in families:
        for stem, texts, truth in docs(folder, "meeting_training"):
            rows = next(rows[1:] for title, rows in tables(next(iter(texts.values()))).items() if W.MEETING_FEE in title)
            assert W.MEETING_FEE in rows[0] and W.TRAINING_FEE in rows[0]
            own = rows[-1][-9:]
            total, three, meet, train = (wan(truth, own[i]) for i in (0, 1, 7, 8))
            assert three == Decimal(str(truth["totals"]["three_public"])), stem
            assert total == three + meet + train
            assert meet == Decimal(str(truth["extensions"]["meeting_fee"]))


def test_unit_lists_print_the_units_or_say_they_cannot(families):
    how = set()
    for folder in families:
        for stem, texts, truth in docs(folder, "unit_lists"):
            text = next(iter(texts.values()))
            joined = text.replace("\n", "")
            units = truth["agency"]["internal_units"]
            if truth["synthetic"]["unprintable"] == ["units"]:
                how.add("count")
                assert not any(u in joined for u in units) and f"{len(units)} 个" in text
                continue
            assert all(u in joined for u in units), stem
            if not all(u in text for u in units):
                how.add("broken")
            else:
                how.add("running")
    assert how == {"count", "broken", "running"}


def test_project_details_basis_plan_and_targets(families):
    for folder in families:
        for stem, texts, truth in docs(folder, "project_details"):
            text = next(iter(texts.values()))
            rows = table(text, W.PROJECT_TABLE.budget, W.PROJECT_TABLE.final)
            assert W.PROJECT_BASIS_WORDS[0] in rows[0]
            by_name = {r[1]: r for r in rows}
            printed = {p["number"]: p["number_as_printed"] for p in truth["policies"]}
            for p in truth["extensions"]["projects"]:
                row = by_name[p["name"]]
                for number in p["basis"]:
                    assert printed[number] in row[2], (stem, p["name"], number)
                if p["quarterly"]:
                    assert [wan(truth, x) for x in row[4:8]] == [Decimal(str(x)) for x in p["quarterly"]]
            targets = table(text, f"{W.PROJECT.label}{W.PERFORMANCE_WORDS[0]}表")
            assert len(targets) - 1 == sum(len(p["targets"]) for p in truth["extensions"]["projects"])


def test_tables_only_is_a_publication_in_two_halves(families):
    for folder in families:
        default = {stem: next(iter(t.values())) for stem, t, _ in docs(folder, "standard")}
        for stem, texts, truth in docs(folder, "tables_only"):
            text, sheet = texts[f"{stem}_text.txt"], texts[f"{stem}_tables.txt"]
            assert truth["doc"] == f"{stem}_tables.txt"
            assert "\t" not in text and truth["agency"]["name"] in text
            lines = [x for x in sheet.split("\n") if x and x != "\f" and not x.startswith("备注")]
            assert all("\t" in x for x in lines), stem  # nothing but tables (and notes): no title page, no prose
            year = str(truth["fiscal_year"])
            titles = list(tables(sheet))
            assert len(titles) == len(tables(default[stem])) and all(t.startswith(year) for t in titles)
            agency_lines = [x.split("\t")[0] for x in lines if "：" + truth["agency"]["name"] in x]
            assert agency_lines and all(x.split("：")[0] in W.AGENCY_LABELS for x in agency_lines)
            assert not [x for x in lines if f"{year}年" in x and x.split("\t")[0] not in titles]  # titles only


def test_flowing_tables_break_over_pages(families):
    repeated = bare = orphan = 0
    for folder in families:
        for _, texts, _ in docs(folder, "flowing"):
            lines = next(iter(texts.values())).split("\n")
            for i, x in enumerate(lines[:-1]):
                if x == "\f" and "\t" in lines[i - 1]:
                    after = lines[i + 1].split("\t")
                    if "合计" in after and lines[i + 2] == "":
                        orphan += 1
                    elif re.search(r"\d", lines[i + 1]):
                        bare += 1
                    else:
                        repeated += 1
    assert repeated and bare and orphan


def test_landscape_pdfs_turn_pages_and_shift_digits(tmp_path, cjk_font):
    import pdfplumber

    generate_families(tmp_path, 4, SEEDS[0], {"pdf"}, ["landscape"])
    kinds = set()
    for f in sorted((tmp_path / "landscape" / "pdf").glob("*.pdf")):
        raw = f.read_bytes()
        with pdfplumber.open(f) as pdf:
            sizes = {(round(p.width), round(p.height)) for p in pdf.pages}
            shifted = False
            for p in pdf.pages[1:3]:
                lines: dict = {}
                for c in p.chars:
                    lines.setdefault(round(c["top"] / 4), []).append(c)
                for chars in lines.values():
                    digit = {round(c["bottom"], 1) for c in chars if c["text"].isdigit()}
                    cjk = {round(c["bottom"], 1) for c in chars if "\u4e00" <= c["text"] <= "\u9fff"}
                    shifted |= bool(digit and cjk and not digit & cjk)
        assert shifted, f.name
        if b"/Rotate 90" in raw:
            kinds.add("rotated")
        if (842, 595) in sizes:
            kinds.add("landscape")
    assert kinds == {"rotated", "landscape"}


def test_family_command_line(tmp_path):
    res = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "x"), "--count", "2", "--seed", "3",
                          "--formats", "txt", "--family", "a,names_only,h"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text("utf-8"))
    assert manifest["families"] == ["standard", "names_only", "tables_only"]
    assert sorted(p.name for p in (tmp_path / "x" / "tables_only" / "txt").iterdir()) == sorted(
        f"{d['stem']}{s}.txt" for d in manifest["docs"] for s in ("_text", "_tables"))
    again = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "y"), "--count", "2", "--seed", "3",
                            "--formats", "txt", "--family", "a,names_only,h"], capture_output=True, text=True,
                           timeout=120, env={"PYTHONHASHSEED": "7", "PATH": ""})
    assert again.returncode == 0, again.stderr
    for f in (tmp_path / "x").rglob("*"):
        if f.is_file():
            assert f.read_bytes() == (tmp_path / "y" / f.relative_to(tmp_path / "x")).read_bytes(), f
    bad = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "z"), "--count", "1", "--family", "zz"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--family" in bad.stderr
    both = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "z"), "--count", "1", "--family", "a",
                           "--plant"], capture_output=True, text=True, timeout=60)
    assert both.returncode == 2 and "--plant" in both.stderr
