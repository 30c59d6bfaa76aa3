# Two commands for a newcomer (each sets up the Python environment it needs in .venv):
#   make reproduce [RAW_DIR=path/to/raw] [IO_RELEASE=wiod2016_flows] [CONFIG="kof_vintage=2025 ..."] [CORES=2]   build every output
#   make test [RAW_DIR=path/to/raw]        run the test suite (real-data tests read RAW_DIR)
# Also: make sensitivity (Table 3 cols 3–4 on every KOF vintage), make workflow-report (snakemake --report HTML),
# make benchmark (speed and memory figures), make venv (the environment alone).
#
# RAW_DIR and IO_RELEASE are remembered: `make reproduce RAW_DIR=... IO_RELEASE=...` writes them to workflow/local.yaml
# (not committed), which Snakemake and later make commands read, so that afterwards a plain
#   source .venv/bin/activate && snakemake --cores 4 --config kof_vintage=2025
# (or make reproduce CONFIG="kof_vintage=2025") runs on the same raw files and the same release.
# CORES (default: the machine's cores, nproc) is what make hands Snakemake; any number changes nothing in the outputs.
# SNAKEMAKE_ARGS adds options to every Snakemake call of make (e.g. SNAKEMAKE_ARGS=--dry-run).
# The Python that makes the environment: the first of python3.13, python3.12, python3.11, python3 that is 3.11 or newer
# (pyproject.toml's requires-python); `make PYTHON=/path/to/python3.12 ...` picks one by hand.
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $(p))))
endif
VENV ?= .venv
# Snakemake's --cores: the machine's cores (nproc); CORES=4 or any number changes nothing in the outputs.
CORES ?= $(shell nproc 2>/dev/null || echo 4)
# make test: two worker processes (pytest-xdist); each test file's tests stay together and in order on one worker, and
# the end-to-end file starts first (tests/conftest.py). PYTEST_WORKERS= (empty) runs the suite in one process.
PYTEST_WORKERS ?= -n 2 --dist loadfile --no-loadscope-reorder
BIN := $(VENV)/bin
LOCK := requirements.lock
STAMP := $(VENV)/.installed
# The per-checkout settings file (not committed); TRADEIMBALANCE_LOCAL_CONFIG moves it (the tests do).
LOCAL := $(or $(TRADEIMBALANCE_LOCAL_CONFIG),workflow/local.yaml)

# The raw-data folder and the release set once for this checkout (workflow/local.yaml), unless given on the command line.
SAVED_RAW_DIR := $(shell sed -n 's/^raw_dir: *//p' $(LOCAL) 2>/dev/null)
ifeq ($(origin RAW_DIR), undefined)
RAW_DIR := $(SAVED_RAW_DIR)
endif
ifeq ($(origin RAW_DIR), command line)
REMEMBER += raw_dir=$(abspath $(RAW_DIR))
endif
ifeq ($(origin IO_RELEASE), command line)
REMEMBER += io_release=$(IO_RELEASE)
endif
SNAKEMAKE_ARGS ?=

$(STAMP): pyproject.toml $(LOCK)
	@if [ -z "$(PYTHON)" ] || ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then \
	  found=$$( ($(or $(PYTHON),python3) --version) 2>&1 | head -n 1); \
	  echo "make: this package needs Python 3.11 or newer, and $(or $(PYTHON),python3) is '$${found:-not installed}' (looked for $(PYTHON_CANDIDATES)): install Python 3.11+ (Debian/Ubuntu: apt install python3.11 python3.11-venv) or run make PYTHON=/path/to/python3.11" >&2; \
	  exit 1; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(STAMP)

# The lock: every package the environment installs, pinned with the hashes of its files (uv, universal: one lock for
# every platform), from pyproject.toml's dependencies, its test extra and its build requirements. make venv installs
# from it with --require-hashes; environment.yml installs the same file. After changing a pin in pyproject.toml:
#   make lock   (needs uv: $(BIN)/python -m pip install uv)
lock:
	@tmp=$$(mktemp -d) && $(BIN)/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires']))" > $$tmp/build-system.in && \
	$(BIN)/uv pip compile pyproject.toml $$tmp/build-system.in --extra test --generate-hashes --universal --python-version 3.11 --no-header --quiet -o $(LOCK) && \
	sed -i "s|# via -r $$tmp/build-system.in|# via pyproject.toml (build-system.requires)|" $(LOCK) && rm -r $$tmp && \
	echo "$(LOCK): $$(grep -c '^[A-Za-z0-9].*==' $(LOCK)) packages pinned with their hashes"

# Remember a RAW_DIR (absolute path) and an IO_RELEASE given on the command line for later snakemake and make commands
# (the other keys of the file are kept).
remember-raw-dir: $(STAMP)
ifneq ($(strip $(REMEMBER)),)
	@$(BIN)/python -m tradeimbalance.local $(LOCAL) $(REMEMBER)
endif

# Options of every run; targets go before them (--config takes all the words after it).
RUN_OPTS = --cores $(CORES) --rerun-incomplete $(SNAKEMAKE_ARGS) $(if $(strip $(CONFIG_ARGS)),--config $(CONFIG_ARGS),)

# Before anything else: the input–output tables of the configured release are here or can be downloaded.
CONFIG_ARGS = $(if $(IO_RELEASE),io_release=$(IO_RELEASE),) $(CONFIG)

reproduce: $(STAMP) remember-raw-dir
	@$(BIN)/python -m tradeimbalance.preflight $(CONFIG_ARGS)
	$(BIN)/snakemake $(RUN_OPTS)

sensitivity: $(STAMP) remember-raw-dir
	@$(BIN)/python -m tradeimbalance.preflight $(CONFIG_ARGS)
	$(BIN)/snakemake sensitivity $(RUN_OPTS)

workflow-report: reproduce
	$(BIN)/snakemake --report results/workflow_report.html $(RUN_OPTS)

test: $(STAMP)
	@if [ -n "$(RAW_DIR)" ]; then \
	  echo "make test: the full suite, real-data and end-to-end tests included, on the raw files in $(abspath $(RAW_DIR)) ($(if $(filter command line,$(origin RAW_DIR)),RAW_DIR on the command line,remembered in $(LOCAL)))"; \
	else \
	  echo "make test: the unit tests on synthetic data (no raw-data folder given or remembered: the real-data tests are skipped with the reason; make test RAW_DIR=path/to/raw runs them)"; \
	fi
	$(if $(RAW_DIR),RAW_DIR=$(abspath $(RAW_DIR)),) $(BIN)/python -m pytest -v $(PYTEST_WORKERS)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_workflow.py --raw-dir $(or $(RAW_DIR),data/raw)
	$(BIN)/python benchmarks/bench_va_absorbed.py --raw-dir $(or $(RAW_DIR),data/raw)

.PHONY: venv lock remember-raw-dir reproduce sensitivity workflow-report test benchmark
