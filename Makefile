# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make demo   replay the bundled seeds into newswatch.duckdb and print the events
#   make test   run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= newswatch.duckdb
# The browser the report's tests render the page in: Debian's chromium package.
CHROMIUM ?= /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench soak train clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's dependencies change.
$(VENV)/.stamp-install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[model,test]"
	touch $@

demo: $(VENV)/.stamp-install
	$(BIN)/newswatch replay --db $(DB)

test: $(VENV)/.stamp-install $(CHROMIUM)
	$(BIN)/python -m pytest -q

$(CHROMIUM):
	$(SUDO) apt-get install -y -qq chromium >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The sentence classifier and the decision/confidence model, from the dev split of the annotated corpus
# (training/corpus.py); writes transforms/data/sentclf/ and transforms/data/confidence.json (about a minute).
train: $(VENV)/.stamp-install
	$(BIN)/python -m training.train

# Speed and memory, as ratios to baselines measured in the same run (minutes).
bench: $(VENV)/.stamp-install
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/snapshot_cost.py

# The monitor against a local site that keeps publishing: memory over time, latency (30 minutes).
soak: $(VENV)/.stamp-install
	$(BIN)/python benchmarks/monitor_soak.py --minutes 30

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache $(DB) $(DB).wal
