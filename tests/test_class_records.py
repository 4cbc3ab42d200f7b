"""A TA's class records on their own: LMS download names, the roster, late work, similar submissions."""

from __future__ import annotations

import datetime as dt

import pytest

from autograder.grading.intake.answer_code import answer_names, graded_code
from autograder.grading.intake.lms_names import LmsName, lms_name
from autograder.grading.records.late import LatePolicy, LatePolicyError
from autograder.grading.records.roster import Claim, Roster, RosterError, match
from autograder.grading.records.time_words import duration_words, shown_time
from autograder.grading.similarity.similar_pairs import clusters, similar_pairs
from tests.conftest import PROJECT
from tests.corpus import honest

# LMS download names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("Zhang San_12345_assignsubmission_file_/logistic_regression.ipynb", LmsName("moodle", "12345", "Zhang San")),
        ("张三_987_assignsubmission_file_/work/lab.zip", LmsName("moodle", "987", "张三")),
        ("zhangsan_12345_67890_logistic_regression.ipynb", LmsName("canvas", "12345", "zhangsan")),
        ("zhangsan_LATE_12345_67890_logistic_regression-1.ipynb", LmsName("canvas", "12345", "zhangsan", late=True)),
        ("logistic_regression.ipynb", None),
        ("2023001_张三.ipynb", None),
    ],
)
def test_lms_download_names_say_whose_file_it_is(file, expected):
    assert lms_name(file) == expected


# The roster --------------------------------------------------------------------------------------


def _roster(tmp_path, text: str, *, bom: bool = False) -> Roster:
    path = tmp_path / "roster.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return Roster.read(path)


def test_a_canvas_gradebook_export_is_a_roster(tmp_path):
    roster = _roster(
        tmp_path,
        "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1\n    Points Possible,,,,,10\nZhang "
        "San,12345,2023001,zhangsan,A,\nLi Si,12346,2023002,lisi,B,\n",
        bom=True,
    )
    assert [(s.name, s.lms_id, s.student_id, s.login, s.section) for s in roster.students] == [
        ("Zhang San", "12345", "2023001", "zhangsan", "A"),
        ("Li Si", "12346", "2023002", "lisi", "B"),
    ]


def test_a_chinese_roster_is_a_roster(tmp_path):
    roster = _roster(tmp_path, "学号,姓名,班级\n2023001,张三,一班\n")
    assert (
        roster.students[0].student_id == "2023001"
        and roster.students[0].name == "张三"
        and roster.students[0].section == "一班"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email\na@b.c\n", "no column for the student number or the name"),
        ("学号,姓名\n1,甲\n1,乙\n", "student number 1 appears twice"),
        ("", "empty"),
    ],
)
def test_a_roster_that_cannot_be_read_says_why(tmp_path, text, message):
    with pytest.raises(RosterError, match=message):
        _roster(tmp_path, text)


def test_submissions_are_matched_to_students(tmp_path):
    roster = _roster(
        tmp_path,
        "Student,ID,SIS User ID,SIS Login ID,Section\nZhang San,12345,2023001,zhangsan,A\nLi "
        "Si,12346,2023002,lisi,A\nWang Wu,12347,2023003,wangwu,B\n",
    )
    claims = [
        Claim("canvas/zhangsan_12345_1_lab.ipynb", lms_id="12345", login="zhangsan", submitted="2026-12-01T10:00"),
        Claim("canvas/zhangsan_12345_2_lab-1.ipynb", lms_id="12345", login="zhangsan", submitted="2026-12-01T12:00"),
        Claim("mail/li.ipynb", student_id="2023002"),
        Claim("stranger.ipynb", student_id="1999999", name="Nobody"),
        Claim("spoof_12346_3_lab.ipynb", lms_id="12346", student_id="2023003"),
    ]
    result = match(roster, claims)
    assert [claim.file for claim in result.by_student["2023001"]] == [
        "canvas/zhangsan_12345_1_lab.ipynb",
        "canvas/zhangsan_12345_2_lab-1.ipynb",
    ]
    assert result.chosen("2023001").file == "canvas/zhangsan_12345_2_lab-1.ipynb", "the latest counts"
    assert [claim.file for claim in result.by_student["2023002"]] == ["mail/li.ipynb", "spoof_12346_3_lab.ipynb"], (
        "the LMS's word beats the notebook's"
    )
    assert [claim.file for claim in result.unknown] == ["stranger.ipynb"]
    assert [student.student_id for student in result.missing] == ["2023003"]
    assert [(claim.file, theirs.student_id, claimed.student_id) for claim, theirs, claimed in result.conflicts] == [
        ("spoof_12346_3_lab.ipynb", "2023002", "2023003")
    ]


