# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ASSIGNMENT := logistic_regression

.PHONY: install data release demo test benchmark clean

install: $(VENV)/.installed

# torch is pinned and installed first: an unpinned torch pulls a CUDA build of several GB.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

data: install
	$(BIN)/autograder make-data

release: data
	$(BIN)/autograder release $(ASSIGNMENT)

demo: release
	$(BIN)/autograder grade examples/submissions -a $(ASSIGNMENT) -o demo_output

test: install
	$(BIN)/python -m pytest -n 2 -q

benchmark: release
	$(BIN)/python benchmarks/grade_throughput.py --count 20

clean:
	rm -rf dist demo_output .pytest_cache
