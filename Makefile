# seqretrieve: `make demo` (install + demo) and `make test` (install + full test suite).
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
EXTRAS ?= test,train

.PHONY: install demo test test-fast bench data clean

$(VENV)/.installed: pyproject.toml plugins/seqretrieve-chroma/pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=68" wheel
	$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]"
	# tinysoundfont's pyaudio dependency needs portaudio headers and is never used for rendering.
	$(BIN)/python -m pip install -q --no-deps "tinysoundfont>=0.3.7"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/seqretrieve demo

test: install
	@$(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; exit $$rc

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not train"

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info demo-out .pytest_cache
