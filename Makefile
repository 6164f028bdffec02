# Concord: `make demo` to try it, `make test` for the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, else as a module of the python3 that `make` installs it into.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen
CONCORD := $(RUN) concord
APT_GET := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)
PYTEST_WORKERS ?= 2

export CONCORD_LOG_FORMAT ?= text

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: uv
uv:
	@$(UV) --version >/dev/null 2>&1 || { echo "Installing uv (the Python package manager)…"; \
	  python3 -m pip install --quiet uv || python3 -m pip install --quiet --user --break-system-packages uv; }

.PHONY: install
install: uv ## Install Python and the locked dependencies into .venv
	$(UV) sync --frozen
	@command -v msgfmt >/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq gettext; }
	@# Meeting packs are PDFs made by WeasyPrint, which needs Pango and a font from Debian.
	@{ ldconfig -p | grep -q libpangoft2-1.0 && [ -d /usr/share/fonts/truetype/dejavu ]; } || { \
	  echo "Installing Pango and DejaVu fonts for PDF packs…"; $(APT_GET) update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }
	CONCORD_DEBUG=true $(CONCORD) compilemessages --ignore=.venv -v 0

.PHONY: demo
demo: export CONCORD_DEMO = true
# Django's development server runs each task inline; `concord serve` + `concord worker` queue them.
demo: export CONCORD_TASK_BACKEND ?= immediate
demo: install ## Install, migrate SQLite, load the demo world and serve it on 127.0.0.1:8000
	$(CONCORD) migrate --no-input -v 0
	$(CONCORD) seed_demo --scale demo --if-empty
	@$(CONCORD) demo_signins
	$(CONCORD) runserver 127.0.0.1:8000 --insecure

.PHONY: lint
# Lint imports the settings (mypy's Django plugin, checks): debug mode needs no secret key.
lint: export CONCORD_DEBUG = true
lint: install ## ruff, mypy --strict, import-linter layering, migrations up to date
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench
	$(RUN) mypy src
	$(RUN) lint-imports
	$(CONCORD) makemigrations --check --dry-run
	$(CONCORD) check --fail-level WARNING

.PHONY: test-sqlite
test-sqlite: install ## The suite on SQLite
	env -u DATABASE_URL $(RUN) pytest -m "not browser" -n $(PYTEST_WORKERS) -p no:cacheprovider

.PHONY: test-postgres
test-postgres: install ## The suite on PostgreSQL (starts a private server when none runs)
	source scripts/ensure_postgres.sh && $(RUN) pytest -m "not browser" -n $(PYTEST_WORKERS) -p no:cacheprovider

.PHONY: chromium
chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's Chromium for browser tests…"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium; }

.PHONY: test-browser
test-browser: install chromium ## Playwright tests in Debian's Chromium
	env -u DATABASE_URL $(RUN) pytest -m browser -p no:cacheprovider

.PHONY: test
test: lint test-sqlite test-postgres test-browser ## Everything CI runs
	@echo "make test: lint, SQLite, PostgreSQL and browser suites all passed."

.PHONY: bench
bench: install ## Benchmarks at national scale on PostgreSQL; writes docs/benchmarks.md
	source scripts/ensure_postgres.sh && $(RUN) --group bench python bench/run.py

.PHONY: messages
messages: install ## Extract translatable strings into the Welsh catalogue
	cd src/concord && $(CONCORD) makemessages -l cy --no-obsolete --no-location --ignore=static/vendor/*

.PHONY: clean
clean: ## Remove the virtualenv, database and caches
	rm -rf .venv var .mypy_cache .ruff_cache .pytest_cache
