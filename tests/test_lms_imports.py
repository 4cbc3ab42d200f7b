"""Canvas and Moodle import files, checked against what each LMS's importer does (``tests/lms_rules.py``),
built from rows directly (no grading)."""

from __future__ import annotations

import pytest

from autograder.grading.records.class_book import MISSING, UNKNOWN, StudentRow
from autograder.grading.records.class_settings import ClassSettings, ClassSettingsError
from autograder.grading.records.late import Lateness
from autograder.grading.records.lms_imports import (
    LmsImportError,
    canvas_column,
    canvas_id_of,
    canvas_import,
    moodle_feedback,
    moodle_import,
)
from tests.lms_rules import CanvasCourse, MoodleCourse, Refused
from tests.lms_rules import canvas_import as canvas_reads
from tests.lms_rules import moodle_import as moodle_reads

SCORES = {"sigmoid": 2.0, "binary_loss": 2.0, "train": 4.0, "accuracy": 2.0}
ROWS = [
    StudentRow(
        "2023001",
        "张三",
        "a.ipynb",
        scores=SCORES,
        raw=10.0,
        total=10.0,
        status="Completed",
        lms_id="1001",
        email="zs@example.cn",
    ),
    StudentRow(
        "2023002",
        "李四",
        "b.ipynb",
        scores={**SCORES, "train": 0.0},
        raw=6.0,
        total=5.4,
        status="Completed",
        late=Lateness(0.1, 1, "迟交 1 天 / 1 day late: 10% off"),
    ),
    StudentRow("2023003", "王五", "c.ipynb", raw=0.0, total=0.0, status="timeout: took longer than 120 s"),
    StudentRow("2023006", "孙八", status=MISSING, email="sb@example.cn"),
    StudentRow("9999999", "陌生人", "stranger.ipynb", scores=SCORES, raw=10.0, total=10.0, status=UNKNOWN),
    StudentRow(
        "", "周杰", "zhoujie.ipynb", scores=SCORES, raw=10.0, total=10.0, status="Completed"
    ),  # the roster gives no number
]
CANVAS = CanvasCourse(
    students={
        "1001": ("张三", "2023001", ""),
        "1002": ("李四", "2023002", ""),
        "1003": ("王五", "2023003", ""),
        "1006": ("孙八", "2023006", ""),
        "1007": ("周杰", "", ""),
    },
    assignments={"4411": "Logistic regression"},
    scores={"1003": "9", "1006": "4"},
)
MOODLE = MoodleCourse(
    {"2023001", "2023002", "2023003", "2023006"}, grades={"2023003": "9"}, feedback={"2023003": "纸质版 · on paper"}
)


def _canvas(missing_grade: str, *, shard: bool = False):
    return canvas_import(
        ROWS, column="Logistic regression (4411)", possible=11, missing_grade=missing_grade, shard=shard
    )


@pytest.mark.parametrize(("missing_grade", "empty"), [("zero", "0.0"), ("blank", "")])
def test_canvas_takes_the_file_and_missing_and_failed_rows_get_what_the_ta_chose(missing_grade, empty):
    made = _canvas(missing_grade)
    assignment, scores = canvas_reads(made.text.removeprefix("\ufeff"), CANVAS)
    assert assignment == "4411"
    assert scores == {"1001": "10.0", "1002": "5.4", "1003": empty, "1006": empty}
    assert [why.split(":")[0] for why in made.left_out] == [
        "9999999 陌生人 (stranger.ipynb)",
        "- 周杰 (zhoujie.ipynb)",
    ], "a name alone is no safe match"
    assert made.note == ""


def test_moodle_takes_the_file_and_never_gets_an_empty_feedback_cell():
    feedback = {
        row.file: moodle_feedback(
            row, autograded_possible=10, manual={"why_clamp": 1}, comments={"why_clamp": {"a.ipynb": "清楚\n· clear"}}
        )
        for row in ROWS
        if row.file
    }
    made = moodle_import(ROWS, title="LR", feedback=feedback, missing_grade="blank")
    after = moodle_reads(made.text, MOODLE, map_from="ID number", grade_column="LR")
    assert after.grades == {"2023001": "10.0", "2023002": "5.4", "2023003": "", "2023006": ""}
    assert all(after.feedback.values())
    assert after.feedback["2023003"] == "未能评分 · not graded: timeout: took longer than 120 s"
    assert after.feedback["2023002"] == "自动评分 6/10 · autograded 6/10 | 迟交 1 天 / 1 day late: 10% off"
    assert after.feedback["2023006"] == "未提交 · no submission"
    assert {why.split(":")[0] for why in made.left_out} == {"9999999 陌生人 (stranger.ipynb)", "- 周杰 (zhoujie.ipynb)"}
    assert "Email address" not in made.text.splitlines()[0], (
        "not every row has an email: mapping by it would misplace a row"
    )


def test_a_written_mark_and_the_tas_comment_reach_moodles_feedback():
    row = StudentRow(
        "2023001",
        "张三",
        "a.ipynb",
        scores=SCORES,
        written={"why_clamp": 1.0},
        raw=11.0,
        total=11.0,
        status="Completed",
    )
    said = moodle_feedback(
        row, autograded_possible=10, manual={"why_clamp": 1}, comments={"why_clamp": {"a.ipynb": "清楚\n· clear"}}
    )
    assert said == "自动评分 10/10 · autograded 10/10 | why_clamp 1/1: 清楚 · clear"


def test_the_lms_refuses_what_the_checks_say_it_refuses():
    """The rules themselves: a blank ID number is given to the row above, an unknown one stops Moodle."""
    with pytest.raises(Refused, match="row above"):
        moodle_reads("ID number,LR,Feedback\n2023001,1,a\n,2,b\n", MOODLE, map_from="ID number", grade_column="LR")
    with pytest.raises(Refused, match="whole import stops"):
        moodle_reads("ID number,LR,Feedback\n9999999,1,a\n", MOODLE, map_from="ID number", grade_column="LR")
    with pytest.raises(Refused, match="new one"):
        canvas_reads("Student,ID,SIS User ID,SIS Login ID,Section,Logistic regression 2\n张三,1001,,,,1\n", CANVAS)


def test_a_shards_files_leave_out_the_students_it_has_no_file_of():
    made = _canvas("zero", shard=True)
    assert "2023006" not in made.text and "this shard has no file of 1 roster students" in made.note


def test_the_canvas_column_is_the_tas_then_assignment_ymls_then_the_rosters():
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Logistic regression (4411)"]
    assert canvas_column(header, title="LR", name="lr", chosen="Mine (1)", canvas_id="2") == "Mine (1)"
    assert canvas_column(header, title="LR", name="lr", canvas_id="2") == "LR (2)"
    assert (
        canvas_column(header, title="逻辑回归 · Logistic regression", name="logistic_regression")
        == "Logistic regression (4411)"
    )
    assert canvas_id_of({"canvas_id": 4411}, where="a.yml") == "4411" and canvas_id_of({}, where="a.yml") == ""
    with pytest.raises(LmsImportError, match="a.yml: canvas_id 'LR' is not a Canvas assignment ID"):
        canvas_id_of({"canvas_id": "LR"}, where="a.yml")
    with pytest.raises(ClassSettingsError, match=r'--canvas-column .*"Title \(ID\)"'):
        ClassSettings().updated(canvas_column="Logistic regression")
