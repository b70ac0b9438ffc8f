"""The README stays true to the code: its settings table is the one the Settings class
generates, every subcommand of `budgetkg --help` is documented, and the tour's commands
run (against a database built from the shared corpus)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from api.cli import build_parser
from kg.settings import settings_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_settings_table_matches_settings_class():
    assert settings_table() in README, "README settings table is stale: run `python -m kg.settings`"


def test_every_subcommand_is_in_the_readme():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"budgetkg {name}" in README, f"`budgetkg {name}` is not documented in README.md"


def _tour_commands() -> list[list[str]]:
    block = README.split("## A short tour", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    cmds = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("budgetkg ") and " serve" not in line and " ingest" not in line:
            cmds.append(shlex.split(line.split(">")[0]))
    return cmds


def test_readme_tour_commands_run(txt_db):
    cmds = _tour_commands()
    assert len(cmds) >= 5
    exe = Path(sys.executable).parent / "budgetkg"
    for argv in cmds:
        argv = [str(exe)] + [str(txt_db) if a == "mydb" else a for a in argv[1:]]
        # the tour filters by a year the sample corpus has; keep the command as written
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (argv, proc.stderr[-2000:])
        assert proc.stdout.strip(), argv
    assert re.search(r"budgetkg ingest --db mydb", README)