def test_a_name_matches_only_when_one_student_has_it(tmp_path):
    roster = _roster(tmp_path, "学号,姓名\n1,张三\n2,李四\n3,李四\n")
    result = match(roster, [Claim("a.ipynb", name="张三"), Claim("b.ipynb", name="李四"), Claim("c.ipynb", name="  ")])
    assert list(result.by_student) == ["1"] and [c.file for c in result.unknown] == ["b.ipynb", "c.ipynb"]


# Late work ---------------------------------------------------------------------------------------

POLICY = {
    "due": "2026-12-01T23:59:00+08:00",
    "grace_minutes": 15,
    "penalty": 0.1,
    "per": "day",
    "cap": 0.3,
    "cutoff": "2026-12-08T23:59:00+08:00",
}


@pytest.mark.parametrize(
    ("submitted", "fraction", "units"),
    [
        ("2026-12-01T20:00:00+08:00", 0.0, 0),
        ("2026-12-02T00:10:00+08:00", 0.0, 0),  # inside the grace period
        ("2026-12-02T00:15:01+08:00", 0.1, 1),  # a day begun counts whole
        ("2026-12-01T17:00:00+00:00", 0.1, 1),  # another zone: 01:00 on the 2nd, +08:00
        ("2026-12-06T00:00:00+08:00", 0.3, 4),  # 4 days begun, capped at 30%
        ("2026-12-09T00:00:00+08:00", 1.0, 0),  # after the cutoff
    ],
)
def test_late_work_costs_what_the_policy_says(submitted, fraction, units):
    cost = LatePolicy.from_config(POLICY, where="assignment.yml").cost(dt.datetime.fromisoformat(submitted))
    assert cost.fraction == pytest.approx(fraction) and cost.units == units
    assert (cost.reason != "") == (fraction > 0)


def test_no_due_time_costs_nothing():
    assert LatePolicy.from_config({}, where="x").cost(dt.datetime(2030, 1, 1)).fraction == 0


BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("submitted", "reason"),
    [
        (
            dt.datetime(2026, 12, 2, 0, 15, 4, tzinfo=BEIJING),  # 4 s past the grace period
            "迟交 16 分钟 4 秒，按 1 天计，扣 10%（提交 2026-12-02 00:15:04 +08:00，截止 2026-12-01 23:59 +08:00） / "
            "16 min 4 s late, counted as 1 day: 10% off (submitted 2026-12-02 00:15:04 +08:00, "
            "due 2026-12-01 23:59 +08:00)",
        ),
        (
            dt.datetime(2026, 12, 4, 2, 59, tzinfo=BEIJING),
            "迟交 2 天 3 小时，按 3 天计，扣 30%（提交 2026-12-04 02:59 +08:00，截止 2026-12-01 23:59 +08:00） / "
            "2 days 3 h late, counted as 3 days: 30% off (submitted 2026-12-04 02:59 +08:00, "
            "due 2026-12-01 23:59 +08:00)",
        ),
    ],
    ids=["seconds-past-grace", "days-and-hours"],
)
def test_the_late_reason_says_how_late_and_what_it_counts_as(submitted, reason):
    assert LatePolicy.from_config(POLICY, where="assignment.yml").cost(submitted).reason == reason


def test_four_seconds_late_reads_as_four_seconds_counted_as_one_day():
    """Both times read "23:59" and the reason said "1 day late": a student saw a penalty for nothing."""
    policy = LatePolicy.from_config(
        {"due": "2026-12-01T23:59:00+08:00", "penalty": 0.1}, where="assignment.yml", zone=BEIJING
    )
    cost = policy.cost(dt.datetime(2026, 12, 1, 23, 59, 4, tzinfo=BEIJING))
    assert (cost.units, cost.fraction) == (1, pytest.approx(0.1))
    assert cost.reason.startswith(
        "迟交 4 秒，按 1 天计，扣 10%（提交 2026-12-01 23:59:04 +08:00，截止 2026-12-01 23:59 +08:00）"
    )
    assert cost.reason.endswith(
        " / 4 s late, counted as 1 day: 10% off (submitted 2026-12-01 23:59:04 +08:00, due 2026-12-01 23:59 +08:00)"
    )


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        (dt.datetime(2026, 12, 1, 23, 59, tzinfo=BEIJING), "2026-12-01 23:59 +08:00"),
        (dt.datetime(2026, 12, 1, 23, 59, 4, tzinfo=BEIJING), "2026-12-01 23:59:04 +08:00"),
        (dt.datetime(2026, 12, 1, 23, 59, 0, 300_000, tzinfo=BEIJING), "2026-12-01 23:59:00 +08:00"),
        (dt.datetime(2026, 12, 1, 23, 59), "2026-12-01 23:59"),
    ],
)
def test_a_time_shows_its_seconds_only_when_they_are_not_zero(when, shown):
    assert shown_time(when) == shown


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (dt.timedelta(seconds=4), ("4 秒", "4 s")),
        (dt.timedelta(seconds=0.2), ("1 秒", "1 s")),  # a second begun counts whole, as a unit late does
        (dt.timedelta(minutes=1, seconds=30), ("1 分钟 30 秒", "1 min 30 s")),
        (dt.timedelta(hours=5), ("5 小时", "5 h")),
        (dt.timedelta(days=1, seconds=30), ("1 天 30 秒", "1 day 30 s")),
        (dt.timedelta(days=2, hours=3), ("2 天 3 小时", "2 days 3 h")),
    ],
)
def test_a_duration_reads_in_days_hours_minutes_and_seconds(delta, words):
    assert duration_words(delta) == words


