# Two commands for a new machine: `make run` starts AutoMana, `make test` runs the tests.
# Each creates .venv (Python 3.11+) and installs what it needs on first use: with uv when it can
# (on PATH, or installed into the venv in a few seconds), else with pip. INSTALLER=pip forces pip.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
INSTALLER ?= auto
EXTRAS ?= dev,embedded
INSTALL_FLAGS ?=

.PHONY: run test install migrate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@if [ "$(INSTALLER)" != "pip" ] && { command -v uv >/dev/null 2>&1 || $(PY) -m pip install --quiet --disable-pip-version-check uv; }; then \
	    uv=$$(command -v uv || echo $(VENV)/bin/uv); \
	    echo "installing with uv ($$uv)"; \
	    $$uv pip install --quiet --python $(PY) $(INSTALL_FLAGS) -e '.[$(EXTRAS)]' || { echo "uv failed; installing with pip"; \
	    $(PY) -m pip install --quiet --disable-pip-version-check $(INSTALL_FLAGS) -e '.[$(EXTRAS)]'; }; \
	else \
	    echo "installing with pip"; \
	    $(PY) -m pip install --quiet --disable-pip-version-check $(INSTALL_FLAGS) -e '.[$(EXTRAS)]'; \
	fi
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/automana up $(ARGS)

test: $(STAMP)
	$(PY) -m pytest $(ARGS)

migrate: $(STAMP)
	$(VENV)/bin/automana migrate

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
