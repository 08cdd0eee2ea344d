# Bordermark: the two commands are `make demo` and `make test`; both set everything up on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck unit system-deps install bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,scale]'
	touch $(STAMP)

install: $(STAMP)

# PostgreSQL (initdb/pg_ctl for the store tests), Debian's Chromium (browser tests) and a Java runtime (Spark batch
# tests), when missing.
system-deps:
	@need=""; \
	if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need="$$need postgresql"; fi; \
	if [ ! -x /usr/bin/chromium ]; then need="$$need chromium"; fi; \
	if ! command -v java >/dev/null; then need="$$need default-jre-headless"; fi; \
	if [ -n "$$need" ]; then \
	  echo "installing Debian packages:$$need"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$need >/dev/null; \
	fi

demo: $(STAMP)
	$(BIN)/bordermark demo $(DEMO_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) system-deps
	$(BIN)/pytest -q -p no:cacheprovider

test: $(STAMP) system-deps lint typecheck unit

bench: $(STAMP)
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts
