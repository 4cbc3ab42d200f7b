"""One submission's grade: what judging produces and every record and page reads.

Its form on disk is the results file's (``autograder.grading.records.results_file``), which alone
writes and reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMPLETED = "Completed"


@dataclass
class CaseOutcome:
    question: str
    name: str
    points: float
    passed: bool
    message: str
    hidden: bool


@dataclass
class Grade:
    """One submission's grade, as written to results/ and the gradebook."""

    file: str
    digest: str
    status: str
    scores: dict[str, float]
    cases: list[CaseOutcome] = field(default_factory=list)
    cell_errors: list[dict] = field(default_factory=list)
    output: str = ""
    variables: dict = field(default_factory=dict)
    # Read from the submission without running it (autograder.grading.intake.about):
    identity: dict = field(default_factory=dict)  # {"name", "student_id"} the notebook or its export declares
    submitted: str = ""  # ISO time the export zip recorded (the student's clock)
    written: dict = field(default_factory=dict)  # written question → the answer's text
    code: str = ""  # the graded definitions, for similarity
    source: str = ""  # the file's absolute path when graded: a regrade by another path keeps its row
    named_at: str = ""  # ISO time the TA last graded this file by name into the class: it then counts for its student

    @property
    def total(self) -> float:
        return sum(self.scores.values())
