# d2l-notes: a thin wrapper over `python -m notestools <command>` (shared/tools/notestools/cli.py),
# which works the same without make. Every target builds the virtual environment first if it is
# missing, so on a fresh clone `make html` (execute all notebooks + site) and `make test` just work.
# Variables left empty leave the choice to the command: DEVICE=auto|cpu|cuda|mps, NB=<pattern>...,
# KERNEL=d2lnotes-fork|python3, JOBS=N, TIMEOUT=<seconds per notebook>, LANG=zh|en (html, pdf)
# or zh|en|both (lab, remembered for this clone), NO_BROWSER=1 (test), PORT=N and ALLOW_ROOT=1
# (lab), CONSTRAINTS= (install the latest releases), TORCH=cpu (PyTorch's CPU build on Linux),
# RERUN=1 (run, html, pdf: execute every notebook, changed or not; test: nbval executes every
# notebook, even those whose executed copies in build/ are current).
#
# Two installs: `make install` (and `make lab`) installs what studying needs, requirements.txt;
# run, html, pdf, test, lint and bench add the tools of requirements-dev.txt on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Exact versions recorded from a passing run; `make install CONSTRAINTS=` takes the latest.
CONSTRAINTS ?= $(wildcard constraints.txt)
# TORCH=cpu: torch and torchvision from PyTorch's CPU-only index (PyPI's Linux wheels are the
# CUDA build, gigabytes of GPU libraries), at the versions of constraints.txt; the CI does the
# same. On macOS and Windows PyPI's wheels are CPU builds already.
TORCH  ?=
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
ifneq ($(filter-out cpu,$(TORCH)),)
$(error TORCH=$(TORCH): the one choice is TORCH=cpu (PyTorch's CPU build); leave TORCH out for PyPI's)
endif
DEVICE ?=
NB     ?=
KERNEL ?=
JOBS   ?=
TIMEOUT ?=
# LANG is also the locale variable of every shell, so only a LANG given on the command line counts.
ifeq ($(origin LANG),command line)
CHOSEN_LANG := $(LANG)
endif

EXECUTION := $(if $(DEVICE),--device "$(DEVICE)") $(if $(KERNEL),--kernel $(KERNEL)) \
	$(if $(JOBS),--jobs $(JOBS))
RUN_OPTIONS := $(strip $(EXECUTION) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
	$(foreach p,$(NB),--pattern "$(p)") $(if $(RERUN),--rerun))
HTML_OPTIONS := $(strip $(EXECUTION) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
	$(if $(CHOSEN_LANG),--lang $(CHOSEN_LANG)) $(if $(RERUN),--rerun))
TEST_OPTIONS := $(strip $(EXECUTION) $(if $(NO_BROWSER),--no-browser) $(if $(RERUN),--rerun))
LAB_OPTIONS := $(strip $(if $(PORT),--port $(PORT)) $(if $(ALLOW_ROOT),--allow-root) \
	$(if $(CHOSEN_LANG),--lang $(CHOSEN_LANG)))
# The installer: pip by default; .ci/run passes uv's (`uv pip install --python .venv/bin/python`).
DEFAULT_PIP_INSTALL := $(BIN)/python -m pip install
PIP_INSTALL ?= $(DEFAULT_PIP_INSTALL)
# pip upgrades itself first, only when it is the installer (compared as a whole string: make's
# filter compares words, and uv's command line holds the words `pip` and `install` too).
UPGRADE_PIP := $(if $(subst x$(DEFAULT_PIP_INSTALL)x,,x$(PIP_INSTALL)x),,$(BIN)/python -m pip install --upgrade pip)
PIN    := $(if $(CONSTRAINTS),-c $(CONSTRAINTS) )
PIP_OPTIONS := $(PIN)-r requirements.txt -e . -e shared/tools
NOTESTOOLS := $(BIN)/python -m notestools

export PYTHONUNBUFFERED := 1

.PHONY: install install-dev lab run html pdf test lint bench clean

# Studying: JupyterLab and its Chinese language pack, torch, torchvision, matplotlib, pandas,
# nbstripout (the git filter), the helper d2lnotes and the tools package (`make lab`), editable.
$(STAMP): requirements.txt pyproject.toml shared/tools/pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(UPGRADE_PIP)
	$(if $(TORCH),$(PIP_INSTALL) $(PIN)torch torchvision --index-url $(TORCH_CPU_INDEX))
	$(PIP_INSTALL) $(PIP_OPTIONS)
	$(NOTESTOOLS) git-filter
	touch $@

# Running, testing, exporting and measuring: papermill, nbval, pytest, ruff, selenium, build...
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP_INSTALL) $(PIN)-r requirements-dev.txt
	touch $@

install: $(STAMP)

install-dev: $(DEV_STAMP)

lab: $(STAMP)
	$(NOTESTOOLS) lab $(LAB_OPTIONS)

run: $(DEV_STAMP)
	$(NOTESTOOLS) run $(RUN_OPTIONS)

# Executes first only the notebooks whose code, helpers, runner, parameters or device changed
# since their last ok run (the runner skips the others and says so; RERUN=1 executes all), so
# `make run && make html` executes each notebook once.
html: $(DEV_STAMP)
	$(NOTESTOOLS) html $(HTML_OPTIONS)

# The same, then the site printed to build/html/d2l-notes.pdf (needs Chromium).
pdf: $(DEV_STAMP)
	$(NOTESTOOLS) pdf $(HTML_OPTIONS)

test: $(DEV_STAMP)
	$(NOTESTOOLS) test $(TEST_OPTIONS)

lint: $(DEV_STAMP)
	$(NOTESTOOLS) lint

bench: $(DEV_STAMP)
	$(NOTESTOOLS) bench

clean:
	rm -rf build
