"""A TA's term with real files: a class folder as LMS downloads and identity cells give it, graded once
with a roster, submission times, a late policy and both LMS exports; then regraded one file at a time,
and written marks folded in with `autograder merge`.

The class (logistic regression, out of 10 autograded points and 1 written):
- 2023001 张三: Moodle's download folder, blank identity cell, correct.
- 2023002 李四: Canvas's download name, correct in another style.
- 2023003 王五: identity cell; `train` rebinds w (an unusual mistake).
- 2023004 赵六: identity cell; 王五's notebook with names and comments changed.
- 2023005 钱七: identity cell; correct, two days late.
- 2023006 孙八: on the roster, submitted nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from tests.corpus import CORPORA
from tests.lms_rules import CanvasCourse, MoodleCourse, Refused, canvas_import, moodle_import

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "submissions" / "logistic_regression"
ROSTER = """学号,姓名,lms_id,section
2023001,张三,1001,A
2023002,李四,1002,A
2023003,王五,,B
2023004,赵六,,B
2023005,钱七,,B
2023006,孙八,,B
"""
DUE = "2026-12-01T23:59:00+08:00"


def _with_identity(
    source: Path, target: Path, *, name: str = "", student_id: str = "", rename: dict[str, str] | None = None
) -> None:
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "STUDENT_ID = " in cell.source:
            cell.source = re.sub(r'STUDENT_NAME = ".*"', f'STUDENT_NAME = "{name}"', cell.source)
            cell.source = re.sub(r'STUDENT_ID = ".*"', f'STUDENT_ID = "{student_id}"', cell.source)
        if rename and "otter_answer_cell" in cell.metadata.get("tags", []):
            for old, new in rename.items():
                cell.source = re.sub(rf"\b{old}\b", new, cell.source)
            cell.source = "# my own work\n" + cell.source.replace("\n    ", "\n    # step\n    ", 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def _read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _grade(root: Path, *args) -> str:
    result = CliRunner().invoke(main, ["--root", str(root), "grade", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def term(releases, shared):
    """(assignment, class folder, OUT, the run's output) of one graded term, once a session; tests copy OUT to change
    it."""
    assert "logistic_regression" in CORPORA
    assignment, _ = releases("logistic_regression")
    return shared.get("class-term", lambda base: _grade_term(assignment, base))


def _grade_term(assignment, base: Path):
    folder = base / "class"
    _with_identity(
        EXAMPLES / "correct_course_style.ipynb",
        folder / "moodle" / "张三_1001_assignsubmission_file_" / "logistic_regression.ipynb",
    )
    _with_identity(
        EXAMPLES / "correct_optimizer_train.ipynb", folder / "canvas" / "lisi_1002_55501_logistic_regression.ipynb"
    )
    _with_identity(EXAMPLES / "train_rebinds_w.ipynb", folder / "wangwu.ipynb", name="王五", student_id="2023003")
    _with_identity(
        EXAMPLES / "train_rebinds_w.ipynb",
        folder / "zhaoliu.ipynb",
        name="赵六",
        student_id="2023004",
        rename={"losses": "history", "epoch": "step", "loss": "cost", "mask": "chosen", "log_likelihood": "ll"},
    )
    _with_identity(EXAMPLES / "correct_tanh_sigmoid.ipynb", folder / "qianqi.ipynb", name="钱七", student_id="2023005")
    roster = base / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    times = base / "times.csv"
    times.write_text(
        "file,submitted\nqianqi.ipynb,2026-12-03T10:00:00+08:00\nwangwu.ipynb,2026-12-01T20:00:00+08:00\n",
        encoding="utf-8",
    )
    out = base / "out"
    output = _grade(
        assignment.root,
        folder,
        "-a",
        "logistic_regression",
        "-o",
        out,
        "--roster",
        roster,
        "--times",
        times,
        "--due",
        DUE,
        "--late-policy",
        "penalty=0.1,per=day,cap=0.5",
        "--export",
        "canvas",
        "--export",
        "moodle",
    )
    return assignment, folder, out, output


def _students(out: Path) -> dict[str, dict]:
    return {row["student_id"]: row for row in _read_csv(out / "students.csv")}


def test_lms_downloads_and_identity_cells_map_to_roster_students(term):
    _, _, out, output = term
    rows = _students(out)
    assert sorted(rows) == ["2023001", "2023002", "2023003", "2023004", "2023005", "2023006"]
    assert rows["2023001"]["file"] == "moodle/张三_1001_assignsubmission_file_/logistic_regression.ipynb"
    assert rows["2023002"]["file"] == "canvas/lisi_1002_55501_logistic_regression.ipynb"
    assert rows["2023003"]["file"] == "wangwu.ipynb" and rows["2023004"]["file"] == "zhaoliu.ipynb"
    assert rows["2023006"]["status"] == "missing" and float(rows["2023006"]["total"]) == 0
    assert float(rows["2023001"]["raw_score"]) == 10 and float(rows["2023003"]["raw_score"]) == 8
    assert "1 missing" in output and "0 unknown" in output


def test_students_csv_opens_in_excel_and_links_each_page(term):
    _, _, out, _ = term
    assert (out / "students.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for row in _read_csv(out / "students.csv"):
        if row["file"]:
            assert (out / row["feedback_page"]).is_file(), row


def test_canvas_export_has_canvas_import_columns(term):
    _, _, out, _ = term
    rows = list(csv.reader(io.StringIO((out / "canvas.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] and len(rows[0]) == 6
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 11  # 10 autograded + 1 written
    by_sis = {row[2]: row for row in rows[2:]}
    assert by_sis["2023002"][1] == "1002" and by_sis["2023002"][0] == "李四"
    assert float(by_sis["2023006"][5]) == 0


def test_moodle_export_keys_rows_by_id_number(term):
    _, _, out, _ = term
    rows = _read_csv(out / "moodle.csv")
    assert set(rows[0]) >= {"Full name", "ID number", "Feedback"}
    assert {row["ID number"] for row in rows} == {"2023001", "2023002", "2023003", "2023004", "2023005", "2023006"}


CANVAS = CanvasCourse(  # the course as Canvas holds it: user ids, SIS user ids (the student numbers), one assignment
    students={
        "1001": ("张三", "2023001", "zhangsan"),
        "1002": ("李四", "2023002", "lisi"),
        "1003": ("王五", "2023003", "wangwu"),
        "1004": ("赵六", "2023004", "zhaoliu"),
        "1005": ("钱七", "2023005", "qianqi"),
        "1006": ("孙八", "2023006", "sunba"),
    },
    assignments={"4410": "Quiz 1", "4411": "Logistic regression"},
    scores={"1006": "3"},
)
MOODLE = MoodleCourse(
    {"2023001", "2023002", "2023003", "2023004", "2023005", "2023006"},
    feedback={"2023003": "交了纸质版 · handed in on paper"},
)


def test_without_a_canvas_id_the_ta_is_told_canvas_would_add_an_assignment(term):
    _, _, out, output = term
    with pytest.raises(Refused, match="Canvas would create a new one"):
        canvas_import((out / "canvas.csv").read_text(encoding="utf-8-sig"), CANVAS)
    assert "names no Canvas assignment ID, so Canvas adds a new assignment" in output


def test_the_lms_files_import_without_edits_and_erase_nothing_unasked(term, tmp_path):
    assignment, _, graded, _ = term
    out = shutil.copytree(graded, tmp_path / "out")
    stranger = json.loads((out / "results" / "wangwu.ipynb.json").read_text(encoding="utf-8"))
    stranger["extra_data"]["kit"].update(
        file="stranger.ipynb", identity={"student_id": "9999999", "name": "陌生人"}, source=""
    )
    (out / "results" / "stranger.ipynb.json").write_text(json.dumps(stranger), encoding="utf-8")
    said = _merge(
        assignment.root, out, "--canvas-column", "逻辑回归 · Logistic regression (4411)", "--missing-grade", "blank"
    )
    assert "canvas.csv leaves out 1 row(s):\n  9999999 陌生人 (stranger.ipynb): no roster student claims it" in said
    assert "moodle.csv leaves out 1 row(s):\n  9999999 陌生人 (stranger.ipynb)" in said
    students = _students(out)
    final = {
        number: row["total"] if row["file"] else "" for number, row in students.items() if number in MOODLE.id_numbers
    }

    assignment_id, scores = canvas_import((out / "canvas.csv").read_text(encoding="utf-8-sig"), CANVAS)
    by_user = {user: student[1] for user, student in CANVAS.students.items()}
    assert assignment_id == "4411"
    assert {by_user[user]: score and float(score) for user, score in scores.items()} == {
        number: total and float(total) for number, total in final.items()
    }
    assert scores["1006"] == "", "孙八 submitted nothing: blank, as the TA chose"

    title = next(
        column for column in _read_csv(out / "moodle.csv")[0] if column not in ("Full name", "ID number", "Feedback")
    )
    after = moodle_import(
        (out / "moodle.csv").read_text(encoding="utf-8"), MOODLE, map_from="ID number", grade_column=title
    )
    assert {number: grade and float(grade) for number, grade in after.grades.items()} == {
        number: total and float(total) for number, total in final.items()
    }
    assert all(after.feedback[number] for number in MOODLE.id_numbers), (
        "no feedback cell is empty: Moodle would erase what is there"
    )
    assert (
        after.feedback["2023005"].startswith("自动评分 10/10 · autograded 10/10 | ")
        and "counted as 2 days: 20% off" in after.feedback["2023005"]
    )
    assert after.feedback["2023006"] == "未提交 · no submission"


def test_a_shards_import_files_leave_other_shards_students_out(term, tmp_path):
    from autograder.grading.judging.autograder_zip import AutograderZip
    from autograder.grading.records.class_outputs import rebuild_class_outputs
    from autograder.grading.records.class_settings import ClassSettings

    assignment, _, graded, _ = term
    out = shutil.copytree(graded, tmp_path / "out")
    for name in ("wangwu.ipynb", "zhaoliu.ipynb"):  # graded by the other shard
        (out / "results" / f"{name}.json").unlink()
    view = rebuild_class_outputs(
        out, AutograderZip.read(assignment.zip_path), assignment, ClassSettings.load(out), shard=True
    )
    numbers = {row[2] for row in csv.reader(io.StringIO((out / "canvas.csv").read_text(encoding="utf-8-sig")))}
    assert numbers >= {"2023001", "2023002", "2023005"} and not numbers & {"2023003", "2023004", "2023006"}
    assert {row["ID number"] for row in _read_csv(out / "moodle.csv")} == {"2023001", "2023002", "2023005"}
    assert "this shard has no file of 3 roster students" in view.imports["canvas"].note


def test_late_submission_shows_its_penalty(term):
    _, _, out, _ = term
    rows = _students(out)
    assert float(rows["2023005"]["raw_score"]) == 10
    assert float(rows["2023005"]["late_penalty"]) == pytest.approx(2.0)  # 2 days late at 10% a day
    assert float(rows["2023005"]["total"]) == pytest.approx(8.0)
    assert float(rows["2023003"]["late_penalty"]) == 0  # on time
    page = (out / rows["2023005"]["feedback_page"]).read_text(encoding="utf-8")
    assert 'id="late"' in page and "counted as 2 days: 20% off" in page
    assert "8 / 11" in page
    on_time = (out / rows["2023003"]["feedback_page"]).read_text(encoding="utf-8")
    assert 'id="late"' not in on_time and "not marked yet" in on_time


def test_similar_submissions_are_flagged_and_independent_ones_are_not(term):
    _, _, out, _ = term
    page = (out / "similarity.html").read_text(encoding="utf-8")
    titles = re.findall(r'<h2 class="pair-title">(.*?)</h2>', page)
    assert any(
        "2023003 王五 · wangwu.ipynb" in title and "2023004 赵六 · zhaoliu.ipynb" in title for title in titles
    ), titles
    assert len(titles) == 1, titles


def test_index_lists_every_student_with_a_link(term):
    _, _, out, _ = term
    page = (out / "index.html").read_text(encoding="utf-8")
    for student_id in ("2023001", "2023006"):
        assert f"<td>{student_id}</td>" in page
    assert page.count('href="feedback/') == 5


def _key(out: Path) -> dict[str, dict]:
    """The why_clamp rows of the written answers' key, by label."""
    return {row["label"]: row for row in _read_csv(out / "written_key.csv") if row["question"] == "why_clamp"}


def _label_of(out: Path, file: str) -> str:
    return next(label for label, row in _key(out).items() if row["file"] == file)


def test_the_marks_sheet_names_no_one_and_its_key_names_everyone_as_the_gradebook_does(term):
    _, _, out, _ = term
    sheet = (out / "written" / "why_clamp.csv").read_text(encoding="utf-8-sig")
    assert sheet.splitlines()[0] == "label,points,comment" and len(sheet.splitlines()) == 1 + 5
    students = _students(out)
    named = [text for row in students.values() for text in (row["student_id"], row["name"], row["file"]) if text]
    assert not [text for text in named if text in sheet], "the sheet names no student, number or file"
    for label, row in _key(out).items():
        assert row["on_sheet"] == "yes" and (
            students[row["student_id"]]["name"],
            students[row["student_id"]]["file"],
        ) == (row["name"], row["file"]), label
    # 张三's notebook and 李四's name no one: the LMS's download names, through the roster, do.
    assert {row["student_id"] for row in _key(out).values()} == {"2023001", "2023002", "2023003", "2023004", "2023005"}


def _summary(out: Path) -> str:
    return re.sub(r"<[^>]+>", " ", (out / "summary.html").read_text(encoding="utf-8"))


def test_the_summary_counts_students_once_at_their_final_scores(term):
    _, _, out, _ = term
    page = _summary(out)
    assert "5 students submitted; 1 on the roster did not; 5 files graded" in page
    rows = [row for row in _students(out).values() if row["file"]]
    final, raw = (sum(float(row[column]) for row in rows) / len(rows) for column in ("total", "raw_score"))
    assert final != raw, "钱七 is late: the mean must count the penalty"
    assert f"mean {final:.2f} / 11; written answers marked for 0 of 5" in page


def test_written_marks_merge_into_the_gradebook_and_feedback(term, tmp_path):
    assignment, _, graded, _ = term
    out = tmp_path / "out"
    shutil.copytree(graded, out)
    sheet = out / "written" / "why_clamp.csv"
    rows = _read_csv(sheet)
    assert len(rows) == 5 and all(row["points"] == "" for row in rows)
    label = _label_of(out, "wangwu.ipynb")
    for row in rows:
        if row["label"] == label:
            row["points"], row["comment"] = "1", "对 · right"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_text(buffer.getvalue(), encoding="utf-8")
    before = (out / "students.csv").read_bytes()
    _merge(assignment.root, out)
    student = _students(out)["2023003"]
    assert float(student["why_clamp"]) == 1 and float(student["total"]) == 9
    page = (out / student["feedback_page"]).read_text(encoding="utf-8")
    assert "对 · right" in page and "9 / 11" in page
    assert {row["label"]: row["points"] for row in _read_csv(sheet)}[label] == "1", "the TA's mark is kept"
    totals = [float(row["total"]) for row in _students(out).values() if row["file"]]
    assert f"mean {sum(totals) / len(totals):.2f} / 11; written answers marked for 1 of 5" in _summary(out), (
        "the written mark counts in the summary"
    )
    assert (out / "students.previous.csv").read_bytes() == before, "the gradebook before the marks is kept"
    _merge(assignment.root, out)
    assert (out / "students.previous.csv").read_bytes() == before, (
        "an unchanged run keeps the previous version, not a copy of the current"
    )


def test_regrading_one_file_at_a_time_keeps_every_row(term, tmp_path):
    assignment, folder, graded, _ = term
    out = tmp_path / "out"
    shutil.copytree(graded, out)
    before = (out / "final_grades.csv").read_text(encoding="utf-8")
    for name in ("wangwu.ipynb", "qianqi.ipynb"):
        output = _grade(assignment.root, folder / name, "-a", "logistic_regression", "-o", out, "--force")
        assert "graded 1, reused 0" in output
        assert len(_read_csv(out / "final_grades.csv")) == 1 + 5  # the points row, then every file
        assert sorted(_students(out)) == ["2023001", "2023002", "2023003", "2023004", "2023005", "2023006"]
    assert float(_students(out)["2023005"]["late_penalty"]) == pytest.approx(2.0), (
        "the saved roster, times and policy still apply"
    )
    assert (out / "final_grades.csv").read_text(encoding="utf-8") == before, "the same grades again"
    unchanged = _grade(assignment.root, folder / "wangwu.ipynb", "-a", "logistic_regression", "-o", out)
    assert "graded 0, reused 1" in unchanged


WORKSHEET = (  # Moodle's grading worksheet as it downloads: times in the course's zone, written without one
    'Identifier,"Full name","ID number","Email address",Status,Grade,"Maximum Grade","Grade can be changed","Last '
    'modified (submission)",'
    '"File submissions","Last modified (grade)","Feedback comments"\n'
    '"Participant 1001",张三,2023001,zs@example.cn,"Submitted for grading",,100.00,Yes,"Friday, 20 November 2026, 8:40 '
    'PM",lr.ipynb,-,\n'
    '"Participant 1002",李四,2023002,ls@example.cn,"Submitted for grading",,100.00,Yes,"Friday, 20 November 2026, '
    '11:30 PM",lr.ipynb,-,\n'
    '"Participant 1003",王五,2023003,ww@example.cn,"Submitted for grading",,100.00,Yes,"Saturday, 21 November 2026, '
    '7:30 AM",lr.ipynb,-,\n'
    '"Participant 1004",赵六,2023004,zl@example.cn,"Submitted for grading",,100.00,Yes,"Friday, 20 November 2026, '
    '10:05 PM",lr.ipynb,-,\n'
    '"Participant 1005",钱七,2023005,qq@example.cn,"Submitted for grading",,100.00,Yes,"Sunday, 22 November 2026, 9:00 '
    'AM",lr.ipynb,-,\n'
    '"Participant 1006",孙八,2023006,sb@example.cn,"No submission",,100.00,Yes,-,,-,\n'
)


@pytest.fixture
def utc_machine(monkeypatch):
    """This process's clock set to UTC, as on a server or a laptop left on UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _merge(root: Path, out: Path, *args) -> str:
    result = CliRunner().invoke(
        main,
        ["--root", str(root), "merge", "-a", "logistic_regression", "-o", str(out), *map(str, args)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_moodle_worksheet_is_read_in_the_courses_zone_on_a_utc_machine(term, tmp_path, utc_machine):
    assignment, _, graded, _ = term
    out = shutil.copytree(graded, tmp_path / "out")
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text(WORKSHEET, encoding="utf-8")
    _merge(assignment.root, out, "--times", worksheet, "--due", "2026-11-20T23:59:00+08:00")
    expected = {"2023001": 0, "2023002": 0, "2023003": 1, "2023004": 0, "2023005": 2}  # days late, read at +08:00
    for attempt in ("first merge", "a later merge with nothing passed"):
        rows = _students(out)
        assert {
            number: round(float(rows[number]["late_penalty"]) / (0.1 * float(rows[number]["raw_score"])))
            for number in expected
        } == expected, attempt
        assert (
            rows["2023001"]["submitted"] == "2026-11-20 20:40 +08:00"
            and rows["2023001"]["due"] == "2026-11-20 23:59 +08:00"
        ), attempt
        assert "submitted 2026-11-21 07:30 +08:00, due 2026-11-20 23:59 +08:00" in rows["2023003"]["late"], attempt
        _merge(assignment.root, out)
    assert json.loads((out / "class.json").read_text(encoding="utf-8"))["timezone"] == "+08:00"


def test_a_students_own_due_in_the_times_file_moves_their_due_not_their_submission(term, tmp_path):
    """钱七 has a two-day extension and submitted one day after the class's due time: no penalty, and the
    gradebook, the feedback page and the LMS file show when they submitted and their own due time."""
    assignment, _, graded, _ = term
    out = shutil.copytree(graded, tmp_path / "out")
    times = tmp_path / "times.csv"
    times.write_text(
        "student_id,submitted,due\n2023005,2026-12-02T23:59:00+08:00,2026-12-03T23:59:00+08:00\n", encoding="utf-8"
    )
    _merge(assignment.root, out, "--times", times)
    row = _students(out)["2023005"]
    assert (row["late_penalty"], row["total"], row["late"]) == ("0.0", "10.0", "")
    assert (row["submitted"], row["due"], row["extension"]) == (
        "2026-12-02 23:59 +08:00",
        "2026-12-03 23:59 +08:00",
        "延期 2 天 / extended by 2 days",
    )
    page = (out / row["feedback_page"]).read_text(encoding="utf-8")
    assert 'id="late"' not in page and "on time: submitted 2026-12-02 23:59 +08:00, due 2026-12-03 23:59 +08:00" in page
    moodle = {line["ID number"]: line for line in _read_csv(out / "moodle.csv")}
    assert "late" not in moodle["2023005"]["Feedback"] and moodle["2023005"]["Feedback"]


def test_two_same_named_corrections_graded_one_after_the_other_keep_both_rows(term, tmp_path):
    assignment, _, graded, _ = term
    out = shutil.copytree(graded, tmp_path / "out")
    before = _students(out)
    wangwu = tmp_path / "regrade" / "王五_corrected" / "logistic_regression.ipynb"
    zhaoliu = tmp_path / "regrade" / "赵六_corrected" / "logistic_regression.ipynb"
    _with_identity(EXAMPLES / "correct_course_style.ipynb", wangwu, name="王五", student_id="2023003")
    _with_identity(EXAMPLES / "correct_optimizer_train.ipynb", zhaoliu, name="赵六", student_id="2023004")
    said = [_grade(assignment.root, wangwu, "-a", "logistic_regression", "-o", out)]
    gradebook = (out / "final_grades.csv").read_bytes()
    said.append(_grade(assignment.root, zhaoliu, "-a", "logistic_regression", "-o", out))
    _merge(assignment.root, out)
    assert (out / "final_grades.previous.csv").read_bytes() == gradebook, "the gradebook before the last change is kept"
    assert "2023003 王五: 王五_corrected/logistic_regression.ipynb counts now, in place of wangwu.ipynb" in said[0]
    assert "2023004 赵六: 赵六_corrected/logistic_regression.ipynb counts now, in place of zhaoliu.ipynb" in said[1]
    rows = _students(out)
    for number, correction, original in (
        ("2023003", "王五_corrected", "wangwu.ipynb"),
        ("2023004", "赵六_corrected", "zhaoliu.ipynb"),
    ):
        assert (
            rows[number]["file"] == f"{correction}/logistic_regression.ipynb" and float(rows[number]["raw_score"]) == 10
        ), rows[number]
        assert rows[number]["other_files"] == original
    assert all(rows[number] == before[number] for number in ("2023001", "2023002", "2023005", "2023006")), (
        "no other row changes"
    )
    files = [row["file"] for row in _read_csv(out / "final_grades.csv")[1:]]
    assert len(files) == 7 and {
        "王五_corrected/logistic_regression.ipynb",
        "赵六_corrected/logistic_regression.ipynb",
        "wangwu.ipynb",
        "zhaoliu.ipynb",
    } <= set(files)
    # The superseded files leave the marks sheet; their labels stay in the key, never given again.
    assert len(_read_csv(out / "written" / "why_clamp.csv")) == 5
    key, first = _key(out), _key(graded)
    assert {row["file"]: row["on_sheet"] for row in key.values() if row["on_sheet"] == "no"} == {
        "wangwu.ipynb": "no",
        "zhaoliu.ipynb": "no",
    }
    assert all(key[label]["file"] == row["file"] for label, row in first.items()), "every label kept its submission"
    assert sorted(label for label in key if label not in first) == ["A06", "A07"]
    assert (
        "5 students submitted; 1 on the roster did not; 7 files graded, 2 of them superseded by another of the same "
        "student's and left out" in _summary(out)
    )


def test_a_class_folder_of_the_previous_layout_still_merges(term, tmp_path):
    """Results and class.json written before results kept where a file came from, who named it and the zone."""
    assignment, _, graded, _ = term
    out = shutil.copytree(graded, tmp_path / "out")
    for result in (out / "results").glob("*.json"):
        data = json.loads(result.read_text(encoding="utf-8"))
        for key in ("source", "named_at"):
            data["extra_data"]["kit"].pop(key, None)
        result.write_text(json.dumps(data), encoding="utf-8")
    settings = json.loads((out / "class.json").read_text(encoding="utf-8"))
    settings.pop("timezone")
    (out / "class.json").write_text(json.dumps(settings), encoding="utf-8")
    (out / "written_key.csv").unlink()  # the sheet named its files itself then
    (out / "written" / "why_clamp.csv").write_text(
        "label,file,student_id,name,points,comment\nA01,wangwu.ipynb,2023003,王五,1,对\nA02,qianqi.ipynb,2023005,钱七,,\n",
        encoding="utf-8",
    )
    before = _students(out)
    _merge(assignment.root, out)
    after = _students(out)
    assert float(after["2023003"]["why_clamp"]) == 1 and float(after["2023003"]["total"]) == 9, (
        "the old sheet's mark is folded in"
    )
    assert {number: row for number, row in after.items() if number != "2023003"} == {
        number: row for number, row in before.items() if number != "2023003"
    }
    sheet = {row["label"]: row for row in _read_csv(out / "written" / "why_clamp.csv")}
    assert (
        list(next(iter(sheet.values()))) == ["label", "points", "comment"]
        and sheet[_label_of(out, "wangwu.ipynb")]["points"] == "1"
    )
    assert json.loads((out / "class.json").read_text(encoding="utf-8"))["timezone"] == "+08:00", (
        "the zone is settled from the saved due time"
    )
