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
AXE_FR := reports/_vendor/axe/fr.json

.PHONY: demo test lint system-deps bench clean screenshots

# Pure Python: no compiler needed (docs/decisions/0004-compiled-page-walk.md).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The State design system's CSS and fonts for the reports, from a registry package
# (npm @gouvfr/dsfr, or PyPI django-dsfr's static files), never from a CDN.
$(DSFR): reports/assets.py | $(STAMP)
	$(BIN)/python -m reports.assets fetch --force

# axe-core's own French texts (locales/fr.json of the npm package axe-core, the version of
# the axe.min.js Vigie runs), for the rules' help on the site pages. Without npm the
# reports show axe's English and say so: a failure here does not stop make.
$(AXE_FR): reports/assets.py | $(STAMP)
	-$(BIN)/python -m reports.assets fetch-axe-locale

# Debian's Chromium for the rendered audits (Playwright drives it through executable_path):
# the headless shell audits (lighter, same build), the full browser serves the report tests.
system-deps:
	@{ command -v chromium && command -v chromium-headless-shell; } >/dev/null 2>&1 || { \
	  echo "Installation de chromium et chromium-headless-shell (Debian)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-headless-shell >/dev/null; }

demo: $(STAMP) $(DSFR) $(AXE_FR) system-deps
	$(BIN)/vigie demo --db sqlite:///vigie.db -o vigie-demo

# PostgreSQL is started for the tests on 127.0.0.1 (tests/services.sh) and stopped after,
# whatever the outcome.
test: $(STAMP) $(DSFR) $(AXE_FR) system-deps
	$(BIN)/ruff check .
	@eval "$$(bash tests/services.sh start)"; \
	  $(BIN)/python -m pytest -q; status=$$?; \
	  bash tests/services.sh stop; exit $$status

# The README's screenshots, docs/overview.png and docs/site.png, from the reports of two demo
# crawls (tests/test_report_e2e.py); the test suite itself writes them to a temporary folder.
screenshots: $(STAMP) $(DSFR) $(AXE_FR) system-deps
	VIGIE_SCREENSHOTS_DIR=docs $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/test_report_e2e.py -k test_screenshots_for_the_readme

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
	rm -rf $(VENV) vigie-demo vigie-rapport vigie.db *.egg-info reports/_vendor build
