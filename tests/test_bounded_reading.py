"""The grader reads a submission's bytes (JSON, zip members, code cells) only within bounds.

Python's parsers take far more memory than their input: ``ast`` about 1 kB per character of a
code cell, nbformat about 170 bytes per byte of nested JSON. ``read_submission`` parses in a forked
child capped at READ_MEMORY_MB and READ_TIME_S, and refuses a code cell over MAX_CODE_CELL_CHARS
outright, so whatever a file holds, the answer is a notebook or a status, never a dead grader.
Hypothesis throws huge and deeply nested inputs at it.
"""

from __future__ import annotations

import io
import json
import os
import resource
import zipfile

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.grading.intake import reading
from autograder.grading.intake.reading import READ_MEMORY_MB, read_submission
from autograder.grading.intake.submissions import MAX_CODE_CELL_CHARS, MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_VALUES
from tests.unprivileged import TEST_UID, as_user, needs_root

ASSIGNMENT = "logistic_regression"
# What a file the grader cannot grade may be called; anything else (a traceback, "crash") is a bug.
REFUSALS = ("not a notebook", "not a zip or a notebook", "zip holds", "too large")
IDENTITY = 'STUDENT_NAME = "Eve"\nSTUDENT_ID = "2024001"\n'


def _notebook(*sources: str, metadata: dict | None = None) -> bytes:
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(IDENTITY), *map(nbformat.v4.new_code_cell, sources)]
    )
    notebook.metadata.update(metadata or {})
    return nbformat.writes(notebook).encode()


def _read(content: bytes) -> reading.Reading:
    return read_submission("x.ipynb", content, assignment=ASSIGNMENT, manual=[], graded=["sigmoid"])


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def test_an_ordinary_notebook_is_read_with_what_it_says_of_itself():
    result = _read(_notebook("def sigmoid(x):\n    return 1 / (1 + (-x).exp())\n"))
    assert result.problem == ""
    assert result.about.identity == {"name": "Eve", "student_id": "2024001"}
    assert "def sigmoid" in result.about.code
    assert result.notebook.cells[1].source.startswith("def sigmoid")


