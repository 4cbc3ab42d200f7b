"""Connecting to the course's database and bringing its schema up to date.

The embedded default is an SQLite file in the course folder, in WAL mode with full syncs, so a
committed submission survives a killed server and a backup can be taken while it runs. Any other
SQLAlchemy URL (``postgresql+psycopg://...``) works the same. The schema only ever changes through
the Alembic migrations in ``migrations/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from autograder import KitError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DATABASE_FILE = "course.db"
# A writer waits this long for another to finish instead of failing with "database is locked".
SQLITE_BUSY_MS = 30_000


class DatabaseError(KitError, RuntimeError):
    """The course's database cannot be reached or is not the schema this kit knows."""


def default_url(course: Path) -> str:
    return f"sqlite:///{(course / DATABASE_FILE).resolve()}"


def connect(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, full syncs, foreign keys and a busy wait,
    and a new SQLite file is its owner's alone."""
    if url.startswith("sqlite"):
        _owner_only(make_url(url).database)
        # As many connections as request threads (anyio's default: 40) and grading threads can hold at once.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
            pool_size=20,
            max_overflow=40,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _owner_only(path: str | None) -> None:
    """Create the database file readable by its owner only, before SQLite would create it by the
    umask (0644): it holds every grade and password hash. SQLite gives its -wal and -shm files the
    database's own mode."""
    if path and path != ":memory:" and not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", f"busy_timeout={SQLITE_BUSY_MS}"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Apply every migration the database has not had yet (a new database gets them all)."""
    try:
        command.upgrade(_alembic(engine), "head")
    except Exception as error:
        raise DatabaseError(
            f"{engine.url.render_as_string(hide_password=True)}: cannot bring the database up to date "
            f"({type(error).__name__}: {error})"
        ) from error


def check_current(engine: Engine) -> None:
    """Raise DatabaseError unless the database has every migration this kit knows."""
    head = ScriptDirectory.from_config(_alembic(engine)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise DatabaseError(
            f"{engine.url.render_as_string(hide_password=True)}: the database is at migration {current or 'none'}, "
            f"this kit needs {head}; run `autograder serve COURSE_DIR --init` or start the server once to migrate it"
        )
