"""What the database holds for grading past one machine, beside the embedded schema (``models``).

A worker on another machine reads everything it needs here, never on the server's disk: which
release of each assignment the server grades with (``GradingRelease``), the bytes of every
submission (``SubmissionContent``), and it leaves each grade's feedback page and results file
(``GradedOutput``) for the server to serve. Each worker registers while it runs
(``GradingWorker``), so the server knows how many sandboxes grade each assignment. The tables are
made by the Alembic migrations ``0002_scaled_out_grading`` and ``0004_grading_workers``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autograder.server.models import Base, now


class GradingRelease(Base):
    """An assignment as the server grades it: the digest of its release and the course's limits,
    which every worker must grade with too (the same file gets the same grade on any machine)."""

    __tablename__ = "grading_releases"

    assignment: Mapped[str] = mapped_column(String(200), primary_key=True)
    release_digest: Mapped[str] = mapped_column(String(64))
    timeout: Mapped[float] = mapped_column(Float)
    memory_mb: Mapped[int] = mapped_column(Integer)
    lease_seconds: Mapped[float] = mapped_column(Float)
    published_at: Mapped[dt.datetime] = mapped_column(default=now)


class SubmissionContent(Base):
    """A submission's bytes, copied in when it is queued for a worker elsewhere."""

    __tablename__ = "submission_contents"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class GradedOutput(Base):
    """The feedback page and results file a worker wrote for a submission's latest grade; the server
    writes them into its course folder and marks them collected."""

    __tablename__ = "graded_outputs"
    __table_args__ = (Index("ix_graded_outputs_collected", "collected"),)

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    job_id: Mapped[int] = mapped_column(Integer)
    results: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str] = mapped_column(Text)
    collected: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=now)


class GradingWorker(Base):
    """An ``autograder worker`` process while it runs: where, what it grades, and its sandboxes. It
    renews ``expires_at`` with its leases; a row past it is a worker that stopped without saying so."""

    __tablename__ = "grading_workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # the owner its leases carry
    host: Mapped[str] = mapped_column(String(200))
    assignments: Mapped[str] = mapped_column(Text)  # the names it grades, one per line
    sandboxes: Mapped[int] = mapped_column(Integer)  # submissions it grades at once
    first_slot: Mapped[int] = mapped_column(Integer)  # its slots: first_slot, first_slot + 1, ...
    started_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(default=now)
