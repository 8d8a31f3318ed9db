# ParkLeads: `make run` serves the demo zone, `make test` runs the tests. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
PO := $(wildcard translations/*/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
# Debian packages the product relies on: a CJK font and HarfBuzz subsetting for fast PDF briefs,
# poppler to check PDFs in tests, Chromium for the real-browser tests.
DEB_PACKAGES := fonts-wqy-microhei libharfbuzz-subset0 poppler-utils chromium
PYTEST_ARGS ?=

.PHONY: run test install system-deps translations extract-messages bench clean

install: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

translations: $(STAMP) $(MO)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po
	$(VENV)/bin/pybabel -q compile --use-fuzzy -f -i $< -o $@

# Lists every message the code uses that no zh_CN catalog translates yet.
extract-messages: $(STAMP)
	$(PY) -m crm.core.catalogs missing

system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages: $$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "WARNING: could not install $$missing"; \
	  else echo "WARNING: missing Debian packages (install as root): $$missing"; fi; \
	fi

run: install system-deps
	$(FLASK) db upgrade
	$(FLASK) crm seed-demo --if-empty
	@echo ""
	@echo "ParkLeads demo zone on http://127.0.0.1:5000"
	@echo "  manager  manager@demo.zone  / demo-pass-2026"
	@echo "  officers li.wei@demo.zone, zhang.min@demo.zone, chen.jing@demo.zone / demo-pass-2026"
	@echo "  admin    admin@demo.zone    / demo-pass-2026"
	@echo ""
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The scale benchmark loads the app with wrk (Debian's package); SQLite, then PostgreSQL when one answers at
# BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres). BENCH_ARGS passes options on.
bench: install system-deps
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing wrk"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
	      || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)) \
	      || echo "WARNING: could not install wrk"; \
	  else echo "WARNING: wrk is missing (as root: apt-get install wrk)"; fi; }
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
