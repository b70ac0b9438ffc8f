"""kg.pipeline's worker tasks: typed, picklable, and doing what ingest relies on (an invented
disclosure written here)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from kg.archive import DocumentArchive
from kg.pipeline import ArchivedTask, ShippedTask, prepare_archived, prepare_shipped

TEXT = "某某示例局2024年部门预算\n\n收支总表\n单位：万元\n项目\t预算数\n本年收入合计\t12.00\n本年支出合计\t12.00\n"


@pytest.mark.parametrize("task", [ShippedTask("/far/away/a.txt", "a.txt", b"x"), ArchivedTask("/data/a.txt", "/db")])
def test_tasks_are_frozen_picklable_dataclasses(task):
    assert dataclasses.is_dataclass(task)
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.path = "elsewhere"
    assert pickle.loads(pickle.dumps(task)) == task


def test_shipped_task_reads_the_bytes_and_reports_our_path():
    prep = prepare_shipped(ShippedTask("/far/away/部门预算.txt", "部门预算.txt", TEXT.encode("utf-8")))
    assert not prep.error
    assert prep.path == "/far/away/部门预算.txt"  # where the file is here, not the worker's copy
    assert prep.document.source_file == "部门预算.txt"
    assert prep.triples > 0 and not prep.archived


def test_archived_task_writes_the_archive_entry(tmp_path):
    src = tmp_path / "部门预算.txt"
    src.write_text(TEXT, encoding="utf-8")
    db = tmp_path / "db"
    prep = prepare_archived(ArchivedTask(str(src), str(db)))
    assert not prep.error and prep.archived
    assert DocumentArchive(db).get(prep.document.sha256) == prep.document


def test_archived_task_writes_nothing_for_a_failure(tmp_path):
    src = tmp_path / "empty.txt"
    src.write_bytes(b"")
    db = tmp_path / "db"
    prep = prepare_archived(ArchivedTask(str(src), str(db)))
    assert prep.error and not prep.archived
    assert not (db / "documents").exists()
