"""The TA's term as the issue found it, run as an ordinary user on a laptop left on UTC: a Moodle
download with a grading worksheet against a +08:00 due time, then two students' corrections, both
named logistic_regression.ipynb, graded one after the other, then written marks folded in by merge.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from tests.test_class_term import EXAMPLES, _with_identity
from tests.unprivileged import as_user, give_tree, needs_root

pytestmark = [pytest.mark.slow, needs_root]
ROSTER = "学号,姓名,participant id\n2024007,周杰,1007\n2024008,刘洋,1008\n"
WORKSHEET = (
    'Identifier,"Full name","ID number",Status,"Last modified (submission)"\n'
    '"Participant 1007",周杰,2024007,"Submitted for grading","Friday, 20 November 2026, 8:40 PM"\n'
    '"Participant 1008",刘洋,2024008,"Submitted for grading","Friday, 20 November 2026, 11:30 PM"\n'
)


def _rows(path: Path) -> dict[str, dict]:
    return {row["student_id"]: row for row in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")))}


def test_an_ordinary_user_on_utc_regrades_two_same_named_corrections_and_loses_nothing(assignment):
    folder = Path(tempfile.mkdtemp(prefix="ta-term-", dir="/tmp"))
    try:
        shutil.copytree(assignment.root, folder / "project", ignore=shutil.ignore_patterns(".venv"))
        download = folder / "download"
        _with_identity(
            EXAMPLES / "loss_no_clamp.ipynb",
            download / "周杰_1007_assignsubmission_file_" / "logistic_regression.ipynb",
        )
        _with_identity(
            EXAMPLES / "train_rebinds_w.ipynb",
            download / "刘洋_1008_assignsubmission_file_" / "logistic_regression.ipynb",
        )
        for name, number in (("周杰", "2024007"), ("刘洋", "2024008")):
            _with_identity(
                EXAMPLES / "correct_course_style.ipynb",
                folder / "regrade" / f"{name}_corrected" / "logistic_regression.ipynb",
                name=name,
                student_id=number,
            )
        (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
        (folder / "worksheet.csv").write_text(WORKSHEET, encoding="utf-8")
        give_tree(folder)

        def term() -> dict:
            os.environ["TZ"] = "UTC"
            time.tzset()
            common = ["--root", str(folder / "project")]
            out = ["-a", assignment.name, "-o", str(folder / "out")]
            runs = [
                [
                    "grade",
                    str(download),
                    *out,
                    "--roster",
                    str(folder / "roster.csv"),
                    "--times",
                    str(folder / "worksheet.csv"),
                    "--due",
                    "2026-11-20T23:59:00+08:00",
                    "--late-policy",
                    "penalty=0.1,per=day",
                    "--export",
                    "moodle",
                    "--timeout",
                    "60",
                ],
                [
                    "grade",
                    str(folder / "regrade" / "周杰_corrected" / "logistic_regression.ipynb"),
                    *out,
                    "--timeout",
                    "60",
                ],
                [
                    "grade",
                    str(folder / "regrade" / "刘洋_corrected" / "logistic_regression.ipynb"),
                    *out,
                    "--timeout",
                    "60",
                ],
                ["merge", *out],
            ]
            said = []
            for run in runs:
                ran = CliRunner().invoke(main, [*common, *run])
                said.append(ran.output)
                if ran.exit_code != 0:
                    break
            return {"said": said}

        outcome = as_user(term, timeout=900)
        assert outcome.result is not None, outcome.problem
        said = outcome.result["said"]
        assert len(said) == 4, said[-1]
        assert (
            "2024007 周杰: 周杰_corrected/logistic_regression.ipynb counts now, in place of "
            "周杰_1007_assignsubmission_file_/logistic_regression.ipynb" in said[1]
        )
        assert "2024008 刘洋: 刘洋_corrected/logistic_regression.ipynb counts now" in said[2]
        rows = _rows(folder / "out" / "students.csv")
        for number, name, participant in (("2024007", "周杰", "1007"), ("2024008", "刘洋", "1008")):
            # On time: the worksheet's 8:40 PM and 11:30 PM are +08:00, the course's zone, not the laptop's UTC.
            assert (
                rows[number]["file"] == f"{name}_corrected/logistic_regression.ipynb"
                and float(rows[number]["total"]) == 10
            ), rows[number]
            assert (
                rows[number]["other_files"] == f"{name}_{participant}_assignsubmission_file_/logistic_regression.ipynb"
            )
        assert len(list((folder / "out" / "results").glob("*.json"))) == 4, "no result replaced another student's"
        assert "2 students submitted; 4 files graded, 2 of them superseded" in (
            folder / "out" / "summary.html"
        ).read_text(encoding="utf-8")
        sheet = (folder / "out" / "written" / "why_clamp.csv").read_text(encoding="utf-8-sig")
        assert not any(word in sheet for word in ("周杰", "刘洋", "2024007", "2024008", "ipynb"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
