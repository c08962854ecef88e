# d2l-notes: every target builds the virtual environment first if it is missing,
# so on a fresh clone `make html` (execute all notebooks + site) and `make test` just work.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVICE ?= auto
NB     ?=
JOBS   ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
# Headless kernels: on Linux forked from a zygote that imported torch once (shared/tools/notestools:
# forkkernel.py); KERNEL=python3 starts each one from scratch, as JupyterLab does.
ifeq ($(shell uname -s 2>/dev/null),Linux)
KERNEL ?= d2lnotes-fork
else
KERNEL ?= python3
endif
# `make html LANG=zh|en` builds single-language pages. LANG is also the locale variable
# of every shell, so only a LANG given on the make command line counts.
ifeq ($(origin LANG),command line)
SITE_LANG := $(LANG)
else
SITE_LANG := both
endif

export PYTHONUNBUFFERED := 1

.PHONY: install lab run html test lint bench clean

$(STAMP): requirements.txt pyproject.toml shared/tools/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt -e . -e shared/tools
	touch $@

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=chapters

run: $(STAMP)
	$(BIN)/python -m notestools.run_notebooks --device "$(DEVICE)" --pattern "$(NB)" --jobs $(JOBS) \
		--kernel $(KERNEL)

# `make html` executes the notebooks only when a notebook or a helper changed since the last
# `make run` (build/metrics.json), so `make run && make html` executes them once.
NOTEBOOKS := $(shell find chapters -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*')
RUN_INPUTS := $(NOTEBOOKS) $(wildcard shared/d2lnotes/*.py) shared/tools/notestools/run_notebooks.py \
	shared/tools/notestools/notebooks.py \
	$(wildcard shared/tools/notestools/jupyter/kernels/*/kernel.json)

build/metrics.json: $(STAMP) $(RUN_INPUTS)
	$(MAKE) run

html: build/metrics.json
	$(BIN)/python -m notestools.export_html --lang $(SITE_LANG)

# Unit tests, notebook conventions, and nbval over every notebook; xdist keeps each
# notebook's cells on one worker (loadscope). One thread per kernel: JOBS kernels share the cores.
test: $(STAMP)
	OMP_NUM_THREADS=1 D2L_DEVICE="$(DEVICE)" JUPYTER_PATH="$(CURDIR)/shared/tools/notestools/jupyter" \
		$(BIN)/python -m pytest -n $(JOBS) --dist loadscope \
		--nbval-lax --nbval-kernel-name $(KERNEL) tests chapters

lint: $(STAMP)
	$(BIN)/ruff check shared tests chapters
	$(BIN)/python -m notestools.strip_outputs --check
	$(BIN)/actionlint

bench: $(STAMP)
	$(BIN)/python -m notestools.bench

clean:
	rm -rf build
