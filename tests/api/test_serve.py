"""`budgetkg serve` wiring: CLI arguments reach the settings and uvicorn; a bad database is
one clear line and exit status 2, not a traceback."""

from __future__ import annotations

import argparse

from api import app as app_module


def test_serve_passes_settings_to_uvicorn(mini_db, monkeypatch, capsys):
    import uvicorn

    seen = {}

    def fake_run(app, host, port, **kw):
        seen.update(app=app, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr(app_module.Services, "warm", lambda self: None)
    args = argparse.Namespace(db=str(mini_db), host="127.0.0.2", port=8123)
    assert app_module.serve(args) == 0
    assert seen["host"] == "127.0.0.2" and seen["port"] == 8123
    services = seen["app"].state.services
    assert services.settings.db == str(mini_db) and services.queries.size >= 3
    assert "read-only" in capsys.readouterr().err
    services.close()


def test_serve_reports_a_bad_database(tmp_path, capsys):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    args = argparse.Namespace(db=str(not_a_dir), host=None, port=None)
    assert app_module.serve(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("budgetkg: ")


def test_serve_without_a_database_says_how_to_make_one(tmp_path, capsys):
    args = argparse.Namespace(db=str(tmp_path / "missing"), host=None, port=None)
    assert app_module.serve(args) == 2
    assert "budgetkg ingest" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()  # a typo does not leave an empty database behind


def test_cli_parser_knows_serve():
    from api.cli import build_parser

    args = build_parser().parse_args(["serve", "--db", "x", "--port", "9"])
    assert args.func.__name__ == "cmd_serve" and args.port == 9 and args.host is None
