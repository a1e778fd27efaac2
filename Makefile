# Two commands for a new machine: `make run` starts AutoMana, `make test` runs the tests.
# Each creates .venv (Python 3.11+) and installs what it needs on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
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
