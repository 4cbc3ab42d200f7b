"""Grading past one machine, run for real: throwaway services (Debian's ``redis-server`` and a
PostgreSQL cluster of its own, each on a free loopback port in a folder of the caller's, stopped at
the end) and ``autograder worker`` processes standing for other machines.

PostgreSQL refuses to run as root: as root, the cluster is made and run as ``nobody``.
``missing()`` says what this machine lacks (``.ci/run`` installs both packages from Debian).
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import pwd
import re
import select
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Iterator

from autograder.assignment import Assignment
from tests.course_server import CLI, Server, course_folder, end, free_port, project_with

REDIS = "/usr/bin/redis-server"
POSTGRES_BINARIES = "/usr/lib/postgresql/*/bin"
CLUSTER_USER = "nobody"


def missing() -> str:
    """Why the scaled-out mode cannot run here ("" when it can)."""
    lacking = [
        package
        for package, found in (
            ("redis-server (apt-get install redis-server)", os.access(REDIS, os.X_OK)),
            ("postgresql (apt-get install postgresql)", bool(_postgres_bin())),
            ("celery (pip install 'celery[redis]')", importlib.util.find_spec("celery") is not None),
            ("psycopg (pip install 'psycopg[binary]')", importlib.util.find_spec("psycopg") is not None),
        )
        if not found
    ]
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        lacking.append("runuser (util-linux), to run PostgreSQL as an ordinary user")
    return f"needs {', '.join(lacking)}" if lacking else ""


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob(f"{POSTGRES_BINARIES}/initdb"))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A Redis on a free loopback port, keeping nothing on disk; its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        said = []
        for line in process.stdout:
            said.append(line)
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError("redis-server did not start:\n" + "".join(said[-20:]))
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


class PostgresCluster:
    """A PostgreSQL cluster in ``folder`` on a free loopback port, trusting local connections."""

    def __init__(self, folder: Path):
        self.bin = _postgres_bin()
        self.data, self.port = folder / "data", free_port()
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            _reachable_by(CLUSTER_USER, folder)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"
        )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(folder / "postgres.log"), "-w", "-o", options, "start")

    def database(self, name: str) -> str:
        """A new, empty database ``name``; its SQLAlchemy URL (psycopg 3)."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop at once (SIGQUIT), waiting for the server to end. Not through ``pg_ctl``: another pytest
        run may have closed the folders above ours to ``nobody`` again (pytest makes its own 0700)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            return
        try:
            os.kill(pid, signal.SIGQUIT)
            select.select([handle], [], [], 60)  # readable once the process has ended
        finally:
            os.close(handle)

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", CLUSTER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


@contextlib.contextmanager
def postgres_cluster(folder: Path) -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(folder)
    try:
        yield cluster
    finally:
        cluster.stop()


def _reachable_by(user: str, folder: Path) -> None:
    """Give ``folder`` to ``user`` and let it through every parent (pytest's are 0700, root's)."""
    entry = pwd.getpwnam(user)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    for parent in folder.parents:
        if parent == Path("/"):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o711)


@contextlib.contextmanager
def scaled_out_server(
    assignment: Assignment, folder: Path, *, lease_seconds: float | None = None
) -> Iterator[tuple[Server, str, str]]:
    """A Redis, a PostgreSQL and ``autograder serve --queue`` on a course offering ``assignment``, all in
    ``folder``: the server, the queue's URL and the database's, until the block ends."""
    with redis_server(folder / "redis") as queue_url, postgres_cluster(folder / "postgres") as cluster:
        database_url = cluster.database("course")
        project = project_with(assignment, folder / "server-machine" / "project")
        course = course_folder(
            project, folder / "server-machine" / "course", lease_seconds=lease_seconds, database_url=database_url
        )
        server = Server(course, options=("--queue", queue_url))
        try:
            yield server, queue_url, database_url
        finally:
            server.stop()


class WorkerMachine:
    """``autograder worker`` as another machine would run it: its own copy of the kit's project, its
    own scratch folder, a process group of its own (so a SIGKILL takes all of it, as a power cut would).
    ``gate_folder``: a phase gate of its own, as a machine of its own has; None shares this host's."""

    CLAIMED = re.compile(r"job (\d+) \(.*\): claimed")
    RECORDED = re.compile(r"job (\d+) \(.*\): recorded")

    def __init__(
        self,
        project: Path,
        scratch: Path,
        *,
        queue_url: str,
        database_url: str,
        workers: int = 1,
        gate_folder: Path | None = None,
    ):
        self.scratch = scratch
        self.log: list[str] = []
        self._changed = threading.Condition()
        command = [
            str(CLI),
            "--root",
            str(project),
            "worker",
            "--queue",
            queue_url,
            "--database",
            database_url,
            "--workers",
            str(workers),
            "--scratch",
            str(scratch),
        ]
        if gate_folder is not None:
            gate_folder.mkdir(parents=True, exist_ok=True)
            command[1:1] = ["--phase-gate", str(gate_folder)]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        self.wait_for(re.compile(r"\bready\.$"), timeout=300)  # Celery's word once it consumes

    @classmethod
    def holding(
        cls,
        assignment: Assignment,
        folder: Path,
        *,
        queue_url: str,
        database_url: str,
        workers: int = 1,
        own_gate: bool = False,
    ) -> "WorkerMachine":
        """A machine in ``folder`` with its own copy of ``assignment``'s release and its own scratch folder."""
        return cls(
            project_with(assignment, folder / "project"),
            folder / "scratch",
            queue_url=queue_url,
            database_url=database_url,
            workers=workers,
            gate_folder=folder / "gate" if own_gate else None,
        )

    def _read_log(self) -> None:
        for line in self.process.stderr:
            with self._changed:
                self.log.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern, *, timeout: float) -> re.Match:
        """The first log line matching ``pattern``, waiting for it to be written."""

        def found():
            return next((match for line in self.log if (match := pattern.search(line))), None) or (
                self.process.poll() is not None
            )

        with self._changed:
            result = self._changed.wait_for(found, timeout=timeout)
        if not isinstance(result, re.Match):
            raise AssertionError(f"the worker never logged /{pattern.pattern}/:\n" + "\n".join(self.log[-40:]))
        return result

    def claimed(self) -> list[int]:
        """The job ids this worker claimed, in order."""
        return [int(match.group(1)) for line in self.log if (match := self.CLAIMED.search(line))]

    def unfinished(self) -> list[int]:
        """The jobs this worker claimed and never recorded, once it has ended and its log is read to the end."""
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)
        recorded = {int(match.group(1)) for line in self.log if (match := self.RECORDED.search(line))}
        return [job for job in self.claimed() if job not in recorded]

    def kill(self) -> None:
        """SIGKILL the worker and everything it started."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        end(self.process, self.kill)
