"""docs/qa.md stays true: each console example's first answer line is what `budgetkg ask`
prints for that question over the corpus database."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "qa.md"

pytestmark = pytest.mark.shared


def examples() -> list[tuple[list[str], str]]:
    out, block = [], None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            block = [] if line.strip() == "```console" else None
            continue
        if block is None:
            continue
        block.append(line)
        if len(block) == 2 and block[0].startswith("$ budgetkg ask"):
            out.append((shlex.split(block[0][2:]), block[1]))
    return out


def test_console_examples_answer_as_documented(txt_db):
    cases = examples()
    assert len(cases) >= 2
    exe = Path(sys.executable).parent / "budgetkg"
    for argv, first_line in cases:
        argv = [str(exe)] + [str(txt_db) if a == "budgetkg-data" else a for a in argv[1:]]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-1000:]
        assert proc.stdout.splitlines()[0] == first_line
