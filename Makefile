# Neural Networks by Hand. Run `make help` for the list of targets.
# Everything runs in a local virtual environment (.venv) that the first target creates.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-pyproject
# Exact versions of everything installed, made from pyproject.toml by `make lock`.
LOCK   := constraints.txt
PYTEST := $(BIN)/python -m pytest
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
LAB_IP ?= 127.0.0.1
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

.DEFAULT_GOAL := help
.PHONY: help lab playground book test test-part-unit test-part-notebooks test-part-browser test-unit test-notebooks test-browser test-portability test-lowest lock execute bench check-executed clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

# Re-install only when pyproject.toml or the lock changes (the stamp is older than one).
# Installed from the lock, so every machine gets the versions CI passed with.
# The project was once installed under the name "nnlib", which on PyPI is an unrelated
# project: that old entry is removed, so only nn-by-hand provides the nnlib package.
# rfc3987-syntax is removed too: it comes with Jupyter (jupyter-events asks for jsonschema's
# optional format checkers), checks only IRIs, which nothing here needs, and builds a
# parser as it is imported: about 4 s of every start of JupyterLab, Voila, nbformat and
# pytest (through nbval). jsonschema runs without it.
DROP_SLOW_IMPORT = if $(BIN)/python -m pip show --quiet rfc3987-syntax >/dev/null 2>&1; then \
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax; fi
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test,lab,browser]"
	@if $(BIN)/python -m pip show --quiet nnlib >/dev/null 2>&1; then $(BIN)/python -m pip uninstall --quiet --yes nnlib; fi
	@$(DROP_SLOW_IMPORT)
	@touch $(STAMP)

lab: $(STAMP) ## set up and open JupyterLab on lesson 1
	$(BIN)/jupyter lab --ip=$(LAB_IP) $(LAB_FLAGS) notebooks/01_dot_product.ipynb

# Voila shows the notebook's outputs, never its code, and listens on this machine only;
# its page template (app/share/voila/templates/nnlib) puts them in a <main> landmark.
# It asks for a random token, made here and handed over in JUPYTER_TOKEN (not on the
# command line, where other users could read it), because Voila prints its URL with the
# token masked; the port is fixed so that the URL printed here is the one it serves.
PLAYGROUND_PORT ?= 8866
playground: $(STAMP) ## the playground alone in a browser tab (Voila, on 127.0.0.1, with a token)
	@token=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(24))'); \
	echo "The playground, once the page has run its notebook: http://$(LAB_IP):$(PLAYGROUND_PORT)/?token=$$token"; \
	JUPYTER_TOKEN=$$token JUPYTER_PATH=$(CURDIR)/app/share exec $(BIN)/voila --Voila.ip=$(LAB_IP) \
	    --port=$(PLAYGROUND_PORT) --Voila.port_retries=0 --Voila.auto_token=True --template=nnlib app/playground.ipynb

book: $(STAMP) ## the lessons as a static HTML site, offline, in build/book/ (open build/book/index.html)
	$(BIN)/python book/build.py build/book

# Three pytest processes side by side: the unit tests (with the lessons run with their
# exercises solved), the lessons under nbval (with the book, then with two other CPUs'
# numbers: test-portability), and the browser tests,
# which spend much of their time waiting on JupyterLab, Voila and Chromium. Each part
# keeps the processor busy while another waits; each part's output appears when it ends.
SYNC := $(if $(filter output-sync,$(.FEATURES)),--output-sync=target,)
test: $(STAMP) check-executed ## set up and run every test: unit tests, all notebooks (nbval, strict), browser tests
	@echo "unit tests, notebooks (nbval) and browser tests side by side: each part's output appears when it ends"
	@$(MAKE) --no-print-directory -j3 $(SYNC) test-part-unit test-part-notebooks test-part-browser

# The unit tests run with another CPU's numbers (below); the lessons with this machine's,
# then with two others.
test-part-unit: $(STAMP)
	env $(AVX2_CPU) $(PYTEST) tests --ignore=tests/browser --ignore=tests/test_book.py

