# Two commands for a newcomer (each sets up the Python environment it needs in .venv):
#   make reproduce [RAW_DIR=path/to/raw] [CONFIG="io_release=wiod2016 ..."]   build every output
#   make test [RAW_DIR=path/to/raw]        run the test suite (real-data tests read RAW_DIR)
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

reproduce: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --config raw_dir=$(or $(RAW_DIR),data/raw) $(CONFIG)

test: $(STAMP)
	$(if $(RAW_DIR),RAW_DIR=$(abspath $(RAW_DIR)),) $(BIN)/python -m pytest

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_va_absorbed.py --raw-dir $(or $(RAW_DIR),data/raw)

.PHONY: venv reproduce test benchmark
