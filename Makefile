# quanyi — the two commands are `make run` and `make test`; the rest are for developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,scale]'
	touch $(STAMP)

setup: $(STAMP)

## Set everything up (venv, install, migrate, keys, demo data when empty) and serve on :8000
## (another port: make run PORT=8100, or QUANYI_PORT=8100).
PORT ?=
run: setup
	$(BIN)/quanyi init
	$(BIN)/quanyi demo --if-empty
	$(BIN)/quanyi serve $(if $(PORT),--port $(PORT))

## Set up and run lint, type checks and the whole suite (PostgreSQL if QUANYI_TEST_DATABASE_URL).
test: setup lint typecheck pytest

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

## The suite on both cores (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2
pytest: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15

bench: setup
	$(BIN)/python bench/audit_verify.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
