"""Bugs a TA found using the class view (roster, times, late policy, exports, written marks).

These tests build grades directly (no grading run), so they are fast; each one fails today
because of the bug its docstring names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from autograder.assignment import AssignmentConfig, AssignmentConfigError
from autograder.grading.judging.grade import Grade
from autograder.grading.records.class_book import UNKNOWN, student_rows
from autograder.grading.records.class_settings import ClassSettings
from autograder.grading.records.exports import students_csv
from autograder.grading.records.late import LatePolicy, parse_time
from autograder.grading.records.lms_imports import canvas_column, canvas_import, moodle_import
from autograder.grading.records.roster import Roster
from autograder.grading.records.times_file import SubmissionTimes, TimesFileError, read_times
from autograder.grading.records.written import Answer, Mark, marks_sheet, read_marks

DUE = "2026-12-01T23:59:00+08:00"
POLICY = LatePolicy(
    due=parse_time(DUE, where="test"),
    penalty=0.1,
    per="day",
    cap=0.5,
    cutoff=parse_time("2026-12-15T00:00:00+08:00", where="test"),
)
SCORES = {"sigmoid": 2.0, "binary_loss": 2.0, "train": 4.0, "accuracy": 2.0}


def _grade(file: str, *, name: str = "", student_id: str = "", total_scale: float = 1.0) -> Grade:
    identity = {key: value for key, value in (("name", name), ("student_id", student_id)) if value}
    return Grade(
        file, "digest-" + file, "Completed", {q: p * total_scale for q, p in SCORES.items()}, identity=identity
    )


def _roster(tmp_path: Path, text: str) -> Roster:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return Roster.read(path)


def _times(tmp_path: Path, text: str) -> SubmissionTimes:
    path = tmp_path / "times.csv"
    path.write_text(text, encoding="utf-8")
    return read_times(str(path))


CANVAS_ROSTER = "学号,姓名,lms_id\n2023001,张三,1001\n2023006,孙八,2006\n"


def test_times_by_student_id_follow_the_matched_student_not_the_notebooks_claim(tmp_path):
    """A times CSV keyed by student number is looked up with the number the *notebook* claims.

    孙八 (authenticated by Canvas as user 2006, submitted after the cutoff) writes 张三's number in
    the identity cell: the LMS rightly makes the row 孙八's, but the time used is 张三's (on time),
    so 孙八 escapes the cutoff. 张三 left the identity cell blank, so 张三's own (late) time is
    never found at all."""
    roster = _roster(tmp_path, CANVAS_ROSTER)
    times = _times(
        tmp_path, "student_id,submitted\n2023001,2026-12-04T20:00:00+08:00\n2023006,2026-12-20T00:00:00+08:00\n"
    )
    grades = [
        _grade("moodle/张三_1001_assignsubmission_file_/lr.ipynb"),  # blank identity cell
        _grade("sunba_LATE_2006_9002_lr.ipynb", name="张三", student_id="2023001"),  # claims 张三's number
    ]
    rows = {row.student_id: row for row in student_rows(grades, roster=roster, late=POLICY, times=times)}
    assert rows["2023006"].file == "sunba_LATE_2006_9002_lr.ipynb", "the LMS decides whose file it is (this part works)"
    assert rows["2023006"].late.fraction == 1.0, f"孙八 submitted after the cutoff, got {rows['2023006'].late}"
    assert rows["2023001"].late.units == 3, f"张三 was 3 days late, got {rows['2023001'].late}"


def test_moodle_folder_name_wins_over_the_notebooks_claim_with_a_school_roster(tmp_path):
    """README: "Where the LMS's name and the notebook's cell disagree, the LMS wins".

    With the school's list as roster (学号, 姓名: no LMS ids, as the README allows), a file in
    孙八's Moodle download folder whose notebook claims 王五's number is credited to 王五 (as a
    second submission, which may be the one that counts) and 孙八 shows as missing."""
    roster = _roster(tmp_path, "学号,姓名\n2023003,王五\n2023006,孙八\n")
    grades = [
        _grade("moodle/王五_1003_assignsubmission_file_/lr.ipynb", name="王五", student_id="2023003"),
        _grade("moodle/孙八_1006_assignsubmission_file_/lr.ipynb", name="王五", student_id="2023003", total_scale=0.1),
    ]
    rows = {row.student_id: row for row in student_rows(grades, roster=roster)}
    assert rows["2023006"].file == "moodle/孙八_1006_assignsubmission_file_/lr.ipynb", (
        "Moodle authenticated 孙八's upload"
    )
    assert rows["2023003"].file == "moodle/王五_1003_assignsubmission_file_/lr.ipynb"
    assert rows["2023003"].others == (), "孙八's upload must not become 王五's second submission"


def test_moodle_export_leaves_out_files_no_roster_student_claims(tmp_path):
    """moodle.csv carries an "unknown student" row with whatever ID number the notebook typed.

    Moodle's "Import grades: CSV" stops the whole import at the first row whose ID number maps to no
    user ("User mapping error"), and a typed number of a student outside this roster would get a grade."""
    roster = _roster(tmp_path, CANVAS_ROSTER)
    grades = [
        _grade("zhangsan.ipynb", name="张三", student_id="2023001"),
        _grade("stranger.ipynb", name="x", student_id="9999999"),
    ]
    rows = student_rows(grades, roster=roster)
    assert any(row.status == UNKNOWN for row in rows)
    moodle = list(csv.DictReader(io.StringIO(moodle_import(rows, title="LR", feedback={}).text.lstrip("\ufeff"))))
    assert "9999999" not in {row["ID number"] for row in moodle}
    canvas = list(csv.reader(io.StringIO(canvas_import(rows, column="LR", possible=10).text.lstrip("\ufeff"))))
    assert "9999999" not in {row[2] for row in canvas}


def test_exports_without_a_roster_have_one_row_per_student(tmp_path):
    """Without --roster every file is a row, so a student with two submissions gets two rows with the
    same ID number and different grades in canvas.csv / moodle.csv; the LMS keeps whichever comes last
    (file-name order), not the submission that counts."""
    grades = [
        _grade("canvas/zhoujiu_2007_9004_lr-1.ipynb", name="周九", student_id="2023007"),
        _grade("canvas/zhoujiu_2007_9003_lr.ipynb", name="周九", student_id="2023007", total_scale=0.5),
    ]
    rows = student_rows(grades)
    moodle = list(csv.DictReader(io.StringIO(moodle_import(rows, title="LR", feedback={}).text.lstrip("\ufeff"))))
    assert [row["ID number"] for row in moodle].count("2023007") == 1, moodle


MOODLE_WORKSHEET = (
    'Identifier,"Full name","ID number","Email address",Status,Grade,"Maximum Grade","Grade can be changed",'
    '"Last modified (submission)","File submissions","Last modified (grade)","Feedback comments"\n'
    '"Participant 1001",张三,2023001,zs@example.cn,"Submitted for grading",,100.00,Yes,"Tuesday, 1 December 2026, 8:00 '
    'PM",lr.ipynb,-,\n'
    '"Participant 1008",吴十,2023008,ws@example.cn,"No submission",,100.00,Yes,-,,-,\n'
)


def test_moodles_grading_worksheet_works_as_it_is(tmp_path):
    """README: "Moodle's grading worksheet works as it is". Moodle writes "Last modified (submission)"
    with userdate() ("Tuesday, 1 December 2026, 8:00 PM") and "-" for no submission; read_times
    accepts ISO 8601 only and stops at line 2."""
    try:
        times = _times(tmp_path, MOODLE_WORKSHEET)
    except TimesFileError as error:
        pytest.fail(f"Moodle's own worksheet was refused: {error}")
    assert times.submitted["2023001"].replace(tzinfo=None) == dt.datetime(2026, 12, 1, 20, 0)
    assert "2023008" not in times.submitted


def test_a_students_own_due_in_the_times_file_is_their_due_not_a_moved_submission_time(tmp_path):
    """An extension moved the student's submission time back instead of their due time, so the
    gradebook showed a time they never submitted at and the class's due, and nothing said an
    extension was given. 张三 has two more days and submitted one day after the class's due time;
    孙八, also two more days, submitted after the class's cutoff but before their own."""
    roster = _roster(tmp_path, CANVAS_ROSTER + "2023007,周九,\n")
    times = _times(
        tmp_path,
        "student_id,submitted,due\n"
        "2023001,2026-12-02T23:59:00+08:00,2026-12-03T23:59:00+08:00\n"
        "2023006,2026-12-16T00:00:00+08:00,2026-12-03T23:59:00+08:00\n"
        "2023007,2026-12-02T23:59:00+08:00,\n",
    )
    grades = [_grade(f"{number}.ipynb", student_id=number) for number in ("2023001", "2023006", "2023007")]
    rows = {row.student_id: row for row in student_rows(grades, roster=roster, late=POLICY, times=times)}
    assert (rows["2023001"].late.fraction, rows["2023001"].total) == (0.0, 10.0)
    assert rows["2023006"].late.fraction == 0.5, "their cutoff moved with their due: late, capped, not zero"
    assert rows["2023007"].late.fraction == pytest.approx(0.1), "a blank due is the class's"
    book = students_csv(list(rows.values()), questions=sorted(SCORES), written=[], possible=10, pages={})
    shown = {row["student_id"]: row for row in csv.DictReader(io.StringIO(book.lstrip("\ufeff")))}
    assert (shown["2023001"]["submitted"], shown["2023001"]["due"], shown["2023001"]["extension"]) == (
        "2026-12-02 23:59 +08:00",
        "2026-12-03 23:59 +08:00",
        "延期 2 天 / extended by 2 days",
    )
    assert (shown["2023007"]["due"], shown["2023007"]["extension"]) == ("2026-12-01 23:59 +08:00", "")
    assert "截止 2026-12-03 23:59 +08:00，已延期 2 天）" in shown["2023006"]["late"]


