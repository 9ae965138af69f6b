# Nudge: `make dev` runs the whole stack, `make test` installs what the tests need and runs them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FRONTEND := frontend

.PHONY: dev test install install-test frontend-build frontend-test frontend-test-steps lint format bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Nudge needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

frontend-build:
	@if [ -f $(FRONTEND)/package.json ]; then \
		cd $(FRONTEND) && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm run build; \
	fi

dev: install frontend-build
	$(BIN)/python -m scripts.dev

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q
	$(MAKE) frontend-test

# The web app: type check, unit tests (vitest, API modules against a real API), then end-to-end
# in Debian's Chromium against the real stack (Temporal dev server, worker, API); the e2e run
# refreshes docs/screenshots/.
# One run at a time per checkout (flock): npm ci and the build rewrite node_modules and dist.
FLOCK := $(shell command -v flock >/dev/null && echo flock $(FRONTEND)/.test.lock)

frontend-test: install-test
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	$(FLOCK) $(MAKE) frontend-test-steps

frontend-test-steps:
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	cd $(FRONTEND) && npx tsc --noEmit
	cd $(FRONTEND) && npx vitest run
	cd $(FRONTEND) && npm run build && npm run e2e

# Each benchmark prints its figures next to a same-run baseline; see docs/benchmarks.md.
bench: install-test
	for b in import_csv messaging campaigns flows segments; do $(BIN)/python -m bench.$$b || exit 1; done

clean:
	rm -rf $(VENV) .data $(FRONTEND)/node_modules $(FRONTEND)/dist
