# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck install clean system-deps browser-deps calibrate-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# Graphviz (`dot`, for `mtorlab figure`) and a CJK font (Chinese labels), from Debian.
system-deps:
	@if command -v dot >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
		echo "system-deps: graphviz and fonts-noto-cjk are present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update && apt-get install -y graphviz fonts-noto-cjk; \
	else \
		echo "system-deps: graphviz and/or fonts-noto-cjk are missing; as root run:"; \
		echo "  apt-get update && apt-get install -y graphviz fonts-noto-cjk"; \
		echo "  (without them 'mtorlab figure' cannot draw, or draws Chinese labels as boxes)"; \
	fi

# Debian's Chromium for the browser tests (Playwright drives it; never `playwright install`).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then \
		echo "browser-deps: chromium is present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update && apt-get install -y chromium; \
	else \
		echo "browser-deps: /usr/bin/chromium is missing; as root run: apt-get install -y chromium"; \
		echo "  (without it the browser tests are skipped)"; \
	fi

install: system-deps $(STAMP)

demo: install
	$(BIN)/mtorlab demo

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

test: lint typecheck browser-deps
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

# Opt-in, slow (about 100 min on one core, about two thirds of that with the starts on 2 cores): re-run the claims-and-datasets calibration with the recorded seed and check
# it reaches the recorded best loss (src/mtorlab/claims/data/calibration_record.json).
calibrate-check: install
	$(BIN)/mtorlab calibrate --check --workers 2

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
