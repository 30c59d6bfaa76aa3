# Two commands for a newcomer (each sets up the Python environment it needs in .venv):
#   make reproduce [RAW_DIR=path/to/raw] [CONFIG="io_release=wiod2016 ..."]   build every output
#   make test [RAW_DIR=path/to/raw]        run the test suite (real-data tests read RAW_DIR)
# Also: make sensitivity (Table 3 cols 3–4 on every KOF vintage), make workflow-report (snakemake --report HTML).
PYTHON ?= python3
VENV ?= .venv
CORES ?= 4
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(STAMP)

# Options of every run; targets go before them (--config takes all the words after it).
RUN_OPTS = --cores $(CORES) --rerun-incomplete --config raw_dir=$(or $(RAW_DIR),data/raw) $(CONFIG)

reproduce: $(STAMP)
	$(BIN)/snakemake $(RUN_OPTS)

sensitivity: $(STAMP)
	$(BIN)/snakemake sensitivity $(RUN_OPTS)

workflow-report: reproduce
	$(BIN)/snakemake --report results/workflow_report.html $(RUN_OPTS)

test: $(STAMP)
	$(if $(RAW_DIR),RAW_DIR=$(abspath $(RAW_DIR)),) $(BIN)/python -m pytest

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_va_absorbed.py --raw-dir $(or $(RAW_DIR),data/raw)

.PHONY: venv reproduce sensitivity workflow-report test benchmark
