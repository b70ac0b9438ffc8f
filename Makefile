# budgetkg — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= budgetkg-data
SAMPLE := data/sample
SHARED ?= ../shared
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-fast bench lint sysdeps install sample db serve clean yardsticks editor

# System packages: a CJK font (PDF rendering in the generator and tests), poppler
# (pdftoppm for page images) and chromium (the browser test). Installed only when absent.
sysdeps:
	@bash .ci/sysdeps.sh

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is pinned (a CPU wheel); installing it first keeps pip from pulling CUDA builds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: sysdeps $(VENV)/.installed

sample: $(SAMPLE)/.stamp
$(SAMPLE)/.stamp: $(wildcard data/*.py) | $(VENV)/.installed
	$(BIN)/python data/generate.py --out $(SAMPLE) --count 8 --seed 20240101 --inconsistency-rate 0.2
	touch $@

# The sample database, from the sample PDFs (the .txt exports are the same documents).
# Re-running ingests nothing new: unchanged files are skipped.
db: install sample
	$(BIN)/budgetkg ingest --db $(DB) $(SAMPLE)/pdf

demo: db
	@echo ""
	@echo "  budgetkg is serving the sample corpus on http://$(HOST):$(PORT)/"
	@echo "    search and ask:   http://$(HOST):$(PORT)/"
	@echo "    SPARQL editor:    http://$(HOST):$(PORT)/sparql"
	@echo "    API docs:         http://$(HOST):$(PORT)/docs"
	@echo ""
	$(BIN)/budgetkg serve --db $(DB) --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

# The fast lane: no test that ingests a corpus, trains a model, starts a server or a browser,
# or reads ../shared (markers derived from the fixtures each test uses, tests/conftest.py).
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not shared and not browser"

bench: install
	$(BIN)/python bench/run.py --out bench/out

lint: install
	$(BIN)/ruff check kg search ontology api data tests bench tools
	$(BIN)/python tools/check_layers.py

yardsticks: install
	source $(BIN)/activate && $(SHARED)/eval/yardsticks.sh

# The SPARQL editor's CodeMirror bundle (api/static/vendor/, committed: the service, demo and
# tests need no npm). Rebuild it from the locked npm packages after changing tools/editor/.
editor:
	cd tools/editor && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(DB) $(SAMPLE)/.stamp bench/out