def test_a_4_mib_code_cell_is_refused_by_its_size_without_costing_the_grader_memory():
    before = _rss_mb()
    result = _read(_notebook("x = [" + "a, " * (4 * 2**20 // 3) + "]\n"))
    assert result.notebook is None
    assert (
        result.problem.startswith("too large: cell 2 holds 4,194,3")
        and f"up to {MAX_CODE_CELL_CHARS:,}" in result.problem
    )
    assert _rss_mb() - before < 100  # the cell's own 4 MiB, and its notebook's, at most a few times over


def test_the_largest_code_cell_allowed_is_read_within_the_memory_cap():
    # "a, " is among the most expensive sources for ast per character (about 0.8 kB each).
    cell = ("x = [" + "a, " * MAX_CODE_CELL_CHARS)[: MAX_CODE_CELL_CHARS - 2] + "]\n"
    assert len(cell) == MAX_CODE_CELL_CHARS
    result = _read(_notebook(cell))
    assert result.problem == ""
    assert result.about.identity["student_id"] == "2024001"


def test_nested_json_that_needs_more_than_the_cap_is_too_large():
    # 8 MiB of empty objects: about 1.4 GB for nbformat to read.
    content = (
        '{"cells": [], "metadata": {"x": [' + "{}," * (8 * 2**20 // 3) + '{}]}, "nbformat": 4, "nbformat_minor": 5}'
    ).encode()
    result = _read(content)
    assert result.notebook is None
    assert (
        result.problem
        == f"too large: reading this file needs more than the {READ_MEMORY_MB} MiB of memory the grader gives it"
    )


def test_a_notebook_of_too_many_small_values_is_too_large_before_the_grader_holds_it():
    # 80,000 one-line cells: 3 MiB of JSON, but 560,000 values, about 110 MB for the grader to hold.
    cells = ",".join(
        f'{{"cell_type": "code", "id": "c{index}", "metadata": {{}}, "source": "x = 1", "outputs": [], '
        f'"execution_count": null}}'
        for index in range(80_000)
    )
    before = _rss_mb()
    result = _read(f'{{"cells": [{cells}], "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}'.encode())
    assert (
        result.problem
        == f"too large: the notebook holds over {MAX_NOTEBOOK_VALUES:,} values (cells, outputs, metadata); clear its "
        "outputs and split it up"
    )
    assert _rss_mb() - before < 50


def test_a_read_that_outlasts_the_time_limit_is_too_large(monkeypatch):
    monkeypatch.setattr(reading, "READ_TIME_S", 0.01)  # reading 2 MiB of nested JSON takes about a second
    content = (
        '{"cells": [], "metadata": {"x": [' + "{}," * (2 * 2**20 // 3) + '{}]}, "nbformat": 4, "nbformat_minor": 5}'
    ).encode()
    result = _read(content)
    assert result.problem.startswith("too large: reading this file in the grader ran longer than 0.01 s")


def test_a_zip_with_a_huge_central_directory_is_read_in_the_child():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(200_000):  # every entry becomes a ZipInfo object in whoever opens it
            archive.writestr(str(index), b"")
    result = read_submission("x.zip", buffer.getvalue(), assignment=ASSIGNMENT, manual=[], graded=[])
    assert result.problem == "zip holds 0 notebooks, expected exactly one"


def _nested(depth: int, kind: str) -> str:
    opening, closing = {"list": ("[", "]"), "object": ('{"a":', "}")}[kind]
    return opening * depth + "0" + closing * depth


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    depth=st.integers(1, 300_000),
    kind=st.sampled_from(["list", "object"]),
    where=st.sampled_from(["metadata", "output", "cell"]),
)
def test_any_json_nesting_gives_a_notebook_or_a_refusal(depth, kind, where):
    notebook = json.loads(_notebook("x = 1"))
    cell = notebook["cells"][1]
    if where == "metadata":
        notebook["metadata"]["deep"] = PLACE
    elif where == "output":
        cell["outputs"] = [
            {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"application/json": PLACE}}
        ]
    else:
        cell["metadata"]["deep"] = PLACE
    result = _read(json.dumps(notebook).replace(json.dumps(PLACE), _nested(depth, kind)).encode())
    if result.notebook is None:
        assert result.problem.startswith(REFUSALS), result.problem
    else:
        assert result.about.identity["student_id"] == "2024001"


PLACE = "<nested JSON goes here>"
DEEP_CODE = {
    "sum": lambda n: "x = 1" + " + 1" * n,
    "parentheses": lambda n: "x = " + "(" * n + "1" + ")" * n,
    "lists": lambda n: "x = " + "[" * n + "]" * n,
    "calls": lambda n: "x = " + "f(" * n + ")" * n,
    "blocks": lambda n: (
        "".join("    " * level + "if x:\n" for level in range(min(n, 200))) + "    " * min(n, 200) + "pass\n"
    ),
    "attributes": lambda n: "x = a" + ".b" * n,
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=st.sampled_from(sorted(DEEP_CODE)), size=st.integers(1, 120_000), cells=st.integers(1, 3))
def test_deep_or_long_code_never_stops_the_reading_and_the_identity_survives(shape, size, cells):
    source = DEEP_CODE[shape](size)
    result = _read(_notebook(*[source] * cells))
    if len(source) > MAX_CODE_CELL_CHARS:
        assert result.problem.startswith("too large: cell 2 holds")
    else:
        assert result.problem == ""
        assert result.about.identity == {"name": "Eve", "student_id": "2024001"}


@settings(max_examples=15, deadline=None)
@given(length=st.integers(MAX_CODE_CELL_CHARS - 3, MAX_CODE_CELL_CHARS + 3))
def test_the_code_cell_limit_is_exact(length):
    result = _read(_notebook("#" * length))
    assert (result.notebook is None) == (length > MAX_CODE_CELL_CHARS)


def test_the_memory_cap_is_the_reading_childs_alone():
    before = resource.getrlimit(resource.RLIMIT_AS)
    _read(_notebook("x = 1"))
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the cap is the child's alone


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "not a notebook: the file is empty"),
        (b"\xff\xfe", "not a notebook: the file is not UTF-8 text"),
        (b"{", "not a notebook: "),
        (b'{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a notebook: "),
    ],
)
def test_broken_files_keep_their_own_status(content, problem):
    assert _read(content).problem.startswith(problem)


@needs_root
def test_an_ordinary_user_reads_within_the_same_bounds():
    def job() -> dict:
        huge = _read(_notebook("x = [" + "a, " * (4 * 2**20 // 3) + "]\n"))
        nested = _read(
            (
                '{"cells": [], "metadata": {"x": ['
                + "{}," * (8 * 2**20 // 3)
                + '{}]}, "nbformat": 4, "nbformat_minor": 5}'
            ).encode()
        )
        honest = _read(_notebook("def sigmoid(x):\n    return x\n"))
        return {
            "uid": os.getuid(),
            "problems": [huge.problem[:25], nested.problem[:25], honest.problem],
            "identity": honest.about.identity,
        }

    outcome = as_user(job, timeout=120)
    assert outcome.result == {
        "uid": TEST_UID,
        "problems": ["too large: cell 2 holds 4", "too large: reading this f", ""],
        "identity": {"name": "Eve", "student_id": "2024001"},
    }, outcome.problem


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.ipynb", b" " * (MAX_NOTEBOOK_BYTES + 1024))  # about 50 KiB once deflated
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, problem",
    [
        (lambda: b" " * (MAX_NOTEBOOK_BYTES + 1), "too large: the file is over the 50 MiB limit"),
        (_zip_bomb, "too large: the zipped notebook is over the 50 MiB limit"),
    ],
)
def test_files_over_the_size_limit_are_too_large(content, problem):
    assert _read(content()).problem == problem


def test_lone_surrogates_reach_the_sandbox_as_storable_text(tmp_path):
    notebook = json.loads(_notebook("x = 1"))
    notebook["cells"][1]["source"] = "x = '\ud800'"  # hand-edited JSON: a "\ud800" escape, which no UTF-8 file can hold
    notebook["cells"].append(
        {
            "cell_type": "markdown",
            "id": "answer",
            "metadata": {"\udfff": "\udc80"},
            "source": "A log of 0 is -inf \ud800",
        }
    )
    result = _read(json.dumps(notebook).encode())
    nbformat.write(result.notebook, tmp_path / "saved.ipynb")  # what the sandbox does first
    saved = nbformat.read(tmp_path / "saved.ipynb", as_version=4)
    assert saved.cells[1].source == "x = '\\ud800'"
    assert saved.cells[2].source == "A log of 0 is -inf \\ud800" and saved.cells[2].metadata == {"\\udfff": "\\udc80"}
