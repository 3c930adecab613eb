# The course's commands. `make book` and `make test` do all the set-up they
# need on a fresh machine with Python 3.11 (and, for the page tests, Debian's
# chromium: see README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
SITE := _build/html

# Everything below runs inside the virtual environment.
export PATH := $(abspath $(BIN)):$(PATH)
# Idle OpenMP threads sleep instead of spinning, which matters on shared machines.
export OMP_WAIT_POLICY := PASSIVE

.PHONY: book test lint unit notebooks site-tests student student-runs lab benchmark clean

$(READY): requirements.txt pyproject.toml package.json package-lock.json
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	npm ci --silent --no-audit --no-fund
	touch $@

## book: execute every chapter and build the site into _build/html
book: $(READY)
	$(BIN)/python book/_ext/vendor.py
	$(BIN)/jupyter-book build -W -n --keep-going .

## test: lint, unit tests, every chapter, the student edition, the site
test: lint unit notebooks student-runs book site-tests

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(READY)
	$(BIN)/pytest -q tests --ignore=tests/site

NBVAL := $(BIN)/pytest -q --nbval-lax --nbval-current-env \
	--nbval-cell-timeout=600 -p no:cacheprovider

notebooks: $(READY)
	$(NBVAL) chapters

site-tests: $(READY)
	$(BIN)/pytest -q tests/site

## student: write the student edition (no solutions) into student/
student: $(READY)
	$(BIN)/python -m transformer_course.student chapters student

# The student edition runs from top to bottom: an unanswered exercise gets a
# "not yet" verdict from its check, never an error.
student-runs: student
	$(NBVAL) student

## lab: open the chapters in JupyterLab
lab: $(READY)
	$(BIN)/jupyter lab chapters

## benchmark: time and memory of every chapter, speed of the modules
benchmark: $(READY)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf _build student .jupyter_cache
