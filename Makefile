# The contract: `make demo` runs the main job on the built-in synthetic city, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
PERSONS ?= 20000
SEED ?= 20261126

export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export SHEQUYUN_DATA_DIR ?= $(CURDIR)/$(DATA_DIR)

.PHONY: install demo test dev docs generate ingest frozen2 bench-generate bench-ingest bench-city clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp pipelines/dagster.yaml $@

install: $(BIN)/.installed $(DAGSTER_HOME)/dagster.yaml

demo: install
	$(BIN)/shequyun demo --data-dir $(DATA_DIR) --persons $(PERSONS) --seed $(SEED)

test: install
	$(BIN)/pytest -n 2 --dist loadfile -q

dev: install
	$(BIN)/dagster dev

docs: install
	$(BIN)/shequyun docs --data-dir $(DATA_DIR)

generate: install
	$(BIN)/shequyun generate --persons $(PERSONS) --seed $(SEED) --data-dir $(DATA_DIR) --load-db

ingest: install
	$(BIN)/shequyun ingest --data-dir $(DATA_DIR)

# the second synthetic city (generator profile frozen2), onboarded by its own connector YAMLs only, built and scored
FROZEN2_DIR ?= data-frozen2
frozen2: install
	$(BIN)/shequyun generate --profile frozen2 --persons $(PERSONS) --seed $(SEED) --data-dir $(FROZEN2_DIR) --load-db
	SHEQUYUN_SOURCES_DIR=$(CURDIR)/deployments/frozen2/sources $(BIN)/shequyun run --data-dir $(FROZEN2_DIR)
	SHEQUYUN_SOURCES_DIR=$(CURDIR)/deployments/frozen2/sources $(BIN)/shequyun evaluate --data-dir $(FROZEN2_DIR)

bench-generate: install
	$(BIN)/python benchmarks/bench_generate.py --persons 1000000

bench-ingest: install
	$(BIN)/python benchmarks/bench_city_ingest.py --persons 1000000

# one city end to end, stage by stage (generation not timed): make bench-city PERSONS=1000000
bench-city: install
	$(BIN)/python benchmarks/bench_city.py --persons $(PERSONS) --seed $(SEED)

clean:
	rm -rf $(DATA_DIR) $(FROZEN2_DIR) $(DAGSTER_HOME)
