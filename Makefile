# tokenmill — two commands on a fresh machine:
#   make run    build, then tokenize the shipped samples (data/samples) with cl100k_base into out/tokens
#   make test   every test: Rust (cargo test --workspace --release) and Python (pytest, against the
#               pinned tiktoken / HF tokenizers installed into .venv)
# Extras: make bench (every peer comparison table in benches/), make python (build the package into .venv).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
REQS := bindings/python/requirements-dev.txt

.PHONY: run test setup python build bench clean

run: build
	target/release/tokenmill tokenize data/samples/wiki.txt data/samples/reviews.jsonl \
		--encoding cl100k_base --out out/tokens --overwrite

test: setup
	cargo test --workspace --release
	$(MAKE) --no-print-directory python
	TOKENMILL_BIN=target/release/tokenmill TOKENMILL_STORAGE_TOOL=target/release/examples/storage_tool \
		$(PY) -m pytest -q bindings/python/tests datasets/tests/python

build:
	cargo build --release -p tokenmill-cli

setup: $(VENV)/.installed

$(VENV)/.installed: $(REQS)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r $(REQS)
	touch $@

python: setup
	VIRTUAL_ENV=$(abspath $(VENV)) PATH="$(abspath $(VENV))/bin:$$PATH" \
		maturin develop --release --quiet -m bindings/python/Cargo.toml

bench: python build
	cargo build --release -p tokenmill-datasets --example storage_tool
	$(PY) benches/compare.py --out benches/results/latest.md
	$(PY) benches/tokenizers_pipeline.py --out benches/results/tokenizers_pipeline.md
	$(PY) benches/datasets_load.py
	$(PY) benches/datasets_ops.py --out benches/results/datasets_ops.md
	$(PY) benches/datasets_disk.py
	$(PY) benches/datasets_python.py --docs 0 --runs 7 --out benches/results/datasets_python.md

clean:
	rm -rf out $(VENV) benches/results
