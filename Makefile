# Set-up is part of every target: a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pip -qq: errors only (no build-backend chatter, no notes about this machine's package indexes)
PIP    := $(BIN)/pip install -qq --disable-pip-version-check

.PHONY: demo test bench servers clean readme-rules readme-examples new-rule

# gwlint and its run-time dependencies: all `make demo` needs
$(BIN)/gwlint: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing gwlint into $(VENV)"
	@$(PIP) -e .
	@touch $@

# ... plus the test tools
$(STAMP): $(BIN)/gwlint
	@echo "installing the test tools into $(VENV)"
	@$(PIP) -e '.[test]'
	@touch $(STAMP)

# the demo tree has findings on purpose: gwlint's exit code 1 is the expected outcome here
demo: $(BIN)/gwlint
	@echo "== gwlint check fixtures/demo"
	@$(BIN)/gwlint check fixtures/demo || test $$? -eq 1
	@echo
	@echo "== gwlint check fixtures/demo --diff"
	@$(BIN)/gwlint check fixtures/demo --diff || test $$? -eq 1

# style and types first (seconds), then the suite on two workers (pytest-xdist; the pre-commit
# tests share one worker and so one hook environment)
test: $(STAMP) servers
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# gwlint vs a crossplane-only parse and gixy-ng on generated trees of 1, 10, 1,000 and 10,000 sites
# and a 26 MB map include; prints the targets, writes bench/results.md and the README's table.
# About 10 minutes on 2 cores (trees are kept in bench/.trees). gixy-ng ships its own `crossplane`
# module, so it gets a virtualenv of its own.
GIXY := bench/.gixy-venv/bin/gixy
$(GIXY):
	@echo "installing gixy-ng 0.2.59 into bench/.gixy-venv (the comparison)"
	@$(PYTHON) -m venv bench/.gixy-venv
	@bench/.gixy-venv/bin/pip install -qq --disable-pip-version-check gixy-ng==0.2.59

# gwlint as users install it: `pip install .` (not editable: .venv's editable finder alone costs
# ~20 ms of start-up), reinstalled when a source changes; every tool runs with its interpreter
BENCH_VENV := bench/.gwlint-venv
$(BENCH_VENV)/bin/gwlint: pyproject.toml $(shell find gwlint rules -name '*.py')
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	@echo "installing gwlint (pip install '.[server]', not editable) into $(BENCH_VENV)"
	@$(BENCH_VENV)/bin/pip install -qq --disable-pip-version-check '.[server]'  # (the server re-lint row)
	@touch $@

bench: $(BENCH_VENV)/bin/gwlint $(GIXY)
	$(BENCH_VENV)/bin/python bench/run.py --gixy $(GIXY) --readme README.md

# nginx and php-fpm for the real-server tests: installed from Debian packages when missing
# and we are root; otherwise those tests skip loudly (and fail under CI=true).
# (`php-fpm` is Debian's metapackage for the distribution's php8.x-fpm; ~20 s cold on bookworm.)
servers:
	@if { command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null && ls /usr/sbin/php-fpm* >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing nginx and php-fpm from Debian packages"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      nginx php-fpm >/dev/null; } || echo "WARNING: installing nginx/php-fpm failed: real-server tests will skip (fail under CI=true)"; \
	else echo "WARNING: nginx/php-fpm missing and not root: real-server tests will skip (fail under CI=true)"; fi

# the README's rules table, from `gwlint rules --format markdown`
readme-rules: $(BIN)/gwlint
	$(BIN)/python -c 'from gwlint.engine.ruledocs import update_readme; update_readme("README.md")'

# the README's example outputs, from the current code (tests/test_readme_examples.py keeps them in step)
readme-examples: $(BIN)/gwlint
	$(BIN)/python tests/readme_examples.py

# a rule module and its test file with every doc section: make new-rule NAME=kebab-name CODE=GWnnn [SEVERITY=warning]
new-rule: $(BIN)/gwlint
	$(BIN)/python scripts/new_rule.py "$(NAME)" "$(CODE)" --severity "$(or $(SEVERITY),warning)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .gwlint_cache bench/.trees bench/.gixy-venv \
	  $(BENCH_VENV) build
