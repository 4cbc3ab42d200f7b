"""``autograder release`` and ``validate``: from one source notebook to a student version, a solution and a zip."""

from autograder.release.pipeline import ReleaseError, ReleaseReport, release

__all__ = ["ReleaseError", "ReleaseReport", "release"]
