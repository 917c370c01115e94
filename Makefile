# seqretrieve: `make demo` (install + demo) and `make test` (install with test/train extras + full test suite).
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: install install-test demo test test-fast bench clean

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(PIP) install -q --upgrade pip "setuptools>=68" wheel
	$(PIP) install -q -e .
	# tinysoundfont's pyaudio dependency needs portaudio headers and is never used for rendering.
	$(PIP) install -q --no-deps "tinysoundfont>=0.3.7"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -e ".[test,train]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/seqretrieve demo

test: install-test
	@$(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; exit $$rc

test-fast: install-test
	$(BIN)/python -m pytest -q -m "not slow and not train"

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
