"""``autograder validate``: mutation testing of an assignment's hidden cases (see ``scoring``)."""

from autograder.release.mutation.mutator import Mutant, MutationError, mutate
from autograder.release.mutation.scoring import (
    TARGET_SCORE,
    MutationReport,
    QuestionScore,
    equivalence_of,
    format_report,
    question_definitions,
    validate,
)

__all__ = [
    "TARGET_SCORE",
    "Mutant",
    "MutationError",
    "MutationReport",
    "QuestionScore",
    "equivalence_of",
    "format_report",
    "mutate",
    "question_definitions",
    "validate",
]
