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

.PHONY: demo test bench soak train clean lock audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's dependencies or their locked versions change.
$(VENV)/.stamp-install: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[model,test]"
	touch $@

demo: $(VENV)/.stamp-install
	$(BIN)/newswatch replay --db $(DB)

test: $(VENV)/.stamp-install $(CHROMIUM)
	$(BIN)/python -m pytest -q

$(CHROMIUM):
	$(SUDO) apt-get install -y -qq chromium >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The sentence classifier and the decision/confidence model, from the dev split of the annotated corpus
# (training/corpus.py); writes transforms/language/data/sentclf/, confidence.json and gate.json (about two minutes).
train: $(VENV)/.stamp-install
	$(BIN)/python -m training.train

# Speed and memory, as ratios to baselines measured in the same run (minutes).
bench: $(VENV)/.stamp-install
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/parse_batching.py
	$(BIN)/python benchmarks/parse_cost.py
	$(BIN)/python benchmarks/snapshot_cost.py
	$(BIN)/python benchmarks/replay_scaling.py
	$(BIN)/python benchmarks/replay_scaling.py --near-miss-share 0.9
	$(BIN)/python benchmarks/feedrun_workers.py

# The monitor against a local site that keeps publishing: memory over time, latency (30 minutes).
soak: $(VENV)/.stamp-install
	$(BIN)/python benchmarks/monitor_soak.py --minutes 30

# Re-resolve the dependencies in a scratch virtualenv and write their exact versions to requirements.lock.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet ".[model,test]"
	{ sed -n '1,/^# check it/p' requirements.lock; .venv-lock/bin/python -m pip freeze --exclude newswatch; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .venv-lock

# Known vulnerabilities in the locked versions (pip-audit, in a virtualenv of its own). It needs PyPI's JSON
# API or osv.dev (-s osv); --strict fails when a package could not be checked, so an unreachable database
# never passes for a clean audit.
audit:
	test -x .venv-audit/bin/pip-audit || { $(PYTHON) -m venv .venv-audit && .venv-audit/bin/python -m pip install --quiet pip-audit; }
	.venv-audit/bin/pip-audit --strict --no-deps --disable-pip -r requirements.lock

clean:
	rm -rf $(VENV) .venv-lock .venv-audit *.egg-info .pytest_cache $(DB) $(DB).wal
