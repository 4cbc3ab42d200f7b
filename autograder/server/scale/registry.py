"""Which workers grade right now: each ``autograder worker`` registers when it starts, renews its
row with its leases and removes it when it stops; the server counts the sandboxes of live ones."""

from __future__ import annotations

import datetime as dt
import socket

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from autograder.server.models import now
from autograder.server.scale.records import GradingWorker


def register(
    db: Session, name: str, *, assignments: list[str], sandboxes: int, slots: range, lease: dt.timedelta
) -> None:
    moment = now()
    db.merge(
        GradingWorker(
            name=name,
            host=socket.gethostname()[:200],
            assignments="\n".join(assignments),
            sandboxes=sandboxes,
            first_slot=slots.start,
            started_at=moment,
            expires_at=moment + lease,
        )
    )


def renew(db: Session, name: str, *, lease: dt.timedelta) -> None:
    db.execute(update(GradingWorker).where(GradingWorker.name == name).values(expires_at=now() + lease))


def forget(db: Session, name: str) -> None:
    db.execute(delete(GradingWorker).where(GradingWorker.name == name))


def live_sandboxes(db: Session, assignment: str) -> int | None:
    """How many submissions of ``assignment`` live workers grade at once; None if no worker registered lately."""
    live = db.execute(
        select(GradingWorker.assignments, GradingWorker.sandboxes).where(GradingWorker.expires_at > now())
    ).all()
    if not live:
        return None
    return sum(sandboxes for names, sandboxes in live if assignment in names.split("\n"))
