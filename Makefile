# Two commands set up everything on a fresh Debian machine with Python 3.11:
#   make serve   install, build the graph, serve it on http://127.0.0.1:8000/
#   make test    install test dependencies (Debian packages included) and run every test
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest processes for `make test` (pytest-xdist; each test file stays in one process)
TEST_WORKERS ?= 2
DEBIAN_PACKAGES := libowlapi-java default-jdk-headless chromium virtuoso-opensource libcairo2

.PHONY: serve test mypy install install-test debian build lint bench bench-full bench-scale bench-startup bench-stores bench-write-cost bench-explain-scale reliability reliability-quick owlcheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

# Installs only what is missing; needs root (CI and these machines run as root).
debian:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: install
	$(BIN)/cajkg build

serve: build
	$(BIN)/cajkg serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy cannot follow setuptools' editable-install import hook, so it reads the packages through
# links named as they are imported (cajkg.graph -> graph/, cajkg.server -> server/).
MYPY_TREE := build/mypy
mypy: install-test
	mkdir -p $(MYPY_TREE)/cajkg
	for p in graph server ontology; do ln -sfn $(CURDIR)/$$p $(MYPY_TREE)/cajkg/$$p; done
	cd $(MYPY_TREE) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml \
		-p cajkg.graph -p cajkg.server

# The build runs once here; the tests reuse its cache and dumps through CAJKG_BUILD_DIR.
test: debian install-test mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cajkg build --build-dir build
	CAJKG_BUILD_DIR=$(CURDIR)/build $(BIN)/python -P -m pytest -n $(TEST_WORKERS) --dist loadfile

owlcheck: build debian
	tests/owlapi/build.sh --ontology-dir ontology ontology/cajkg.ttl ontology/alignment.ttl \
		ontology/sectors.ttl build/ontology-with-individuals.owl

# Benchmarks are not tests and not part of the wheel: bench/ runs from the checkout.
# BEFORE=DIR: an installed checkout from before explanations (its own .venv and build), which
# bench-write-cost and bench-explain-scale then measure side by side with this one.
bench: install-test build
	PYTHONPATH=$(CURDIR) $(BIN)/python -P -m bench --quick
	PYTHONPATH=$(CURDIR) $(BIN)/python -P -m bench.write_cost --rounds 3 --writes 20 \
		--out bench/results $(if $(BEFORE),--before $(BEFORE))

bench-full: install-test
	PYTHONPATH=$(CURDIR) $(BIN)/python -P -m bench --full

bench-scale: install-test
	PYTHONPATH=$(CURDIR) $(BIN)/python -P -m bench --scale --out bench/results/scale
	$(MAKE) bench-explain-scale

# Explanations at K=200 (about 1M triples): /explain per triple, and the server's memory.
bench-explain-scale: install-test
	PYTHONPATH=$(CURDIR) $(BIN)/python -P -m bench.explain_scale --k 200 \
		--out bench/results/scale $(if $(BEFORE),--before $(BEFORE))

# A one-triple write on the seed graph with explanations kept current, in alternating rounds.
bench-write-cost: install-test build
	PYTHONPATH=$(CURDIR) $(BIN)/python -P -m bench.write_cost \
		--out bench/results $(if $(BEFORE),--before $(BEFORE))

# Start-up at K=200 side by side: oxigraph serve, cajkg memory, cajkg oxigraph (load, restart).
bench-startup: install-test
	PYTHONPATH=$(CURDIR) $(BIN)/python -P -m bench.startup --out bench/results/startup

bench-stores: install-test build
	PYTHONPATH=$(CURDIR) CAJKG_BUILD_DIR=$(CURDIR)/build $(BIN)/python -P -m bench.stores

# Load, fault, fuzz and breach runs against a real `cajkg serve`; rewrites docs/reliability.md.
reliability-quick: debian install-test
	PYTHONPATH=$(CURDIR)/tests $(BIN)/python -P -m reliability --quick

reliability: debian install-test
	PYTHONPATH=$(CURDIR)/tests $(BIN)/python -P -m reliability --full

clean:
	rm -rf build var tests/artifacts tests/owlapi/classes
