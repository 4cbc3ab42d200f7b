# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install data release demo serve test lint parity benchmark clean

install: $(VENV)/.installed

# torch is pinned and installed first: an unpinned torch pulls a CUDA build of several GB.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Every data set's generator in data/ (and any lesson folder's own); release also runs one when a file it needs is missing.
data: install
	$(BIN)/autograder make-data

# Every folder under assignments/, in teaching order.
release: install
	$(BIN)/autograder release

# Grade each assignment's example submissions into demo_output/<assignment>/.
demo: release
	@for folder in examples/submissions/*/; do \
		name=$$(basename $$folder); \
		$(BIN)/autograder grade $$folder -a $$name -o demo_output/$$name || exit 1; \
	done

# The course server on the bundled assignments, with demo accounts (students 2026001-2026003 and staff
# ta, password demo-password), at http://127.0.0.1:8000. demo_course/ keeps its database between runs.
serve: release
	@test -f demo_course/server.yml || $(BIN)/autograder serve demo_course --init --demo
	$(BIN)/autograder serve demo_course

# The linter first: a tree that fails `make lint` fails `make test` at once, before the suite's minutes.
test: install lint
	$(BIN)/python -m pytest -n 2 -q --durations=30

# The linter and the formatter's check (settings in pyproject.toml); `ruff format` and `ruff check --fix` apply them.
lint: install
	$(BIN)/ruff check autograder tests benchmarks
	$(BIN)/ruff format --check autograder tests benchmarks

# Plain otter run on every corpus entry, 15-20 core-seconds each (make test runs it on 17 combined-mistake notebooks).
parity: install
	$(BIN)/python -m pytest -n 2 -q tests/test_grade_parity.py --every-entry

benchmark: release
	$(BIN)/python benchmarks/grade_throughput.py --count 20

clean:
	rm -rf dist demo_output demo_course .pytest_cache
