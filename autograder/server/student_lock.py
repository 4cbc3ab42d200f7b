"""One student's changes made one at a time: checking what they hold and adding to it in one step.

Parallel requests of one account (uploads racing the day's cap, downloads racing the token they
replace) once all read the same state before any wrote, so each passed its check or replaced the
same old row, and all were kept.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from autograder.server.models import User


def hold_student(db: Session, user: User) -> None:
    """Until ``db``'s transaction ends, make every other transaction that holds ``user`` wait here.

    Call it before reading what the change depends on. PostgreSQL locks the student's row; SQLite
    takes its one write lock at a transaction's first write (the driver begins the transaction only
    then), so the row is written to itself.
    """
    if db.get_bind().dialect.name == "sqlite":
        db.execute(update(User).where(User.id == user.id).values(session_version=User.session_version))
    else:
        db.execute(select(User.id).where(User.id == user.id).with_for_update())
