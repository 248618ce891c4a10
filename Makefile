# Two commands for a newcomer: `make run` and `make test`. Each sets up everything it needs.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
STAMP  := $(VENV)/.installed
VENDOR := src/qixiang/static/vendor

.PHONY: run test setup assets services lint bench clean

run: setup
	$(BIN)/qixiang run

test: setup services
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

setup: $(STAMP) assets

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

# Front-end packages from npm, served locally by the platform (no CDN).
assets: $(VENDOR)/.stamp
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	touch $@

# PostgreSQL, Mosquitto and Chromium from Debian packages, for the tests that use them.
services:
	@scripts/install-services.sh

bench: setup
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
