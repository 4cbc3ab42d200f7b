"""The course server's database: who may log in, what was received, and the grading queue.

SQLAlchemy 2.0 typed models, portable between SQLite (the embedded default) and PostgreSQL. The
schema is created and changed only by the Alembic migrations in ``migrations/``; a test checks
that they build exactly these tables.

The database, not any queue, is the record of what was received: a submission's row and its
file exist before the student is told "received", and its ``jobs`` row says where its grading is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

STUDENT, STAFF = "student", "staff"
# A submission's life; RECEIVED only between its file reaching the disk and its job being queued.
RECEIVED, QUEUED, RUNNING, GRADED = "received", "queued", "running", "graded"
# A job's life: waiting, leased to a worker until its lease expires, done.
WAITING, LEASED, DONE = "waiting", "leased", "done"


class UTCTime(TypeDecorator):
    """A moment stored in UTC and read back with its zone (SQLite keeps no zone, PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{value}: a time without a zone cannot be stored")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCTime}


def now() -> dt.datetime:
    """The server's clock, which alone decides lateness and limits."""
    return dt.datetime.now(dt.timezone.utc)


# Ids are 64-bit in SQLite and PostgreSQL: a larger one in a URL names no row (and the driver would
# fail on it with a 500 rather than answer).
MAX_ROW_ID = 2**63 - 1


def row_by_id(db, model, row_id: int):
    """The ``model`` row with id ``row_id``, or None, for any integer a URL may carry."""
    return db.get(model, row_id) if 0 < row_id <= MAX_ROW_ID else None


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(200), unique=True)
    student_id: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=STUDENT)
    password_hash: Mapped[str | None] = mapped_column(String(300), default=None)
    # sha256 of the one-time token in the first-login link; None once used.
    first_login_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    # Raised when the password changes: sessions signed with an older number end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    submissions: Mapped[list["Submission"]] = relationship(back_populates="user")

    @property
    def is_staff(self) -> bool:
        return self.role == STAFF


class ApiToken(Base):
    """A token a student's notebook submits with (only its sha256 is kept), until it expires or is revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The assignment whose downloaded folder holds it; None for one made on the page.
    download_of: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class AssignmentState(Base):
    """Whether staff have an assignment open for submissions."""

    __tablename__ = "assignments"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[dt.datetime] = mapped_column(default=now)


class Extension(Base):
    """One student's later due time for one assignment (the cutoff moves by as much)."""

    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("user_id", "assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    granted_by: Mapped[str] = mapped_column(String(200), default="")
    granted_at: Mapped[dt.datetime] = mapped_column(default=now)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_user_assignment", "user_id", "assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignment: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(default=now)
    # The name the student's file had: shown (escaped), never used as a path.
    upload_name: Mapped[str] = mapped_column(String(300), default="")
    # Where the file is, relative to the course folder, chosen by the server.
    stored: Mapped[str] = mapped_column(String(300), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(20), default=RECEIVED)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    possible: Mapped[float | None] = mapped_column(Float, default=None)
    status: Mapped[str] = mapped_column(Text, default="")  # the grade's grading_status
    graded_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    grading_seconds: Mapped[float | None] = mapped_column(Float, default=None)

    user: Mapped[User] = relationship(back_populates="submissions")

    @property
    def file(self) -> str:
        """Its name in the gradebook and on its feedback page: the student and the submission."""
        suffix = ".zip" if self.stored.endswith(".zip") else ".ipynb"
        return f"{self.user.login}-{self.id}{suffix}"


class Job(Base):
    """One grading of one submission. A worker leases it; a lease not renewed in time expires and
    another worker takes the job. Regrading a submission adds a job."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_claim", "assignment", "state", "id"), Index("ix_jobs_turn", "assignment", "turn"))

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    assignment: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default=WAITING)
    # Its round in the turns students take (``autograder.server.jobs``): jobs are claimed by turn, then by age.
    turn: Mapped[int] = mapped_column(Integer, default=0)
    enqueued_at: Mapped[dt.datetime] = mapped_column(default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200), default=None)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    submission: Mapped[Submission] = relationship()


class LoginAttempt(Base):
    """A failed login, for the rate limit (kept in the database so every server process sees it)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[dt.datetime] = mapped_column(default=now)
