# seqretrieve: `make demo` (install + demo) and `make test` (install with test/train/dask extras + full test suite).
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: install install-test demo test test-fast bench models fonts scale-data corpus clean

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(PIP) install -q --upgrade pip "setuptools>=68" wheel
	$(PIP) install -q -e .
	# tinysoundfont's pyaudio dependency needs portaudio headers and is never used for rendering.
	$(PIP) install -q --no-deps "tinysoundfont>=0.3.7"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -e ".[test,train,dask]"
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

# Retrain the shipped models' recipes (hours on 2 cores) into data/models; TensorFlow goes in its own venv.
TRAIN_VENV ?= .venv-train
POP909 ?= ../shared/data/pop909

$(TRAIN_VENV)/.installed: pyproject.toml
	$(PY) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install -q --upgrade pip "setuptools>=68" wheel
	$(TRAIN_VENV)/bin/python -m pip install -q -e ".[train]"
	$(TRAIN_VENV)/bin/python -m pip install -q --no-deps "tinysoundfont>=0.3.7"
	touch $@

# DHS v2 trains on the larger corpus (`make corpus`, hours; it resumes from data/checkpoints); the
# code profile v5 (a perceptron) is trained on its codes of the scale data's train-split excerpts,
# and v6 adds its hubness correction (reference query windows of POP909 train-split songs).
models: $(TRAIN_VENV)/.installed corpus scale-data
	$(TRAIN_VENV)/bin/seqretrieve train data --root $(POP909) --out data/pairs
	$(TRAIN_VENV)/bin/seqretrieve train hash --pairs data/corpus/pairs --out data/models --version 2 \
		--hidden 512 --natural-timing --validation-limit 200 --steps 20000 --patience 100
	$(TRAIN_VENV)/bin/seqretrieve train embed --pairs data/pairs --out data/models --version 2 \
		--validation-limit 60 --steps 4000 --patience 100
	$(TRAIN_VENV)/bin/seqretrieve train profile --scale data/scale --dhs data/models/dhs/2 --out data/models \
		--limit 20000 --fit mlp --epochs 10 --version 5
	$(TRAIN_VENV)/bin/seqretrieve train hubness --profile data/models/profile/5 --dhs data/models/dhs/2 \
		--out data/models --version 6

# The training SoundFonts (Debian packages; seqretrieve/corpus/fonts.py) for the corpus and scale data.
fonts: install
	@pkgs="$$($(BIN)/python -c 'from seqretrieve.corpus.fonts import missing_packages; print(*missing_packages())')"; \
	if [ -n "$$pkgs" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs; fi

# The scale benchmark's 20,800 entries (about 30 minutes on 2 cores; resumable: run again to go on).
scale-data: install-test fonts
	$(PIP) install -q "music21>=9"  # the distractors' scores, for this target only
	$(BIN)/python benchmarks/scale_data.py --workers 2

# The larger training corpus: POP909 train/validation songs + versions + music21 works, five
# SoundFonts, tempo x0.4-2.5, 30% MP3-coded, two recordings per file (resumable).
corpus: $(TRAIN_VENV)/.installed fonts
	$(TRAIN_VENV)/bin/python -m pip install -q "music21>=9"  # its corpus of scores, for this target only
	$(TRAIN_VENV)/bin/python -c "from seqretrieve.corpus.sources import export_music21; export_music21('data/corpus/music21', workers=2)"
	$(TRAIN_VENV)/bin/seqretrieve train data --root $(POP909) --out data/corpus/pairs --versions \
		--music21 data/corpus/music21 --fonts training --tempo-range 0.4,2.5 --lossy 0.3 --renderings 2 --workers 2

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
