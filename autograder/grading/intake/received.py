"""A submission read once: its bytes, the digest its result is keyed by, and what the bounded reader
made of it (its notebook, identity, written answers and graded code).

Every step of a run (naming it in OUT, deciding whether its result is still valid, building its
sandbox job) takes this object, so a file is read from disk, hashed and parsed once per run.

A run hashes every file before it grades any, so holding every file's bytes until its turn would cost
the whole class's size in memory (50 MiB a file is allowed). A run therefore keeps bytes only up to
``HELD_BYTES`` in all; a file past that is read again when its job is built, and graded only if its
bytes still have the digest its result is keyed by.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from autograder.grading.intake import submissions
from autograder.grading.intake.reading import Reading
from autograder.grading.intake.submission_keys import Keyed, key_submissions
from autograder.grading.judging.grade import Grade

Reader = Callable[[str, bytes], Reading]  # read_submission with the assignment's settings bound

HELD_BYTES = 256 * 2**20


class HeldBytes:
    """How many more submission bytes a run may keep between hashing and grading."""

    def __init__(self, limit: int = HELD_BYTES):
        self.left = limit

    def take(self, size: int) -> bool:
        if size > self.left:
            return False
        self.left -= size
        return True


@dataclass
class Received:
    submission: submissions.Submission
    content: bytes | None  # None: past the run's HeldBytes, read again when needed
    digest: str  # of the bytes and the autograder zip they are graded with
    reader: Reader = field(repr=False)
    _reading: list[Reading] = field(default_factory=list, repr=False)  # shared by renamed copies
    zip_digest: str = ""

    @classmethod
    def of(
        cls, submission: submissions.Submission, zip_digest: str, reader: Reader, held: HeldBytes | None = None
    ) -> "Received":
        """Read ``submission`` from disk; an unreadable file's bytes say why, and it fails as no notebook."""
        content = _read(submission)
        digest = submissions.digest(content, zip_digest)
        kept = content if held is None or held.take(len(content)) else None
        return cls(submission, kept, digest, reader, zip_digest=zip_digest)

    @property
    def file(self) -> str:
        return self.submission.file

    def renamed(self, submission: submissions.Submission) -> "Received":
        """The same bytes and reading under the name ``submission`` gives it in OUT."""
        return replace(self, submission=submission)

    @property
    def reading(self) -> Reading:
        """The notebook and what it says of itself, read in the bounded reader on first use (by whichever copy
        asks first: renamed copies share it)."""
        if not self._reading:
            self._reading.append(self.reader(self.file, self._bytes()))
        return self._reading[0]

    def _bytes(self) -> bytes:
        if self.content is not None:
            return self.content
        content = _read(self.submission)
        if submissions.digest(content, self.zip_digest) != self.digest:
            return b"changed on disk while this run graded the class; grade it again"
        return content


def received_and_named(
    found: list[submissions.Submission],
    before: dict[str, Grade],
    *,
    zip_digest: str,
    reader: Reader,
    held: HeldBytes | None = None,
) -> tuple[list[Received], Keyed]:
    """Every file of ``found`` read and hashed once, under the name it gets in OUT (see
    ``autograder.grading.intake.submission_keys``; ``before``: OUT's results by file), in name order; and
    the names, with what the TA should be told of them."""
    received = {_place(submission): Received.of(submission, zip_digest, reader, held) for submission in found}
    keyed = key_submissions(
        found,
        before,
        declared_student=lambda submission: _declared_student(received[_place(submission)]),
        digest_of=lambda submission: received[_place(submission)].digest,
    )
    return [received[_place(submission)].renamed(submission) for submission in keyed.submissions], keyed


def _place(submission: submissions.Submission) -> tuple:
    """What tells a found file apart before it is named for OUT."""
    return submission.path, submission.found_in_folder


def _declared_student(received: Received) -> str:
    """The student number the notebook (or export zip) declares; "" when none can be read."""
    return received.reading.about.identity.get("student_id", "")


def _read(submission: submissions.Submission) -> bytes:
    try:
        return submission.read_bytes()
    except OSError as error:
        return f"unreadable: {error}".encode()
