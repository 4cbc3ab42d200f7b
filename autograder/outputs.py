"""Write the class-level outputs of a grading run, atomically."""
from __future__ import annotations

import os
from pathlib import Path

from autograder.autograder_zip import AutograderZip
from autograder.feedback import summary_page
from autograder.gradebook import gradebook_csv
from autograder.judging import Grade

GRADEBOOK, SUMMARY = "final_grades.csv", "summary.html"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a kill never leaves half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_class_outputs(grades: list[Grade], autograder: AutograderZip, out: Path, *, assignment: str) -> None:
    write_atomic(out / GRADEBOOK, gradebook_csv(grades, autograder))
    write_atomic(out / SUMMARY, summary_page(grades, autograder, assignment=assignment))