@pytest.mark.parametrize(
    ("text", "submitted", "due"),
    [
        ("file,due\na.ipynb,2026-12-03T23:59:00+08:00\n", {}, {"a.ipynb": "2026-12-03T23:59:00+08:00"}),
        ("学号,提交时间,截止时间\n2023001,2026-12-02T10:00:00+08:00,\n", {"2023001": "2026-12-02T10:00:00+08:00"}, {}),
        ("file,submitted\na.ipynb,2026-12-02T10:00:00+08:00\n", {"a.ipynb": "2026-12-02T10:00:00+08:00"}, {}),
    ],
    ids=["dues-only", "chinese-headers-blank-due", "times-only"],
)
def test_a_times_file_gives_times_and_own_due_times(tmp_path, text, submitted, due):
    times = _times(tmp_path, text)
    assert {key: when.isoformat() for key, when in times.submitted.items()} == submitted
    assert {key: when.isoformat() for key, when in times.due.items()} == due


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "file,note\na.ipynb,x\n",
            r"提交时间列.*截止时间列.* / .*needs a column .* or with the student's own due time",
        ),
        ("file,submitted,due\na.ipynb,,next friday\n", r"times\.csv, line 2, due: 'next friday' is not a time"),
    ],
    ids=["no-time-column", "bad-due"],
)
def test_a_times_file_that_cannot_be_read_says_where_and_how_to_fix_it(tmp_path, text, message):
    with pytest.raises(TimesFileError, match=message):
        _times(tmp_path, text)


