# Two commands set everything up on a fresh machine:
#   make run   - install into .venv, read and score the bundled sample plans into out/
#   make test  - install into .venv (with dev tools) and run the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINTED := $(wildcard actionnlp tests training benchmarks)

.PHONY: run test test-slow test-browser test-hostile lint bench train pin fixtures layouts matrix layouts-heldout matrix-heldout layouts-dev2 matrix-dev2 sync-corpus clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# torch first, pinned to the CPU build, so nothing resolves a CUDA torch.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=1 MPLBACKEND=Agg $(BIN)/actionnlp score actionnlp/data/samples --out out --format parquet

test: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports --no-cache
	$(BIN)/mkdocs build --strict --quiet
	HF_HUB_OFFLINE=1 MPLBACKEND=Agg $(BIN)/python -m pytest -q -m "not slow and not browser and not hostile" --doctest-modules actionnlp tests

test-slow: $(STAMP)
	HF_HUB_OFFLINE=1 MPLBACKEND=Agg $(BIN)/python -m pytest -q -m slow tests

# The report's explorer in headless Chromium (Debian: apt-get install chromium chromium-driver);
# the tests say so and skip when no browser or driver is installed.
test-browser: $(STAMP)
	HF_HUB_OFFLINE=1 MPLBACKEND=Agg $(BIN)/python -m pytest -q -rs -m browser tests/analysis/test_report_browser.py
# Hostile inputs (issue 16): generated bad files, each read under a time and memory limit.
test-hostile: $(STAMP)
	HF_HUB_OFFLINE=1 MPLBACKEND=Agg $(BIN)/python -m pytest -q -m hostile tests/hostile

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench.py

train: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python training/train.py

# The labelled corpus is packaged (actionnlp/data/corpus) so an installed actionnlp can
# retrain on a researcher's labels; a test checks the copy matches training/data.
sync-corpus:
	cp training/data/*.jsonl actionnlp/data/corpus/

# Re-pin the shipped artifacts as they are (actionnlp/models/pins.py); `make train` pins too.
pin: $(STAMP)
	$(BIN)/python training/train.py --pin

fixtures: $(STAMP)
	$(BIN)/python tests/fixtures/make_fixtures.py

# The layout matrix (tests/fixtures/layouts): needs LibreOffice, poppler, w3m and lynx.
layouts: $(STAMP)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[layouts]'
	HF_HUB_OFFLINE=1 $(BIN)/python training/layouts/render.py

# Score the reader on the matrix; writes docs/reading-matrix.md.
matrix: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python training/layouts/evaluate.py

# The held-out layouts (tests/fixtures/layouts-heldout; never tuned on, see
# docs/reading-heldout.md): also needs chromium and the fonts Carlito and Caladea.
layouts-heldout: $(STAMP)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[layouts]'
	HF_HUB_OFFLINE=1 $(BIN)/python training/layouts/heldout.py

# Score the reader on the held-out layouts; writes docs/reading-heldout.md.
matrix-heldout: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python training/layouts/evaluate.py --heldout

# A development draw of the same generator (another seed; tuning on it is allowed):
# tests/fixtures/layouts-dev2, scored into docs/reading-dev2.md.
layouts-dev2: $(STAMP)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[layouts]'
	HF_HUB_OFFLINE=1 $(BIN)/python training/layouts/heldout.py --seed 7 --prefix d --out tests/fixtures/layouts-dev2

matrix-dev2: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python training/layouts/evaluate.py --root tests/fixtures/layouts-dev2 --out docs/reading-dev2.md

clean:
	rm -rf $(VENV) out
