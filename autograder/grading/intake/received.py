"""A submission read once: its bytes, the digest its result is keyed by, and what the bounded reader
made of it (its notebook, identity, written answers and graded code).

Every step of a run (naming it in OUT, deciding whether its result is still valid, building its
sandbox job) takes this object, so a file is read from disk, hashed and parsed once per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from autograder.grading.intake import submissions
from autograder.grading.intake.reading import Reading

Reader = Callable[[str, bytes], Reading]  # read_submission with the assignment's settings bound


@dataclass
class Received:
    submission: submissions.Submission
    content: bytes
    digest: str  # of the bytes and the autograder zip they are graded with
    reader: Reader = field(repr=False)
    _reading: list[Reading] = field(default_factory=list, repr=False)  # shared by renamed copies

    @classmethod
    def of(cls, submission: submissions.Submission, zip_digest: str, reader: Reader) -> "Received":
        """Read ``submission`` from disk; an unreadable file's bytes say why, and it fails as no notebook."""
        try:
            content = submission.read_bytes()
        except OSError as error:
            content = f"unreadable: {error}".encode()
        return cls(submission, content, submissions.digest(content, zip_digest), reader)

    @property
    def file(self) -> str:
        return self.submission.file

    def renamed(self, submission: submissions.Submission) -> "Received":
        """The same bytes and reading under the name ``submission`` gives it in OUT."""
        return replace(self, submission=submission)

    def reading(self) -> Reading:
        """The notebook and what it says of itself, read in the bounded reader on first use."""
        if not self._reading:
            self._reading.append(self.reader(self.file, self.content))
        return self._reading[0]