test-part-notebooks: $(STAMP)
	$(PYTEST) notebooks tests/test_book.py $(NBVAL)
	@$(MAKE) --no-print-directory test-portability

test-part-browser: $(STAMP)
	$(PYTEST) tests/browser

test-unit: $(STAMP) ## unit tests only
	$(PYTEST) tests --ignore=tests/browser

test-notebooks: $(STAMP) ## the notebooks only, under nbval strict
	$(PYTEST) notebooks $(NBVAL)

# Another CPU's numbers on this one: numpy's SIMD level (NPY_DISABLE_CPU_FEATURES) and
# OpenBLAS's kernel (OPENBLAS_CORETYPE) change the last bits of exp, log, tanh, sums and
# matrix products, as another processor does. AVX2 without AVX-512 (many AMD and older
# Intel machines), and SSE4 with a 2008 kernel. tests/numeric_fingerprint.py prints what
# each changes here; on a processor they do not apply to, they change nothing.
AVX2_CPU := NPY_DISABLE_CPU_FEATURES=X86_V4 OPENBLAS_CORETYPE=Haswell
SSE_CPU  := NPY_DISABLE_CPU_FEATURES=X86_V3 OPENBLAS_CORETYPE=Nehalem
test-portability: $(STAMP) ## the notebooks under nbval strict with two other CPUs' numbers
	@$(BIN)/python tests/numeric_fingerprint.py "$(AVX2_CPU)" "$(SSE_CPU)"
	@status=0; for cpu in "$(AVX2_CPU)" "$(SSE_CPU)"; do \
	    echo "== the notebooks with $$cpu"; env $$cpu $(PYTEST) notebooks $(NBVAL) || status=1; \
	done; exit $$status

# Asked for by name, the browser tests fail (rather than skip) when Chromium is missing.
test-browser: $(STAMP) ## the lessons in JupyterLab in headless Chromium (needs: apt-get install chromium)
	NNLIB_REQUIRE_BROWSER=1 $(PYTEST) tests/browser -v

check-executed: ## fail if a notebook is committed without its outputs
	$(PYTHON) tests/check_executed.py notebooks/*.ipynb

execute: $(STAMP) ## re-run every notebook in place to refresh its stored outputs
	$(BIN)/python tests/execute_notebooks.py notebooks/*.ipynb

bench: ## benchmark nnlib against scikit-learn (and PyTorch, if installed)
	@$(MAKE) --no-print-directory $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test,lab,bench]"
	@$(DROP_SLOW_IMPORT)
	$(BIN)/python benchmarks/bench.py

# uv resolves for every Python from 3.10 on and every platform at once (--universal), in
# seconds; pip-tools resolves for the Python and platform it runs on only.
UV := $(BIN)/uv
$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv>=0.5"

lock: $(UV) ## refresh the lock (constraints.txt) to the newest versions pyproject.toml allows
	$(UV) pip compile pyproject.toml --universal --python-version 3.10 --upgrade --quiet \
	    --extra test --extra lab --extra browser --extra bench --custom-compile-command "make lock" -o $(LOCK)

# The lowest versions pyproject.toml allows for its direct dependencies (newest for the
# rest), in a venv of their own: a minimum that fails here is raised in pyproject.toml.
LOWEST := .venv-lowest
test-lowest: $(UV) ## the unit tests with the lowest versions pyproject.toml allows (in .venv-lowest)
	rm -rf $(LOWEST)
	$(UV) venv --quiet --no-python-downloads --python $(PYTHON) $(LOWEST)
	VIRTUAL_ENV=$(CURDIR)/$(LOWEST) $(UV) pip install --quiet --resolution lowest-direct -e ".[test,lab]"
	$(LOWEST)/bin/python -m pytest tests --ignore=tests/browser --ignore=tests/test_book.py

clean: ## remove the virtual environments and caches
	rm -rf $(VENV) $(LOWEST) .pytest_cache build *.egg-info
