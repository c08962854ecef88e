# d2l-notes: a thin wrapper over `python -m notestools <command>` (shared/tools/notestools/cli.py),
# which works the same without make. Every target builds the virtual environment first if it is
# missing, so on a fresh clone `make html` (execute all notebooks + site) and `make test` just work.
# Variables left empty leave the choice to the command: DEVICE=auto|cpu|cuda|mps, NB=<pattern>...,
# KERNEL=d2lnotes-fork|python3, JOBS=N, TIMEOUT=<seconds per notebook>, LANG=zh|en (html, pdf),
# NO_BROWSER=1 (test), PORT=N and ALLOW_ROOT=1 (lab), CONSTRAINTS= (install the latest releases).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Exact versions recorded from a passing run; `make install CONSTRAINTS=` takes the latest.
CONSTRAINTS ?= $(wildcard constraints.txt)
DEVICE ?=
NB     ?=
KERNEL ?=
JOBS   ?=
TIMEOUT ?=
# LANG is also the locale variable of every shell, so only a LANG given on the command line counts.
ifeq ($(origin LANG),command line)
SITE_LANG := $(LANG)
endif

EXECUTION := $(if $(DEVICE),--device "$(DEVICE)") $(if $(KERNEL),--kernel $(KERNEL)) \
	$(if $(JOBS),--jobs $(JOBS))
RUN_OPTIONS := $(strip $(EXECUTION) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
	$(foreach p,$(NB),--pattern "$(p)"))
HTML_OPTIONS := $(strip $(EXECUTION) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
	$(if $(SITE_LANG),--lang $(SITE_LANG)))
TEST_OPTIONS := $(strip $(EXECUTION) $(if $(NO_BROWSER),--no-browser))
LAB_OPTIONS := $(strip $(if $(PORT),--port $(PORT)) $(if $(ALLOW_ROOT),--allow-root))
PIP_OPTIONS := $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -r requirements.txt -e . -e shared/tools
NOTESTOOLS := $(BIN)/python -m notestools

export PYTHONUNBUFFERED := 1

.PHONY: install lab run html pdf test lint bench clean

$(STAMP): requirements.txt pyproject.toml shared/tools/pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install $(PIP_OPTIONS)
	$(NOTESTOOLS) git-filter
	touch $@

install: $(STAMP)

lab: $(STAMP)
	$(NOTESTOOLS) lab $(LAB_OPTIONS)

run: $(STAMP)
	$(NOTESTOOLS) run $(RUN_OPTIONS)

# Executes the notebooks first only when a notebook, a helper or the runner changed since the
# last full run (build/results.json), so `make run && make html` executes them once.
html: $(STAMP)
	$(NOTESTOOLS) html $(HTML_OPTIONS)

# The same, then the site printed to build/html/d2l-notes.pdf (needs Chromium).
pdf: $(STAMP)
	$(NOTESTOOLS) pdf $(HTML_OPTIONS)

test: $(STAMP)
	$(NOTESTOOLS) test $(TEST_OPTIONS)

lint: $(STAMP)
	$(NOTESTOOLS) lint

bench: $(STAMP)
	$(NOTESTOOLS) bench

clean:
	rm -rf build
