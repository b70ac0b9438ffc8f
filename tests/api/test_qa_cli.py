"""`budgetkg ask`: JSON Lines in order, one flushed line per question, and the human form."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

from api.qa import cli


def test_json_lines_protocol(tmp_path, monkeypatch):
    from test_qa_engine import build

    ctx = build(tmp_path)
    monkeypatch.setattr("api.qa.context.Context.open", classmethod(lambda cls, db: ctx))
    monkeypatch.setattr("sys.stdin", io.StringIO("青山县城乡居民医疗保险服务中心的编制人数是多少？\n\n哪些项目以青医保发【2021】7号为依据？\n"))
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert cli.run(SimpleNamespace(question=None, db=str(tmp_path), json=True)) == 0
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(lines) == 3  # a blank line is a question too: the scorer counts lines
    assert lines[0]["value"] == 42 and "42人" in lines[0]["answer"]
    assert lines[1]["answer"] == "请输入问题。"
    assert "医保基金稽核专项经费" in lines[2]["answer"] and lines[2]["evidence"][0]["page"] == 3
    assert all(set(x) >= {"question", "answer", "value", "unit", "evidence", "sparql"} for x in lines)
    # Every line says how far to trust it and what it read the question as.
    assert all(set(x) >= {"confidence", "interpretation", "source", "candidates"} for x in lines)
    assert lines[0]["confidence"] >= 0.6 and lines[0]["source"] == "graph"
    assert lines[0]["interpretation"].startswith("青山县城乡居民医疗保险服务中心 · 2025")
    assert lines[1]["confidence"] == 0


def test_human_output(tmp_path, monkeypatch, capsys):
    from test_qa_engine import build

    ctx = build(tmp_path)
    monkeypatch.setattr("api.qa.context.Context.open", classmethod(lambda cls, db: ctx))
    assert cli.run(SimpleNamespace(question="青山县城乡居民医疗保险服务中心的项目支出是多少？", db="x", json=False)) == 0
    text = capsys.readouterr().out
    assert "120.00万元" in text and "qs_2025.txt 第" in text and "SELECT" in text
    assert "理解为：青山县城乡居民医疗保险服务中心 · 2025" in text and "置信度：" in text


def test_missing_database(tmp_path, capsys):
    assert cli.run(SimpleNamespace(question="x", db=str(tmp_path / "none"), json=False)) == 2
    assert "no database" in capsys.readouterr().err