def test_a_moved_due_time_moves_the_cutoff_by_as_much():
    policy = LatePolicy.from_config(POLICY, where="assignment.yml")
    own = policy.due_for(dt.datetime(2026, 12, 3, 23, 59, tzinfo=BEIJING))
    assert own.cutoff - policy.cutoff == own.due - policy.due == own.extension == dt.timedelta(days=2)
    assert policy.moved(dt.timedelta(days=2)) == own
    cost = own.cost(dt.datetime(2026, 12, 9, 0, 0, tzinfo=BEIJING))  # after the class's cutoff, before theirs
    assert cost.fraction == pytest.approx(0.3) and cost.extension == dt.timedelta(days=2)
    assert "截止 2026-12-03 23:59 +08:00，已延期 2 天）" in cost.reason and "extended by 2 days)" in cost.reason


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"penalty": 0.1}, "needs a due time"),
        ({"due": "tomorrow"}, "is not a time"),
        ({"due": "2026-12-01", "per": "week"}, "day or hour"),
        ({"due": "2026-12-01", "penalty": 10}, "between 0 and 1"),
        ({"due": "2026-12-01", "grace": 5}, "unknown late settings"),
    ],
)
def test_a_late_policy_that_cannot_work_says_why(config, message):
    with pytest.raises(LatePolicyError, match=message):
        LatePolicy.from_config(config, where="assignment.yml")


# Similar submissions -----------------------------------------------------------------------------


def _corpus_codes() -> dict[str, str]:
    return {
        entry.name: "\n\n".join(entry.answers.get(q, honest.COURSE_STYLE[q]) for q in honest.POINTS)
        for entry in honest.SUBMISSIONS
    }


def _disguised(code: str) -> str:
    """The same code with other names, comments and layout."""
    renamed = (
        code.replace("losses", "history")
        .replace("loss ", "cost ")
        .replace("loss)", "cost)")
        .replace("loss.", "cost.")
        .replace("epoch", "step")
    )
    return "# written by me\n" + renamed.replace("\n    ", "\n\n    # next\n    ", 5)


def test_a_copy_with_other_names_and_comments_is_flagged_and_independent_work_is_not():
    import nbformat

    template = nbformat.read(
        PROJECT / "student_template" / "logistic_regression" / "logistic_regression.ipynb", as_version=4
    )
    assert answer_names(template) == ["sigmoid", "binary_loss", "train", "accuracy"]
    codes = _corpus_codes()
    codes["copied_tanh"] = _disguised(codes["correct_tanh_sigmoid"])
    codes["copied_optimizer"] = _disguised(codes["correct_optimizer_train"])
    solution = honest.COURSE_STYLE["sigmoid"]
    pairs = similar_pairs(codes, solution=solution)
    assert {(pair.first, pair.second) for pair in pairs} == {
        ("copied_tanh", "correct_tanh_sigmoid"),
        ("copied_optimizer", "correct_optimizer_train"),
    }
    assert all(pair.score > 0.9 for pair in pairs)
    assert clusters(pairs) == [["copied_optimizer", "correct_optimizer_train"], ["copied_tanh", "correct_tanh_sigmoid"]]


def test_graded_code_is_only_the_answer_definitions():
    import nbformat

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import torch\nx = 1"),
            nbformat.v4.new_code_cell("def f(a):\n    return a\n\ndef helper():\n    pass"),
            nbformat.v4.new_code_cell("def f(a):\n    return 2 * a"),
        ]
    )
    assert graded_code(notebook, ["f"]) == "def f(a):\n    return 2 * a"


