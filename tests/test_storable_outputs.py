"""Every page and file the grader writes can be stored, whatever a submission put in it.

A lone surrogate (``"Eve \\ud800"`` typed in the identity cell) cannot be encoded as UTF-8. It
used to stop the class view for good: the index raised mid-write, left ``.index.html.<pid>.tmp``
behind, and nothing after it (similarity, written answers, LMS exports) was written, run after run.
Here every page comes from one shell with one Content-Security-Policy, every write is made
storable, a failed write leaves no temporary file, an older run's leftovers are swept, and one class
file that cannot be written is named while every other is still written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.grading.judging.autograder_zip import AutograderZip, Question
from autograder.grading.judging.grade import Grade
from autograder.grading.pages.class_summary import summary_page
from autograder.grading.pages.feedback_page import feedback_page
from autograder.grading.pages.page_shell import content_security_policy
from autograder.grading.pages.ta_pages import MAX_PAIRS_SHOWN, index_page, similarity_page, written_page
from autograder.grading.records import class_outputs, outputs
from autograder.grading.records.class_book import StudentRow
from autograder.grading.records.class_settings import ClassSettings
from autograder.grading.records.late import LatePolicy
from autograder.grading.records.outputs import remove_stale_temporaries, write_atomic
from autograder.grading.records.written import Answer
from autograder.grading.similarity.similar_pairs import Pair
from autograder.grading.text import storable

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)  # lone surrogates included
SURROGATE = "Eve \ud800"
QUESTIONS = {"sigmoid": Question("sigmoid", 2.0)}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> AutograderZip:
    path = tmp_path_factory.mktemp("zip") / "autograder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("otter_config.json", "{}")
    return AutograderZip(path, "digest", QUESTIONS)


def _every_page(text: str, autograder: AutograderZip) -> dict[str, str]:
    grade = Grade(
        file=text,
        digest="d",
        status=text,
        scores={"sigmoid": 1.0},
        identity={"name": text, "student_id": text},
        written={"q": text},
        code=text,
    )
    row = StudentRow(text, text, file=text, status=text, note=text, others=(text,))
    return {
        "feedback": feedback_page(grade, autograder, assignment=text, reference={}),
        "summary": summary_page([row], [grade], autograder, assignment=text, manual={}),
        "index": index_page([row], assignment=text, possible=2.0, pages={text: text}),
        "similarity": similarity_page(
            [Pair(text, text + "2", 0.9, 10)], [[text, text + "2"]], {text: text}, assignment=text
        ),
        "written": written_page(text, [Answer("A01", text, text, text, text)], assignment=text, points=1.0, sheet=text),
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_every_page_is_storable_and_written_whole(autograder, tmp_path, text):
    for name, page in _every_page(text, autograder).items():
        path = tmp_path / f"{name}.html"
        write_atomic(path, page)
        assert path.read_bytes().decode("utf-8") == page, name  # the shell already made it storable
    assert not list(tmp_path.glob(".*.tmp"))


def test_every_page_carries_one_and_the_same_policy(autograder):
    for name, page in _every_page("x", autograder).items():
        policies = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
        script = re.search(r"<script>(.*?)</script>", page, re.S)
        assert policies == [content_security_policy(script[1] if script else "")], name
        assert policies[0].startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:"), name


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_any_text_is_written_storably(tmp_path, text):
    write_atomic(tmp_path / "file.csv", text)
    assert (tmp_path / "file.csv").read_bytes().decode("utf-8") == storable(text)


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path):
    (tmp_path / "index.html").mkdir()  # the rename onto it fails once the temporary file is written
    (tmp_path / "index.html" / "keep").write_text("")
    with pytest.raises(OSError):
        write_atomic(tmp_path / "index.html", "<p>")
    assert [path.name for path in tmp_path.iterdir()] == ["index.html"]


def _ended_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_what_a_killed_run_left_is_swept_and_a_live_writers_file_is_kept(tmp_path):
    ended = tmp_path / f".index.html.{_ended_pid()}.tmp"
    old = tmp_path / f".summary.html.{os.getppid()}.tmp"  # a live pid, but an hour old: nothing writes that long
    live = tmp_path / f".students.csv.{os.getppid()}.tmp"  # a live writer's, just now
    mine_before = tmp_path / f".similarity.html.{os.getpid()}.tmp"
    for path in (ended, old, live, mine_before):
        path.write_text("half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    before_start = (
        outputs._LOADED - 60
    )  # a container reusing this pid, before this process started (a long session loaded the module long ago)
    os.utime(mine_before, (before_start, before_start))
    (tmp_path / "index.html").write_text("kept")

    assert sorted(remove_stale_temporaries(tmp_path)) == sorted([ended, old, mine_before])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["index.html", live.name])


def _class_outputs(out: Path, autograder: AutograderZip, **settings) -> class_outputs.ClassView:
    return class_outputs.write_class_outputs(
        out,
        autograder,
        assignment="a",
        title="A",
        settings=ClassSettings(**settings),
        policy=LatePolicy(),
        manual={"why": 1.0},
    )


@pytest.fixture
def graded_out(tmp_path, autograder) -> Path:
    """An OUT folder holding the results of a student whose name and written answer hold lone surrogates."""
    from autograder.grading.records.results_file import otter_results

    out = tmp_path / "out"
    (out / class_outputs.RESULTS).mkdir(parents=True)
    (out / class_outputs.FEEDBACK).mkdir()
    for file, text in (("eve.ipynb", SURROGATE), ("bob.ipynb", "Bob")):
        grade = Grade(
            file=file,
            digest="d",
            status="Completed",
            scores={"sigmoid": 2.0},
            identity={"name": text, "student_id": "1" if text == "Bob" else "2"},
            written={"why": f"answer of {text}"},
            code=f"def sigmoid(x):\n    return '{text}'\n",
        )
        write_atomic(out / class_outputs.RESULTS / f"{file}.json", json.dumps(otter_results(grade, autograder)))
    return out


EVERY_CLASS_FILE = [
    "final_grades.csv",
    "students.csv",
    "summary.html",
    "index.html",
    "similarity.html",
    "written/why.html",
    "written/why.csv",
    "moodle.csv",
    "canvas.csv",
]


def test_a_surrogate_in_a_name_and_an_answer_reaches_every_class_file(graded_out, autograder):
    view = _class_outputs(graded_out, autograder, exports=("moodle", "canvas"))
    assert view.failed == {}
    for name in EVERY_CLASS_FILE:
        assert (graded_out / name).is_file(), name
    assert "Eve \\ud800" in (graded_out / "index.html").read_text(encoding="utf-8")
    assert "answer of Eve \\ud800" in (graded_out / "written/why.html").read_text(encoding="utf-8")
    assert not list(graded_out.rglob("*.tmp"))


def test_one_class_file_that_cannot_be_written_is_named_and_the_others_are_written(graded_out, autograder, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the similarity page broke")

    monkeypatch.setattr(class_outputs, "similarity_page", broken)
    view = _class_outputs(graded_out, autograder, exports=("moodle", "canvas"))
    assert view.failed == {"similarity.html": "RuntimeError: the similarity page broke"}
    for name in EVERY_CLASS_FILE:
        assert (graded_out / name).is_file() == (name != "similarity.html"), name


def test_a_folder_an_older_run_left_broken_heals(graded_out, autograder):
    _class_outputs(graded_out, autograder)
    stray = graded_out / f".index.html.{_ended_pid()}.tmp"
    stray.write_text("<!DOCTYPE html><p>half")
    (graded_out / "index.html").unlink()
    (graded_out / "written" / f".why.html.{_ended_pid()}.tmp").write_text("half")

    view = _class_outputs(graded_out, autograder)

    assert view.failed == {}
    assert (graded_out / "index.html").is_file()
    assert not list(graded_out.rglob("*.tmp"))


def test_the_similarity_page_stays_readable_however_many_pairs_are_alike():
    codes = {f"s{index:03d}.ipynb": f"def f():\n    return {index}\n" + "#" * 20_000 for index in range(46)}
    files = sorted(codes)
    pairs = [
        Pair(first, second, 0.9, 10) for position, first in enumerate(files) for second in files[position + 1 :]
    ]  # 1,035 pairs
    page = similarity_page(pairs, [files], codes, assignment="a")
    assert page.count('class="pair-title"') == MAX_PAIRS_SHOWN
    assert f"{len(pairs) - MAX_PAIRS_SHOWN} less alike pairs are not shown side by side" in page
    assert len(page) < MAX_PAIRS_SHOWN * 2 * 21_000 + 100_000
