# Vigie — the two commands of the README:
#   make demo   crawl the built-in demo administration web into ./vigie.db and write
#               the findings table and the HTML reports under ./vigie-demo/
#   make test   run the test suite
# Both create .venv and install what is missing first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

DSFR := reports/_vendor/dsfr/dsfr.min.css

.PHONY: demo test lint system-deps bench clean

# setup.py builds checks/_speedups.pyx (the compiled page walk): rebuilt when it changes,
# against the lxml of .venv itself (no build isolation: the module reads lxml's structures,
# so it must be compiled with the headers of the lxml it runs with).
$(STAMP): pyproject.toml setup.py checks/_speedups.pyx
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet 'setuptools>=77' 'Cython>=3.0' 'lxml>=5'
	$(BIN)/python -m pip install --quiet --no-build-isolation -e '.[test]'
	touch $(STAMP)

# The State design system's CSS and fonts for the reports, from a registry package
# (npm @gouvfr/dsfr, or PyPI django-dsfr's static files), never from a CDN.
$(DSFR): reports/assets.py | $(STAMP)
	$(BIN)/python -m reports.assets fetch --force

# Debian's Chromium for the rendered audits (Playwright drives it through executable_path):
# the headless shell audits (lighter, same build), the full browser serves the report tests.
system-deps:
	@{ command -v chromium && command -v chromium-headless-shell; } >/dev/null 2>&1 || { \
	  echo "Installation de chromium et chromium-headless-shell (Debian)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-headless-shell >/dev/null; }

demo: $(STAMP) $(DSFR) system-deps
	$(BIN)/vigie demo --db sqlite:///vigie.db -o vigie-demo

# PostgreSQL is started for the tests on 127.0.0.1 (tests/services.sh) and stopped after,
# whatever the outcome.
test: $(STAMP) $(DSFR) system-deps
	$(BIN)/ruff check .
	@eval "$$(bash tests/services.sh start)"; \
	  $(BIN)/python -m pytest -q; status=$$?; \
	  bash tests/services.sh stop; exit $$status

# The audit benchmarks against @axe-core/cli and pa11y-ci (npm tools into bench/_work,
# pointed at Debian's chromium and chromium-driver; no browser download): the audit alone
# on the BAD pages, then Vigie's whole job on 25 one-page sites (issue 17).
bench: $(STAMP) system-deps
	@command -v chromedriver >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-driver >/dev/null; }
	$(BIN)/python bench/audit_vs_cli.py --install
	$(BIN)/python bench/audit_vs_cli.py --rounds 3 --repeat 3 --memory 500
	$(BIN)/python bench/whole_job_vs_peers.py --rounds 3

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) vigie-demo vigie-rapport vigie.db *.egg-info reports/_vendor build \
	  checks/_speedups.c checks/_speedups.*.so
