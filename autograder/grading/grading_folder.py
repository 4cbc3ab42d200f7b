"""The private folder a grading run works from, and what it hands its workers."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from autograder.assignment import Assignment
from autograder.authoring.reference_data import REFERENCES_FILE
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.judge import Judge
from autograder.sandbox.support_files import worker_setup
from autograder.sandbox.warm_process import WorkerSetup

# The swap-in functions' sources, which only a sandbox's broker reads (after phase one).
REFERENCE_FUNCTIONS_FILE = "reference_functions.json"
SUPPORT_FOLDER_PREFIX = "autograder-support-"


class GradingFolder:
    """A temporary folder (0700) with the autograder zip's support files.

    The expected outputs never reach it: the references file is left in the
    zip, read from memory by the judge only (in reduced mode a sandbox can
    read whatever this user can). The reference functions get a file of their
    own (0600): workers open it, and each sandbox's broker reads it once phase
    one is committed.
    """

    def __init__(self, autograder: AutograderZip):
        self.autograder = autograder
        self._scratch = tempfile.TemporaryDirectory(prefix=SUPPORT_FOLDER_PREFIX)
        self.path = Path(self._scratch.name)
        autograder.extract_support(self.path, skip=(REFERENCES_FILE,))
        self.reference_functions = self.path / REFERENCE_FUNCTIONS_FILE
        self.reference_functions.write_text(json.dumps(autograder.references.sources()), encoding="utf-8")
        os.chmod(self.reference_functions, 0o600)

    def judge(self) -> Judge:
        return Judge(self.autograder, self.path)

    def worker_setup(self, assignment: Assignment) -> WorkerSetup:
        """What the workers get: the probes and inputs only (``ProbePlan``), and the reference functions' file."""
        return worker_setup(
            self.path,
            self.autograder.references.inputs_only(),
            self.reference_functions,
            assignment.student_dir / assignment.source_notebook.name,
        )

    def __enter__(self) -> "GradingFolder":
        return self

    def __exit__(self, *exc) -> None:
        self._scratch.cleanup()
