"""What ``autograder grade`` leaves in OUT, and how it resumes, shards and fails.

One uninterrupted CLI run over a small folder of honest submissions (plus an
empty file) is the reference every other run here is compared with. Real
``otter run`` grades two of the notebooks once, so the gradebook and results
files can be checked against what Otter itself writes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.grading.judging.grade import COMPLETED
from autograder.grading.records.results_file import PUBLIC_TESTS_NOT_REPEATED
from autograder.release.otter_run import kernel_did_not_start
from autograder.sandbox import cgroups
from tests.corpus.honest import POINTS, build_notebook, submission, write_corpus

ASSIGNMENT = "logistic_regression"
CLI = Path(sys.executable).with_name("autograder")
QUESTIONS = sorted(POINTS)
POSSIBLE = sum(POINTS.values())
HONEST = (
    "accuracy_count_not_share",
    "accuracy_strict_greater",
    "correct_builtins",
    "correct_course_style",
    "loss_no_clamp",
    "loss_sum_not_mean",
    "sigmoid_wrong_sign",
    "train_no_zero_grad",
)
EMPTY = "empty.ipynb"
EMPTY_STATUS = "not a notebook: the file is empty"
FILES = sorted([f"{name}.ipynb" for name in HONEST] + [EMPTY])
GRADED_LINE = re.compile(r"^graded (\d+), reused (\d+) unchanged results$", re.MULTILINE)


def _autograder(root: Path, *args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess:
    command = [str(CLI), "--root", str(root), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _grade(root: Path, submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    done = _autograder(root, "grade", submissions, "-a", ASSIGNMENT, "-o", out, *extra)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _counts(done: subprocess.CompletedProcess) -> tuple[int, int]:
    """(graded, reused) from the run's closing report."""
    match = GRADED_LINE.search(done.stdout)
    assert match, done.stdout
    return int(match.group(1)), int(match.group(2))


def _rows(out: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO((out / "final_grades.csv").read_text(encoding="utf-8"))))


def _result_files(out: Path) -> dict[str, Path]:
    return {path.name: path for path in (out / "results").glob("*.json")}


@pytest.fixture(scope="module")
def submissions(shared, student_template) -> Path:
    """Eight honest notebooks, each under its own name, and one empty file (written once a session)."""

    def write(scratch: Path) -> str:
        write_corpus(scratch, student_template, names=HONEST)
        (scratch / EMPTY).write_bytes(b"")
        return str(scratch)

    return Path(shared.get("grade-outputs-submissions", write, as_json=True))


@pytest.fixture(scope="module")
def full_run(assignment, submissions, shared) -> Path:
    """OUT of one uninterrupted run over ``submissions``, once a session whichever xdist worker asks; tests only read
    it."""

    def grade(scratch: Path) -> str:
        out = scratch / "out"
        done = _grade(assignment.root, submissions, out)
        assert _counts(done) == (len(FILES), 0)
        return str(out)

    return Path(shared.get("grade-outputs-full-run", grade, as_json=True))


# (a) final_grades.csv -----------------------------------------------------------


def test_gradebook_header_and_points_row(full_run):
    header, points, *_ = _rows(full_run)
    assert header == ["file", *QUESTIONS, "total_points_earned", "percent_correct", "grading_status"]
    assert points[0] == "points-per-question"
    assert [float(cell) for cell in points[1:-1]] == [*(POINTS[q] for q in QUESTIONS), POSSIBLE, 1.0]
    assert points[-1] == "--"


def test_gradebook_rows_are_sorted_by_file(full_run):
    assert [row[0] for row in _rows(full_run)[2:]] == FILES


@pytest.mark.parametrize("name", HONEST)
def test_gradebook_row_of_an_honest_submission(full_run, name):
    expected = submission(name).expected
    row = {r[0]: r for r in _rows(full_run)}[f"{name}.ipynb"]
    total = sum(expected.values())
    assert [float(cell) for cell in row[1:-2]] == [*(expected[q] for q in QUESTIONS), total]
    assert row[-2] == str(round(total / POSSIBLE, 4))  # a 0-1 ratio, as Otter's, not a percentage
    assert row[-1] == COMPLETED


