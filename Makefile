# Chorus: `make run` to try it locally, `make test` to run every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHORUS := $(BIN)/chorus
# Fonts and the text layout libraries PDF exports need (Chinese and Cyrillic glyphs included).
RUNTIME_APT_PACKAGES := fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
APT_PACKAGES := $(RUNTIME_APT_PACKAGES) chromium poppler-utils gettext
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

WORLD_ATLAS := vendor/world-atlas/countries-110m.json

.PHONY: install catalogs vendor run test test-only lint format system-packages runtime-packages messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable ".[test]"
	touch $@

catalogs: install
	$(CHORUS) compile_catalogs

# Map data (Natural Earth country shapes as TopoJSON) from the npm package world-atlas, fetched
# once by package name and served from this machine only; it is not kept in the repository.
vendor: $(WORLD_ATLAS)

$(WORLD_ATLAS):
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }
	rm -rf vendor/world-atlas.tmp && mkdir -p vendor/world-atlas.tmp
	cd vendor/world-atlas.tmp && npm pack world-atlas@2.0.2 --silent >/dev/null && \
		tar xzf world-atlas-2.0.2.tgz package/countries-110m.json package/LICENSE
	mkdir -p vendor/world-atlas
	mv vendor/world-atlas.tmp/package/countries-110m.json vendor/world-atlas.tmp/package/LICENSE vendor/world-atlas/
	rm -rf vendor/world-atlas.tmp

run: install catalogs vendor runtime-packages
	CHORUS_DEBUG=1 $(CHORUS) migrate --noinput
	CHORUS_DEBUG=1 $(CHORUS) demo --if-empty
	@echo "Chorus is starting on http://127.0.0.1:8000/ (Ctrl-C stops it)."
	CHORUS_DEBUG=1 $(CHORUS) runserver 127.0.0.1:8000

# Debian packages, installed only when missing: those the server needs, and with the browser and
# PDF-to-image tools, those the tests need.
runtime-packages:
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(RUNTIME_APT_PACKAGES)"

system-packages:
	@missing=""; for package in $(APT_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install catalogs vendor system-packages lint test-only

test-only:
	$(BIN)/pytest -n 2 --dist loadfile

# Refresh the catalogs after changing user-facing strings (needs GNU gettext).
messages: install
	cd chorus && ../$(CHORUS) makemessages -l fr -l es -l ru -l zh_Hans --no-obsolete

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
