"""What one sandbox's result comes to: the judge's grade of what it sent, or the failure its status
names, with what the grader read of the notebook without running it applied.

The batch grader and the course server both judge here, so the same file gets the same grade in a
batch and online.
"""

from __future__ import annotations

from autograder import sandbox
from autograder.grading.intake.about import About
from autograder.grading.judging.grade import Grade
from autograder.grading.judging.judge import Judge

# A status quotes at most this much of what the student process wrote (it writes the result pipe itself).
QUOTED_CHARS = 160
# After the commit the student process holds the reference functions: a status then says nothing it chose.
FAILED_AFTER_COMMIT = (
    "the notebook's run failed while the reference functions were lent (after its answers were committed)"
)


def judged(judge: Judge, file: str, digest: str, result: sandbox.Result, about: About | None) -> Grade:
    """``file``'s grade from what its sandbox sent, with ``about`` (what was read of it) applied; a kit bug
    or a forged report costs this file only."""
    try:
        if result.status == "ok":
            grade = judge.grade(file, digest, result.committed, result.data)
        else:
            grade = judge.failed(file, digest, status_text(result))
    except Exception as error:
        grade = judge.failed(
            file,
            digest,
            f"crash: the grader could not judge this submission ({type(error).__name__}: {str(error)[:120]})",
        )
    return about.applied_to(grade) if about else grade


def status_text(result: sandbox.Result) -> str:
    labels = {
        "timeout": "timeout",
        "memory": "memory",
        "crash": "crash",
        "error": "crash",
        "signal": "killed by signal",
    }
    label = labels.get(result.status, result.status)
    if result.committed is not None and result.status in ("error", "crash", "signal"):
        return f"{label}: {FAILED_AFTER_COMMIT}"
    if result.status == "error":
        last = result.data.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        return f"crash: the grader's run of the notebook failed ({last[0][:QUOTED_CHARS]})"
    return f"{label}: {result.detail[:QUOTED_CHARS]}"
