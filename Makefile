# abs-trust — every target sets up its own virtualenv first, so a fresh clone needs only Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run test test-fast test-cluster lint format fixture bench bench-fixture report lock clean

setup: $(STAMP)

# The development environment: the runtime (requirements.lock, what a job needs) plus tests
# and linters (requirements-dev.lock). uv installs the locked versions quickly; plain pip is
# the fallback when uv cannot be had.
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	rm -f $(VENV)/.installed-*
	if $(BIN)/python -m pip install -q uv==0.13.9; then \
	  $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements-dev.lock && \
	  $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python --no-deps -e . ; \
	else \
	  $(BIN)/python -m pip install -q -r requirements-dev.lock && \
	  $(BIN)/python -m pip install -q --no-deps -e . ; \
	fi
	touch $@

run: setup
	$(BIN)/snakemake --cores $(CORES) --show-failed-logs

# A self-contained HTML page of every table and figure, captioned: the report of the last run,
# built with the config that run recorded (results/run-config.yaml), so a run on your own
# files is reported as it was made; nothing is rerun. Without a run yet, `make run` first.
report: setup
	@test -f results/run-config.yaml || $(MAKE) --no-print-directory run
	$(BIN)/snakemake --report results/report.html --configfile results/run-config.yaml
	@echo "open results/report.html"

fixture: setup
	$(BIN)/abs-trust make-fixture --out data/fixture

lint: setup
	$(BIN)/ruff check src tests workflow benchmarks
	$(BIN)/ruff format --check src tests workflow benchmarks
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint --cores 1

format: setup
	$(BIN)/ruff check --fix src tests workflow benchmarks
	$(BIN)/ruff format src tests workflow benchmarks
	$(BIN)/snakefmt Snakefile workflow/rules

# Everything CI runs: the linters, then every test (unit tests, end-to-end workflow runs on
# the fixture, the installed-package check, the report in headless Chromium).
test: setup
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -q

# The unit tests alone (no workflow run), on both cores: well under a minute.
test-fast: setup
	$(BIN)/python -m pytest -q -m "not workflow" -n 2

# The workflow on a real SLURM cluster through profiles/slurm: installs Debian's SLURM
# packages, starts a single-node cluster, runs tests/cluster/ against it and stops it again
# (tests/cluster/run.sh; needs root and apt-get, says so and skips without them); ~2-3 min.
test-cluster: setup
	PYTHON=$(BIN)/python bash tests/cluster/run.sh

# Re-pin both locks after editing requirements*.in; the tested versions are kept unless a
# package is upgraded on purpose (uv pip compile --upgrade-package NAME ...).
lock: setup
	$(BIN)/uv pip compile -q requirements.in --python-version 3.11 -c requirements.lock -o requirements.lock
	$(BIN)/uv pip compile -q requirements-dev.in --python-version 3.11 -o requirements-dev.lock

# Generates the full-scale synthetic W1-W6 set (~114k respondents, 17 files) in a temporary
# folder and measures the workflow on it against the floor (docs/performance.md); ~2 min.
bench: setup
	$(BIN)/python benchmarks/bench.py --scale full $(BENCH_ARGS)

# The same measurements on the shipped two-file fixture; ~30 s.
bench-fixture: setup
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf results data/interim .snakemake
