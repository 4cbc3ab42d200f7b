"""Attack: one huge code cell kills the grader itself.

The grader's own process used to ``ast.parse`` every code cell while reading a submission (its
identity and its definitions), with no size guard: a 1 MiB cell raised it to 1.0 GB, and under a
1.5 GiB memory limit it was SIGKILLed, leaving no gradebook, no students.csv and no index, run
after run. Here the whole grader runs in a 1.5 GiB memory cgroup, as a course server's job would,
on a notebook with a 4 MiB code cell beside an honest one: it must finish, give the huge file a
row of its own that says why, grade the neighbour, and keep its own process small.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.sandbox import cgroups

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[1]
CAP_BYTES = 1536 * 2**20
# The grader's process, not its workers: it prints its own peak RSS. VmHWM, not ru_maxrss: the kernel
# carries a process's maxrss across exec, so ru_maxrss reported the size of the pytest worker the test
# forked from (421 to 431 MB late in a full run, when that worker had loaded torch), not the grader's.
PEAK_LINE = "grader process peak RSS KB: "
MEASURED_GRADER = f"""
import atexit, sys
if __name__ == "__main__":
    def peak():
        return next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    atexit.register(lambda: print("{PEAK_LINE}" + peak(), file=sys.stderr))
    from autograder.cli import main
    main(prog_name="autograder")
"""  # noqa: E501


@pytest.fixture
def memory_cgroup():
    """A cgroup capping memory at CAP_BYTES (v1, or a delegated v2 subtree), removed afterwards."""
    v1, v2 = cgroups._v1_bases().get("memory"), cgroups._v2_base()
    if v1 is None and v2 is None:
        pytest.skip("no writable memory cgroup on this host: the grader cannot be run under a memory cap")
    folder = (v1 or v2) / f"grader_cap_{os.getpid()}"
    folder.mkdir()
    (folder / ("memory.limit_in_bytes" if v1 else "memory.max")).write_text(str(CAP_BYTES))
    yield folder
    cgroups._rmdir(folder)


def test_a_4_mib_cell_costs_its_own_row_and_not_the_grader(releases, memory_cgroup, tmp_path):
    assignment, _ = releases("logistic_regression")
    folder = tmp_path / "submissions"
    folder.mkdir()
    notebook = nbformat.read(assignment.student_dir / "logistic_regression.ipynb", as_version=4)
    huge = "x = [" + "1, " * (4 * 2**20 // 3) + "]\n"
    notebook.cells.append(nbformat.v4.new_code_cell(huge))
    nbformat.write(notebook, folder / "a_huge.ipynb")
    shutil.copy(
        PROJECT / "examples/submissions/logistic_regression/correct_course_style.ipynb", folder / "b_neighbour.ipynb"
    )
    (tmp_path / "grader.py").write_text(MEASURED_GRADER)
    out = tmp_path / "out"

    run = subprocess.run(
        [
            sys.executable,
            str(tmp_path / "grader.py"),
            "--root",
            str(assignment.root),
            "grade",
            str(folder),
            "-a",
            "logistic_regression",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=PROJECT,
        preexec_fn=lambda: (memory_cgroup / "cgroup.procs").write_text("0"),
    )

    assert run.returncode == 0, run.stderr[-2000:]  # -9 without the bound: the cgroup's OOM killer took the grader
    with open(out / "final_grades.csv", encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle) if row["file"] != "points-per-question"}
    assert rows["a_huge.ipynb"]["grading_status"].startswith(
        f"too large: cell {len(notebook.cells)} holds {len(huge):,} characters of code"
    )
    assert float(rows["b_neighbour.ipynb"]["total_points_earned"]) == 10
    for name in ("students.csv", "index.html", "summary.html", "similarity.html"):
        assert (out / name).is_file(), name
    assert "文件超出评分程序读取的上限" in (out / "feedback" / "a_huge.ipynb.html").read_text(encoding="utf-8")
    peak_mb = int(run.stderr.split(PEAK_LINE)[1].split()[0]) / 1024
    assert peak_mb < 400, f"the grader's process peaked at {peak_mb:.0f} MB"  # 1,413 MB when it parsed the cell itself