def test_a_ta_comment_survives_the_marks_sheet_round_trip(tmp_path):
    """Marks already entered survive later runs, but their comments do not survive intact:
    a two-line comment (Alt+Enter in Excel) comes back with a literal backslash-n, which the
    student's feedback page then shows."""
    answers = [Answer("A01", "a.ipynb", "2023001", "张三", "text"), Answer("A02", "b.ipynb", "2023002", "李四", "text")]
    sheet = marks_sheet(answers, {"a.ipynb": Mark(1.0, "第一行\n第二行")})
    path = tmp_path / "why_clamp.csv"
    path.write_text(sheet, encoding="utf-8")
    again = read_marks(path, possible=1, key={answer.label: answer for answer in answers})
    assert again["a.ipynb"].comment == "第一行\n第二行", again["a.ipynb"]


def test_canvas_export_fills_the_column_canvas_already_has(tmp_path):
    """A Canvas gradebook export as roster names the assignment's column with Canvas's id; the
    import file must use that header, or Canvas adds a second column instead of filling it."""
    roster = _roster(
        tmp_path,
        "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (4410),Logistic regression (4411)\n"
        "Points Possible,,,,,5,10\n张三,1001,2023001,zs,A,,\n",
    )
    assert roster.students[0].lms_id == "1001"
    column = canvas_column(roster.header, title="逻辑回归 · Logistic regression", name="logistic_regression")
    assert column == "Logistic regression (4411)"
    assert canvas_column(["Student", "ID"], title="LR", name="lr") == "LR"
    rows = student_rows([_grade("a.ipynb", student_id="2023001")], roster=roster)
    header = next(csv.reader(io.StringIO(canvas_import(rows, column=column, possible=10).text.lstrip("\ufeff"))))
    assert header[-1] == "Logistic regression (4411)"