def test_gradebook_row_of_a_failed_submission_carries_the_failure(full_run):
    row = {r[0]: r for r in _rows(full_run)}[EMPTY]
    assert [float(cell) for cell in row[1:-1]] == [0.0] * (len(QUESTIONS) + 2)
    assert row[-1] == EMPTY_STATUS


def test_percent_is_rounded_to_four_digits(assignment, tmp_path):
    from autograder.grading.judging.autograder_zip import AutograderZip
    from autograder.grading.judging.grade import Grade
    from autograder.grading.records.gradebook import gradebook_csv

    autograder = AutograderZip.read(assignment.zip_path)
    # 2/3 of the points: 0.6666... must be written as Otter writes round(x, 4).
    scores = {q: POINTS[q] * 2 / 3 for q in QUESTIONS}
    text = gradebook_csv([Grade("thirds.ipynb", "d", COMPLETED, scores)], autograder)
    assert list(csv.reader(io.StringIO(text)))[2][-2] == "0.6667"


# The reference: Otter's own final_grades.csv and results.json for the same notebooks.
OTTER_REFERENCE = ("correct_course_style", "loss_no_clamp")
_OTTER_RUN = """
import sys, dill
from otter.run import main
results = main(sys.argv[1], autograder=sys.argv[2], output_dir=sys.argv[3], no_logo=True)
with open(sys.argv[4], "wb") as target:
    dill.dump(results, target)
"""


@pytest.fixture(scope="module")
def otter_reference(assignment, submissions, shared) -> dict:
    """Otter's gradebook (its merge_scores_to_df) and results.json, from real ``otter run``s once a session."""
    return shared.get(
        "grade-outputs-otter-reference",
        lambda scratch: _otter_reference(assignment, submissions, scratch),
        as_json=True,
    )


def _otter_reference(assignment, submissions: Path, scratch: Path) -> dict:
    import dill
    from otter.grade.utils import merge_scores_to_df
    from otter.test_files import GradingResults

    runs = {
        name: _start_otter_run(assignment, submissions / f"{name}.ipynb", scratch / name) for name in OTTER_REFERENCE
    }
    scores = []
    for name, run in runs.items():
        _, stderr = run.communicate(timeout=900)
        if run.returncode != 0 and kernel_did_not_start(stderr):
            # Two kernels started at once can race for a port; the release tries such a run once more too.
            run = _start_otter_run(assignment, submissions / f"{name}.ipynb", scratch / name)
            _, stderr = run.communicate(timeout=900)
        assert run.returncode == 0, stderr[-2000:]
        with open(scratch / name / "results.pkl", "rb") as source:
            results = dill.load(source)
        results.file = f"{name}.ipynb"  # as otter grade names each row
        scores.append(results)
    failed = GradingResults.without_results(Exception(EMPTY_STATUS))
    failed.file = EMPTY
    scores.append(failed)
    gradebook = merge_scores_to_df(scores).to_csv(index=False)
    results = {name: json.loads((scratch / name / "results.json").read_text()) for name in OTTER_REFERENCE}
    return {"gradebook": list(csv.reader(io.StringIO(gradebook))), "results": results}


def _start_otter_run(assignment, notebook: Path, folder: Path) -> subprocess.Popen:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    command = [
        sys.executable,
        "-c",
        _OTTER_RUN,
        str(notebook),
        str(assignment.zip_path),
        str(folder),
        str(folder / "results.pkl"),
    ]
    return subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _same_cell(kit: str, otter: str) -> bool:
    # Known difference: Otter keeps a test file's integer points as int and writes
    # "4" where the kit writes "4.0" (the kit reads points as floats).
    return kit == otter or (otter.lstrip("-").isdigit() and float(kit) == float(otter))


