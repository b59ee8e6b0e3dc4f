# The two commands of the README. Each sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint docs setup bench

$(BIN)/discovery: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first: a bare 'torch' requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,operon,lint,units,parquet,excel,dask,docs]'
	touch $(BIN)/discovery

setup: $(BIN)/discovery

demo: setup
	$(BIN)/discovery demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The documentation site, into site/; --strict turns a broken link or reference into a failure.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# One worker per core; worksteal keeps every worker busy while one runs a long search.
test: lint docs
	$(BIN)/python -m pytest -q -n auto --dist worksteal

bench: setup
	$(BIN)/python -m benchmarks.cannon
