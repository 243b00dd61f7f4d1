# npdesk — the two commands that matter are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= $(if $(NPDESK_SHARED),$(NPDESK_SHARED),../shared)
DEMO_DB ?= sqlite:///$(CURDIR)/var/demo.sqlite3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps lint typecheck test demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

system-deps:
	./scripts/system-deps.sh

lint: install
	$(BIN)/ruff check npdesk tests benchmarks
	$(BIN)/ruff format --check npdesk tests benchmarks

typecheck: install
	$(BIN)/mypy npdesk

test: install system-deps lint typecheck
	$(BIN)/pytest -q

demo: install
	$(BIN)/python -m npdesk.demo --shared "$(SHARED)" --db "$(DEMO_DB)" --host $(HOST) --port $(PORT)

bench: install system-deps
	$(BIN)/python -m benchmarks --shared "$(SHARED)"

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
