"""What each submission is called in an output folder: never a bare file name, and a result is replaced
only by a grading of the same submission (no grading here: the names are decided before any)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.grading.intake.submission_keys import key_submissions
from autograder.grading.intake.submissions import Submission
from autograder.grading.judging.grade import Grade
from autograder.grading.records.roster import Claim, counting_order


def _before(file: str, source: Path, student_id: str = "") -> dict[str, Grade]:
    return {
        file: Grade(
            file, "d", "Completed", {}, identity={"student_id": student_id} if student_id else {}, source=str(source)
        )
    }


def _keyed(
    path: Path, before: dict[str, Grade] | None = None, *, declared: str = "", in_folder: str = "", digest: str = "new"
):
    submission = Submission(
        path.relative_to(in_folder).as_posix() if in_folder else path.name, path, found_in_folder=bool(in_folder)
    )
    return key_submissions([submission], before or {}, declared_student=lambda _: declared, digest_of=lambda _: digest)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("regrade/周杰_corrected/logistic_regression.ipynb", "周杰_corrected/logistic_regression.ipynb"),
        (
            "download/周杰_1007_assignsubmission_file_/v2/logistic_regression.ipynb",
            "周杰_1007_assignsubmission_file_/v2/logistic_regression.ipynb",
        ),
    ],
)
def test_a_file_named_on_the_command_line_keeps_its_folder(tmp_path, path, name):
    keyed = _keyed(tmp_path / path)
    assert [s.file for s in keyed.submissions] == [name] and keyed.named == {name} and keyed.notes == []


def test_a_file_found_in_a_folder_is_named_by_its_path_there_and_was_not_named_by_the_ta(tmp_path):
    keyed = _keyed(tmp_path / "class" / "刘洋" / "lr.ipynb", in_folder=tmp_path / "class")
    assert [s.file for s in keyed.submissions] == ["刘洋/lr.ipynb"] and keyed.named == set()


def test_the_same_path_keeps_the_row_it_had(tmp_path):
    path = tmp_path / "regrade" / "a" / "lr.ipynb"
    keyed = _keyed(path, _before("lr.ipynb", path.resolve()))
    assert [s.file for s in keyed.submissions] == ["lr.ipynb"] and keyed.notes == []


@pytest.mark.parametrize(
    ("earlier", "declared", "kept"),
    [("2023001", "2023002", False), ("", "2023002", True), ("2023001", "2023001", True)],
)
def test_a_name_taken_by_another_paths_file_goes_to_it_only_when_nothing_shows_two_students(
    tmp_path, earlier, declared, kept
):
    keyed = _keyed(
        tmp_path / "new" / "a" / "lr.ipynb",
        _before("a/lr.ipynb", tmp_path / "old" / "a" / "lr.ipynb", earlier),
        declared=declared,
    )
    assert [s.file for s in keyed.submissions] == (["a/lr.ipynb"] if kept else ["a/lr.ipynb~2"])
    [note] = keyed.notes
    assert (
        ("replaces the a/lr.ipynb OUT graded from" in note)
        if kept
        else ("graded as a/lr.ipynb~2" in note and "declares 2023002" in note)
    )


def test_the_same_content_from_another_path_keeps_its_row_without_a_word(tmp_path):
    keyed = _keyed(
        tmp_path / "moved" / "lr.ipynb",
        _before("lr.ipynb", tmp_path / "first" / "lr.ipynb", "2023001"),
        declared="2023002",
        in_folder=tmp_path / "moved",
        digest="d",
    )
    assert [s.file for s in keyed.submissions] == ["lr.ipynb"] and keyed.notes == []


def test_a_moodle_folder_in_the_name_makes_it_the_same_students_file(tmp_path):
    name = "张三_1001_assignsubmission_file_/lr.ipynb"
    keyed = _keyed(
        tmp_path / "again" / name,
        _before(name, tmp_path / "first" / name, "2023001"),
        declared="2023009",
        in_folder=tmp_path / "again",
    )
    assert [s.file for s in keyed.submissions] == [name] and "replaces" in keyed.notes[0], (
        "Moodle authenticated the upload: its folder decides"
    )


def test_a_file_the_ta_graded_by_name_counts_over_a_later_submission():
    correction = Claim("周杰_corrected/lr.ipynb", named="2026-12-05T09:00:00+00:00")
    later = Claim("周杰_1007_assignsubmission_file_/lr.ipynb", submitted="2026-12-06T10:00:00+08:00")
    earlier_correction = Claim("周杰_first/lr.ipynb", named="2026-12-04T09:00:00+00:00")
    assert max([later, correction, earlier_correction], key=counting_order) is correction
    # Times written in different zones compare as instants: 09:00 +08:00 is before 02:00 UTC.
    assert (
        max(
            [Claim("a", submitted="2026-12-01T09:00:00+08:00"), Claim("b", submitted="2026-12-01T02:00:00+00:00")],
            key=counting_order,
        ).file
        == "b"
    )


def test_the_student_a_file_declares_is_read_by_the_bounded_reader(tmp_path):
    from autograder.grading.intake.received import Received, _declared_student
    from autograder.grading.submission_grader import GradingContext
    from tests.test_class_term import EXAMPLES, _with_identity

    path = tmp_path / "王五" / "logistic_regression.ipynb"
    _with_identity(EXAMPLES / "train_rebinds_w.ipynb", path, name="王五", student_id="2023003")
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    context = GradingContext(tmp_path, "logistic_regression", {}, [])

    def declared(submission: Submission) -> str:
        return _declared_student(Received.of(submission, "zip digest", context.read))

    assert declared(Submission("王五/logistic_regression.ipynb", path)) == "2023003"
    assert declared(Submission("broken.ipynb", tmp_path / "broken.ipynb")) == ""
