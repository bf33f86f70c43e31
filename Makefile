# Two commands do all the set-up:  `make lab` (study)  and  `make test` (check).
# Both create a local virtual environment in .venv on first use and install
# the project (the `helpers` package and every dependency) into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# On a machine with no display, JupyterLab cannot open a browser: print the URL instead.
ifeq ($(shell uname -s),Darwin)
  NO_BROWSER :=
else
  NO_BROWSER := $(if $(DISPLAY)$(WAYLAND_DISPLAY),,--no-browser)
endif
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: install lab test clean help

help:
	@echo "make lab    open the series in JupyterLab (sets everything up on first use)"
	@echo "make test   run every test, including executing every notebook"
	@echo "make clean  remove the virtual environment and caches"

$(STAMP): pyproject.toml requirements.txt requirements-test.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; found " + sys.version.split()[0] + ". Use make PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter lab 00_start_here.ipynb --LabApp.default_url=/lab/tree/00_start_here.ipynb $(NO_BROWSER) $(ALLOW_ROOT)

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