def test_gradebook_matches_otter_grades_own(full_run, otter_reference):
    otter_rows = otter_reference["gradebook"]
    kit_rows = [row for row in _rows(full_run) if row[0] in {r[0] for r in otter_rows}]
    assert [row[0] for row in kit_rows] == [row[0] for row in otter_rows]
    for kit, otter in zip(kit_rows, otter_rows):
        assert len(kit) == len(otter)
        mismatched = [(header, k, o) for header, k, o in zip(otter_rows[0], kit, otter) if not _same_cell(k, o)]
        assert not mismatched, f"{kit[0]}: (column, kit, otter) {mismatched}"


# (b) results/<name>.json ----------------------------------------------------------


@pytest.mark.parametrize("file", FILES)
def test_every_submission_has_results_and_feedback(full_run, file):
    assert (full_run / "results" / f"{file}.json").is_file()
    assert (full_run / "feedback" / f"{file}.html").is_file()


@pytest.mark.parametrize("name", HONEST)
def test_results_file_in_gradescope_format(full_run, name):
    expected = submission(name).expected
    results = json.loads((full_run / "results" / f"{name}.ipynb.json").read_text(encoding="utf-8"))
    tests = results["tests"]
    assert [test["name"] for test in tests] == ["Public Tests", *QUESTIONS]
    assert tests[0] == {"name": "Public Tests", "visibility": "visible", "output": PUBLIC_TESTS_NOT_REPEATED}
    for test in tests[1:]:
        assert set(test) == {"name", "score", "max_score", "visibility", "output"}
        assert test["score"] == expected[test["name"]]
        assert test["max_score"] == POINTS[test["name"]]
        if test["score"] == test["max_score"]:
            assert test["output"] == f"{test['name']} results: All test cases passed!"
        else:
            assert test["output"].startswith(f"{test['name']} results:\n") and "❌" in test["output"]


@pytest.mark.parametrize("name", OTTER_REFERENCE)
def test_results_file_matches_otter_runs(full_run, otter_reference, name):
    kit = json.loads((full_run / "results" / f"{name}.ipynb.json").read_text(encoding="utf-8"))
    otter = otter_reference["results"][name]
    assert set(otter) <= set(kit)
    assert kit.get("stdout_visibility") == otter.get("stdout_visibility")

    def strip(test):
        return {key: value for key, value in test.items() if key not in ("output", "status")}

    assert [strip(test) for test in kit["tests"]] == [strip(test) for test in otter["tests"]]
    # Otter's text for a question whose every case passed is the kit's too.
    for kit_test, otter_test in zip(kit["tests"][1:], otter["tests"][1:]):
        if otter_test["output"].endswith("All test cases passed!"):
            assert kit_test["output"] == otter_test["output"]


def test_results_of_a_failed_submission_say_why(full_run):
    results = json.loads((full_run / "results" / f"{EMPTY}.json").read_text(encoding="utf-8"))
    scores = {test["name"]: test["score"] for test in results["tests"]}
    assert scores == dict.fromkeys(QUESTIONS, 0.0), "a file whose public tests never ran has no Public Tests entry"
    assert all(test["output"].startswith(f"Not graded: {EMPTY_STATUS}") for test in results["tests"])


# (c) resuming --------------------------------------------------------------------


def _group_members(pgid: int) -> list[int]:
    """Pids of the running (not zombie) processes of group ``pgid``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _wait_group_gone(pgid: int, *, deadline_s: float) -> bool:
    """Wait, on each member's exit, until no process of group ``pgid`` runs."""
    deadline = time.monotonic() + deadline_s
    while members := _group_members(pgid):
        try:
            handle = os.pidfd_open(members[0])
        except ProcessLookupError:
            continue
        try:
            select.select([handle], [], [], max(deadline - time.monotonic(), 0))
        finally:
            os.close(handle)
        if time.monotonic() >= deadline:
            return not _group_members(pgid)
    return True


