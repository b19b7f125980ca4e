# Every target creates .venv on first use and installs the package with all its extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
EXAMPLE := inventories/example

.PHONY: audit test test-slow lint bench clean report-image

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,pdf]'
	touch $(STAMP)

# Exit status 1 only means "findings at or above --fail-on": the example has planted defects.
# The audit date is pinned, so the output is the README's excerpt (tests/test_readme_excerpt.py).
EXAMPLE_AS_OF := 2026-11-01
audit: $(STAMP)
	$(BIN)/auditor audit $(EXAMPLE) --waivers inventories/example.waivers.yaml \
	  --config inventories/example.config.yaml --as-of $(EXAMPLE_AS_OF) --out reports \
	  --format json,sarif,junit,markdown,csv,html,pdf,oscal; \
	  status=$$?; echo "exit status $$status (0: nothing at or above --fail-on; 1: findings that are)"; \
	  test $$status -le 1

# The HTML report's browser test needs Debian's chromium; without it (no root, no network) it is
# skipped with the reason printed.
test: $(STAMP)
	@command -v chromium >/dev/null || apt-get install -y chromium >/dev/null 2>&1 || \
	  echo "note: chromium could not be installed; the HTML browser test will be skipped"
	$(BIN)/ruff check auditor tests bench scripts
	$(BIN)/mypy auditor
	$(BIN)/pytest -n auto

# The slow tests only: more than 10,000 generated inputs through every loader.
test-slow: $(STAMP)
	$(BIN)/pytest -m slow

lint: $(STAMP)
	$(BIN)/ruff check auditor tests bench scripts
	$(BIN)/mypy auditor

# `make bench` runs issue 14's cases (and installs Checkov into bench/.checkov-venv for the comparison) and
# ends with one table of figures and ratios. `make bench BENCH=--1m` adds the million-asset case (long);
# `make bench BENCH=--quick` (or BENCH_QUICK=1) checks the harness: sizes / 100, 1 run each, no Checkov
# unless installed. Bytecode is compiled first: with PYTHONDONTWRITEBYTECODE set, every run would compile
# the package again, as no installed copy does.
BENCH ?=
bench: $(STAMP)
	$(BIN)/python -m compileall -q auditor
	$(BIN)/python -m bench.run $(BENCH)

clean:
	rm -rf $(VENV)
	find reports -type f ! -name README.md -delete

# The README's picture of the report: pages of the example PDF rendered to PNG.
report-image: audit
	$(BIN)/python scripts/report_image.py reports/report.pdf docs/report-pages.png 3 6 10
