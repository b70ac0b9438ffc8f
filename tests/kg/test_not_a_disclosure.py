"""A file that reads but is not a budget disclosure (a README or notes file beside the PDFs)
is skipped with a note when found in a folder and refused when named; decided from the
content, never the name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.document import Document, Page, Paragraph, Table
from kg.readers.dispatch import not_a_disclosure, read_document

ROOT = Path(__file__).resolve().parents[2]
README = ("# Crawl notes\n\nDownloaded from the provincial portal on 2031-05-01; one folder per agency.\n\n"
          "| folder | files |\n|---|---|\n| a | 3 |\n| b | 2 |\n")
NOTES = "本目录收录各部门预算公开文件，供内部核对使用。\n\n整理人：示例\n"


def _doc(*blocks) -> Document:
    return Document("x.txt", "0" * 64, [Page(1, list(blocks))])


def test_what_makes_a_disclosure():
    assert not_a_disclosure(_doc(Paragraph("示例区某某局 2031 年度部门预算公开", 1))) is None
    assert not_a_disclosure(_doc(Paragraph("XXXX年度部门决算", 1))) is None  # a blank template
    assert not_a_disclosure(_doc(Paragraph("某某局2031年部门决 算", 1))) is None  # spaced out
    # a tables-only file: the table says what it is
    assert not_a_disclosure(_doc(Table(header=[["项目", "预算数"]], rows=[["合计", ""]], page=1))) is None
    assert not_a_disclosure(_doc(Table(header=[["科目名称", "支出"]], rows=[["行政运行", "1,204.50"]], page=1))) is None
    # budgets mentioned, but no year and kind, no budget table
    why = not_a_disclosure(_doc(Paragraph(NOTES.splitlines()[0], 1)))
    assert why and "not a budget disclosure" in why
    assert not_a_disclosure(_doc(Table(header=[["科目名称", "支出"]], rows=[["行政运行", "待定"]], page=1)))
    assert not_a_disclosure(_doc())


def _generate(out: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", "1", "--seed",
                    "9", "--formats", "txt"], check=True, capture_output=True, timeout=300)
    return out / "txt"


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", "ingest", "--workers", "1", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow  # waits out a query timeout or starts processes
def test_a_readme_in_a_folder_is_skipped_with_a_note(tmp_path):
    folder = _generate(tmp_path / "gen")
    (folder / "README.md").write_text(README, encoding="utf-8")
    (folder / "notes.txt").write_text(NOTES, encoding="utf-8")
    p = _cli("--json", "--db", str(tmp_path / "db"), str(folder))
    assert p.returncode == 0, p.stderr
    by_name = {r["source_file"]: r for r in map(json.loads, p.stdout.splitlines())}
    status = {n: r["status"] for n, r in by_name.items()}
    assert (status.pop("README.md"), status.pop("notes.txt"), list(status.values())) == ("skipped", "skipped", ["added"])
    assert "not a budget disclosure" in by_name["README.md"]["note"] and not by_name["README.md"]["error"]

    from kg.store import open_store

    store = open_store(tmp_path / "db", read_only=True)
    try:
        assert {d.source_file for d in store.documents()} == set(by_name) - {"README.md", "notes.txt"}
    finally:
        store.close()

    # the readable listing shows the note, and says how many were skipped
    p = _cli("--db", str(tmp_path / "db2"), str(folder))
    assert p.returncode == 0, p.stderr
    assert any(ln.startswith("skipped") and "README.md" in ln and "not a budget disclosure" in ln
               for ln in p.stdout.splitlines()), p.stdout
    assert "2 skipped" in p.stderr and "0 failed" in p.stderr


@pytest.mark.slow  # waits out a query timeout or starts processes
def test_a_non_disclosure_named_explicitly_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    p = _cli("--json", "--db", str(tmp_path / "db"), str(readme))
    assert p.returncode == 1
    (r,) = map(json.loads, p.stdout.splitlines())
    assert r["status"] == "failed" and "README.md" in r["error"] and "not a budget disclosure" in r["error"]
    assert "\n" not in r["error"]


def test_every_published_pdf_is_a_disclosure(shared):
    """The layouts met in the wild, the blank 决算 template and the tables-only file included
    (the generated and ../shared/corpus/pdf files are ingested by the session fixtures)."""
    files = sorted((shared / "corpus" / "real").glob("*.pdf")) + sorted((shared / "corpus" / "jiangsu").glob("*.pdf"))
    assert len(files) == 12
    for f in files:
        assert not_a_disclosure(read_document(f)) is None, f.name


@pytest.mark.parametrize("name", ["README.md", "notes.txt", "部门预算.txt"])
def test_the_name_decides_nothing(tmp_path, name):
    p = tmp_path / name
    p.write_text(NOTES, encoding="utf-8")
    assert not_a_disclosure(read_document(p))