def test_a_conflict_between_lms_and_notebook_is_shown_on_the_row(tmp_path):
    roster = _roster(tmp_path, CANVAS_ROSTER)
    rows = {
        row.student_id: row
        for row in student_rows([_grade("sunba_2006_9002_lr.ipynb", student_id="2023001")], roster=roster)
    }
    assert (
        rows["2023006"].note
        == "notebook 里写的是 2023001，LMS 记录的是 2023006 / notebook claims 2023001, the LMS says 2023006"
    )
    assert rows["2023001"].status == "missing"


def test_the_note_on_a_student_with_two_files_is_in_both_languages():
    (row,) = student_rows([_grade("first.ipynb", student_id="2023001"), _grade("second.ipynb", student_id="2023001")])
    assert (
        row.others
        and row.note
        == "有 2 个文件署名这个学生，以最新的为准：请核对都是本人的 / 2 files name this student; the latest counts: "
        "check they are all theirs"
    )


@pytest.mark.parametrize(
    ("declared", "late", "saved", "expected"),
    [
        (
            "Asia/Shanghai",
            {"due": "2026-11-20T23:59:00+00:00"},
            "+05:30",
            "Asia/Shanghai",
        ),  # declared once for the course
        ("", {"due": "2026-11-20T23:59:00+08:00"}, "+05:30", "+08:00"),  # else the due time's own zone
        ("", {"due": "2026-11-20T23:59:00"}, "+05:30", "+05:30"),  # else what OUT saved
    ],
)
def test_the_course_zone_is_declared_then_the_due_times_then_the_saved_one(declared, late, saved, expected):
    settings = ClassSettings(timezone=saved).in_course_zone(declared, late)
    assert settings.timezone == expected
    due = settings.policy(late, where="assignment.yml").due
    assert due.utcoffset() == dt.datetime(2026, 11, 20, tzinfo=settings.zone).utcoffset()


@pytest.mark.parametrize(("value", "message"), [("Mars/Olympus", "neither a zone name"), (8, "in quotes")])
def test_a_time_zone_that_cannot_be_read_names_the_file(tmp_path, value, message):
    path = tmp_path / "assignment.yml"
    path.write_text(f"timezone: {value}\n", encoding="utf-8")
    with pytest.raises(AssignmentConfigError, match=message) as raised:
        AssignmentConfig.read(path)
    assert str(path) in str(raised.value)