# Written answers ---------------------------------------------------------------------------------


def test_written_answers_are_read_from_between_otters_markers():
    import nbformat

    from autograder.grading.records.written import written_answers

    template = nbformat.read(
        PROJECT / "student_template" / "logistic_regression" / "logistic_regression.ipynb", as_version=4
    )
    assert written_answers(template, ["why_clamp"]) == {"why_clamp": ""}, "the placeholder is no answer"
    answer = next(
        cell
        for cell in template.cells
        if "otter_answer_cell" in cell.metadata.get("tags", []) and cell.cell_type == "markdown"
    )
    answer.source = "log(0) 是负无穷 / log(0) is minus infinity"
    assert written_answers(template, ["why_clamp", "absent"]) == {
        "why_clamp": "log(0) 是负无穷 / log(0) is minus infinity",
        "absent": "",
    }


def test_answers_are_shuffled_the_same_way_every_time_and_marks_read_back_through_the_key(tmp_path):
    from autograder.grading.records.written import (
        WrittenMarksError,
        answer_key,
        marks_sheet,
        ordered,
        read_key,
        read_marks,
    )

    answers = {f"s{i}.ipynb": (f"20230{i}", f"student {i}", f"answer {i}") for i in range(8)}
    first, again = ordered("why", answers), ordered("why", dict(reversed(list(answers.items()))))
    assert first == again and [a.label for a in first] == [f"A{i:02d}" for i in range(1, 9)]
    assert [a.file for a in first] != sorted(answers), "shuffled, so a TA does not mark in name order"
    assert [a.file for a in ordered("other question", answers)] != [a.file for a in first]
    sheet, key_file = tmp_path / "why.csv", tmp_path / "written_key.csv"
    sheet.write_text(marks_sheet(first), encoding="utf-8")
    key_file.write_text(answer_key({"why": first}), encoding="utf-8")
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "label,points,comment" and not any(
        name in line for line in lines for name in ("student", "2023", ".ipynb")
    )
    lines[1] = lines[1][:-2] + ",1.5,清楚 clear"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    key = read_key(key_file)["why"]
    marks = read_marks(sheet, possible=2, key=key)
    assert (
        list(marks) == [first[0].file]
        and marks[first[0].file].points == 1.5
        and marks[first[0].file].comment == "清楚 clear"
    )
    lines[2] = lines[2][:-2] + ",3,"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(WrittenMarksError, match="line 3: points 3 is outside 0..2"):
        read_marks(sheet, possible=2, key=key)
    with pytest.raises(WrittenMarksError, match="label 'A01' is in no key"):
        read_marks(sheet, possible=3)


def test_a_label_stays_with_its_submission_and_is_never_given_again():
    from autograder.grading.records.written import ordered, retired

    first = ordered("why", {f"s{i}.ipynb": ("", "", "") for i in range(4)})
    key = {answer.label: answer for answer in first}
    dropped = first[1].file  # superseded by a correction
    later = ordered(
        "why", {**{a.file: ("", "", "") for a in first if a.file != dropped}, "correction.ipynb": ("", "", "")}, key
    )
    assert {a.file: a.label for a in later if a.file != "correction.ipynb"} == {
        a.file: a.label for a in first if a.file != dropped
    }
    assert [a.label for a in later if a.file == "correction.ipynb"] == ["A05"], (
        "after the highest label given, not the freed A02"
    )
    assert [a.file for a in retired(later, key)] == [dropped]


# The TA's pages ----------------------------------------------------------------------------------


def test_the_index_allows_its_own_script_only_and_escapes_every_name():
    import base64
    import hashlib
    import re as regex

    from autograder.grading.pages.ta_pages import SORT_AND_FILTER, index_page
    from autograder.grading.records.class_book import StudentRow

    rows = [
        StudentRow("2023001", "<script>alert(1)</script>", "a<b>.ipynb", raw=8.0, total=7.2, status="Completed"),
        StudentRow("2023002", "李四", status="missing"),
    ]
    html = index_page(rows, assignment="lab", possible=10, pages={"a<b>.ipynb": "feedback/a_b_.ipynb-12.html"})
    policy = regex.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    digest = base64.b64encode(hashlib.sha256(SORT_AND_FILTER.encode()).digest()).decode()
    assert (
        f"script-src 'sha256-{digest}'" in policy
        and "unsafe-inline'; img" in policy
        and "'unsafe-inline'" not in policy.split("script-src")[1]
    )
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1
    assert 'href="feedback/a_b_.ipynb-12.html"' in html and "7.2 / 10" in html and "missing" in html
