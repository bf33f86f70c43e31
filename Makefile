# Two commands do all the set-up:  `make lab` (study)  and  `make test` (check).
# Both create a local virtual environment in .venv on first use and install
# the project (the `helpers` package and its dependencies) into it: `make lab`
# only what studying needs (requirements.txt); `make test` and `make bench`
# add the test tools (requirements-test.txt: pytest, nbval, Playwright, ...).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-installed-stamp

# On a machine with no display, JupyterLab cannot open a browser: print the URL instead.
ifeq ($(shell uname -s),Darwin)
  NO_BROWSER :=
else
  NO_BROWSER := $(if $(DISPLAY)$(WAYLAND_DISPLAY),,--no-browser)
endif
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Jupyter settings kept in this repo (see jupyter-config/README.md): nothing is fetched from the
# internet (no news feed, update check or PyPI queries, no CDN stylesheets), no news popup, and the
# lecture template for Voila. Put in front of any JUPYTER_CONFIG_PATH / JUPYTER_PATH already set.
JUPYTER_ENV := JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config/config$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))" \
               JUPYTER_PATH="$(CURDIR)/jupyter-config/data$(if $(JUPYTER_PATH),:$(JUPYTER_PATH))"

.PHONY: install lab present test test-quick portability bench sweep clean help

help:
	@echo "make lab    open the series in JupyterLab (sets everything up on first use)"
	@echo "make present NB=03   lecture view of one notebook (Voila): prose, figures, sliders, no code"
	@echo "make test   run every test, including executing every notebook (and the portability matrix)"
	@echo "make test-quick NB=03   a few minutes: the fast tests plus notebook 03 (executed, its demos at their corners)"
	@echo "make portability   only the portability matrix: every notebook under other BLAS code paths, SIMD, threads, oldest versions"
	@echo "make bench  measure sliders, notebooks, BPTT, training and a hub server's needs (table + benchmarks/results.json)"
	@echo "make sweep  rerun notebook 7's RNN-vs-LSTM experiment (resumable; about 25 minutes on 2 cores)"
	@echo "make clean  remove the virtual environment and caches"

$(STAMP): pyproject.toml requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; found " + sys.version.split()[0] + ". Use make PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(TEST_STAMP)

install: $(STAMP)

lab: $(STAMP)
	cd notebooks && $(JUPYTER_ENV) ../$(BIN)/jupyter lab 00_start_here.ipynb --LabApp.default_url=/lab/tree/00_start_here.ipynb $(NO_BROWSER) $(ALLOW_ROOT)

# NB=03 or NB=3 picks notebooks/03_*.ipynb. scripts/present.py runs the notebook in two pre-heated
# Voila kernels first and prints "Ready: <url>" when both have run every cell: opening the page (and a
# refresh, or a second screen) then shows the figures at once. POOL=1 keeps one kernel (less memory).
present: $(STAMP)
	@nb=$$(ls notebooks/$(NB)_*.ipynb notebooks/0$(NB)_*.ipynb 2>/dev/null | head -n 1); \
	if [ -z "$(NB)" ] || [ -z "$$nb" ]; then \
	  echo "usage: make present NB=03   (notebooks: $$(ls notebooks | sed -n 's/^\([0-9][0-9]\)_.*/\1/p' | tr '\n' ' '))"; exit 2; \
	fi; \
	echo "Lecture view of $$nb: running it before anyone opens the page (Ctrl-C stops it)"; \
	$(JUPYTER_ENV) $(BIN)/python scripts/present.py "$$nb" --pool-size $(or $(POOL),2) $(NO_BROWSER)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# For contributors: the fast tests (not marked slow) plus one notebook (NB=03; default 00): nbval,
# its structure, and its demos at their slider corners and drawing from their own state.
QUICK_NB = $(or $(NB),00)
test-quick: $(TEST_STAMP)
	@nb=$$(ls notebooks/$(QUICK_NB)_*.ipynb notebooks/0$(QUICK_NB)_*.ipynb 2>/dev/null | head -n 1); \
	if [ -z "$$nb" ]; then echo "no notebook numbered $(QUICK_NB) in notebooks/"; exit 2; fi; \
	id=$$(basename "$$nb" .ipynb); \
	$(BIN)/python -m pytest -m "not slow" tests "$$nb" && \
	$(BIN)/python -m pytest tests/test_notebooks.py -k "demo and $$id"

# Every notebook executed under machine-like settings (tests/test_portability.py); part of `make test`.
portability: $(TEST_STAMP)
	$(BIN)/python -m pytest -m portability tests/test_portability.py

# Speed of sliders, notebooks, BPTT and training; table on stdout, numbers in benchmarks/results.json.
# Subsets: make bench BENCH_ARGS="--quick" or BENCH_ARGS="--only sliders,notebooks" (see python -m benchmarks -h).
bench: $(TEST_STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Notebook 7's fair comparison: each model at its own tuned rate. Resumable: runs already in
# experiments/results/adding_sweep.jsonl are skipped (delete the file to start over).
sweep: $(STAMP)
	$(BIN)/python -m experiments.adding_sweep

clean:
	rm -rf $(VENV) .venv-oldest .pytest_cache *.egg-info