def _wait_until(condition, process: subprocess.Popen, *, deadline_s: float) -> bool:
    """Poll ``condition`` until true or the deadline, waiting on ``process`` in between."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() >= deadline:
            return False
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
    return True


def _assert_complete(out: Path) -> None:
    """Every visible result and feedback file is whole (writes are atomic). A feedback page is written once,
    by the class view, when its student's written marks and lateness are known: a killed run leaves none."""
    for path in (out / "results").glob("*.json"):
        kit = json.loads(path.read_text(encoding="utf-8"))["extra_data"]["kit"]
        assert path.name == f"{kit['file']}.json"
    assert not list((out / "feedback").glob("*.html"))


def test_a_killed_run_resumes_where_it_stopped(assignment, submissions, full_run, tmp_path):
    folder = shutil.copytree(submissions, tmp_path / "submissions")
    out = tmp_path / "out"
    command = [str(CLI), "--root", str(assignment.root), "grade", str(folder), "-a", ASSIGNMENT, "-o", str(out)]
    # The killed run cannot remove its temporary support folder: keep it under tmp_path, not /tmp.
    (tmp_path / "tmp").mkdir()
    with open(tmp_path / "first.log", "wb") as log:
        first = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
        )

    def some_but_not_all_done() -> bool:
        return 2 <= len(_result_files(out)) < len(FILES)

    try:
        assert _wait_until(lambda: some_but_not_all_done() or first.poll() is not None, first, deadline_s=600)
        assert first.poll() is None, "the run finished before it could be interrupted"
    finally:
        try:
            os.killpg(first.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had already ended; the assert above says so
            pass
        first.wait()
    assert _wait_group_gone(first.pid, deadline_s=30), "processes of the killed run survive SIGKILL"
    # A SIGKILLed run cannot remove its sandboxes' (empty) cgroups: leave the machine as it was.
    cgroups.remove_cgroups_of(first.pid)
    assert not (out / "final_grades.csv").exists()
    _assert_complete(out)
    finished = {name: path.stat().st_mtime_ns for name, path in _result_files(out).items()}
    assert 2 <= len(finished) < len(FILES)

    second = _grade(assignment.root, folder, out)

    assert _counts(second) == (len(FILES) - len(finished), len(finished))
    assert {name: _result_files(out)[name].stat().st_mtime_ns for name in finished} == finished
    assert sorted(_result_files(out)) == sorted(f"{file}.json" for file in FILES)
    assert (out / "final_grades.csv").read_text() == (full_run / "final_grades.csv").read_text()
    # The resumed run writes the pages of the results the killed run left too, as the full run wrote them.
    pages = {path.name: path.read_text(encoding="utf-8") for path in (out / "feedback").glob("*.html")}
    assert pages == {path.name: path.read_text(encoding="utf-8") for path in (full_run / "feedback").glob("*.html")}
    assert sorted(pages) == sorted(f"{file}.html" for file in FILES)


def test_changing_one_submission_regrades_only_it(assignment, submissions, full_run, student_template, tmp_path):
    folder = shutil.copytree(submissions, tmp_path / "submissions")
    out = shutil.copytree(full_run, tmp_path / "out")
    changed = "correct_builtins.ipynb"
    nbformat.write(build_notebook(submission("sigmoid_wrong_sign"), student_template), folder / changed)

    done = _grade(assignment.root, folder, out)

    assert _counts(done) == (1, len(FILES) - 1)
    before, after = ({r[0]: r for r in _rows(run)} for run in (full_run, out))
    assert {f for f in FILES if before[f] != after[f]} == {changed}
    assert float(after[changed][1 + QUESTIONS.index("sigmoid")]) == 0.0


# (d) shards and merge ----------------------------------------------------------


def test_two_shards_merged_equal_one_run(assignment, submissions, full_run, tmp_path):
    shards = [tmp_path / "shard1", tmp_path / "shard2"]
    runs = [
        subprocess.Popen(
            [
                str(CLI),
                "--root",
                str(assignment.root),
                "grade",
                str(submissions),
                "-a",
                ASSIGNMENT,
                "-o",
                str(shard),
                "--shard",
                f"{i}/2",
                "--workers",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, shard in enumerate(shards, start=1)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=900)
        assert run.returncode == 0, stderr[-2000:]
    graded = [set(_result_files(shard)) for shard in shards]
    assert all(graded) and not graded[0] & graded[1]
    assert graded[0] | graded[1] == {f"{file}.json" for file in FILES}

    merged = tmp_path / "merged"
    done = _autograder(assignment.root, "merge", *shards, "-a", ASSIGNMENT, "-o", merged)

    assert done.returncode == 0, done.stderr
    assert f"merged {len(FILES)} submissions from 2 shards" in done.stdout
    assert (merged / "final_grades.csv").read_text() == (full_run / "final_grades.csv").read_text()
    assert sorted(p.name for p in (merged / "feedback").iterdir()) == sorted(f"{file}.html" for file in FILES)


# (e) errors a TA can act on ------------------------------------------------------


@pytest.fixture
def unreleased_root(assignment, tmp_path) -> Path:
    """A project with the assignment's source but no autograder zip."""
    root = tmp_path / "unreleased"
    shutil.copytree(assignment.source_dir, root / "assignments" / ASSIGNMENT)
    return root


@pytest.mark.parametrize(
    ("shard", "message"),
    [
        ("3/2", r"--shard '3/2': i must be between 1 and n"),
        ("0/4", r"--shard '0/4': i must be between 1 and n"),
        ("half", r"--shard 'half': write it as i/n, e\.g\. 2/8"),
        ("1/2/3", r"--shard '1/2/3': write it as i/n, e\.g\. 2/8"),
    ],
)
def test_bad_shard_is_an_error(assignment, submissions, tmp_path, shard, message):
    result = CliRunner().invoke(
        main,
        [
            "--root",
            str(assignment.root),
            "grade",
            str(submissions),
            "-a",
            ASSIGNMENT,
            "-o",
            str(tmp_path / "out"),
            "--shard",
            shard,
        ],
    )
    assert result.exit_code != 0
    assert re.fullmatch(rf"Error: {message}\n", result.output), result.output
    assert not (tmp_path / "out").exists()


def test_unknown_assignment_is_an_error(assignment, submissions, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "--root",
            str(assignment.root),
            "grade",
            str(submissions),
            "-a",
            "no_such_assignment",
            "-o",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code != 0
    assert result.output.startswith("Error: ")
    assert "no_such_assignment.ipynb: no such source notebook (assignments here: logistic_regression)" in result.output


def test_missing_autograder_zip_is_an_error(unreleased_root, submissions, tmp_path):
    result = CliRunner().invoke(
        main, ["--root", str(unreleased_root), "grade", str(submissions), "-a", ASSIGNMENT, "-o", str(tmp_path / "out")]
    )
    assert result.exit_code != 0
    assert result.output.startswith("Error: ")
    assert (
        f"{ASSIGNMENT}-autograder.zip: no autograder zip; run `autograder release {ASSIGNMENT}` first" in result.output
    )


def test_missing_submission_path_is_an_error(assignment, tmp_path):
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(
        main, ["--root", str(assignment.root), "grade", str(missing), "-a", ASSIGNMENT, "-o", str(tmp_path / "out")]
    )
    assert result.exit_code != 0
    assert result.output == f"Error: {missing}: no such file or folder\n"


def test_merging_shards_without_results_is_an_error(assignment, tmp_path):
    empty = tmp_path / "empty-shard"
    empty.mkdir()
    result = CliRunner().invoke(
        main, ["--root", str(assignment.root), "merge", str(empty), "-a", ASSIGNMENT, "-o", str(tmp_path / "merged")]
    )
    assert result.exit_code != 0
    assert result.output == f"Error: no results found in {empty}\n"
