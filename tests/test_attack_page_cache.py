"""Attack: the page cache carries what a phase two was revealed to a later sandbox's phase one.

The phase gate keeps a phase two apart from every phase one running *at the same time*; the page
cache outlives both. Were the host's read-only trees (the system, the Python installation, the
virtual environment) bound into every sandbox, they would share the cache of each file there. A
phase two spells the revealed sources one bit per file, reading the files of its 1 bits (it needs
no call the filter refuses: a plain read caches a page). Any later phase one times one read of each
file: a cached page comes back in microseconds, one from the disk in a hundred or more. The sender
may be the same student's earlier submission, as on the course server, where a student submits
several times a day. Neither the filter (mincore, cachestat and readahead are refused, but timing a
read needs none of them) nor the gate (the two never run at once) stops this.

What does: a sandbox's root holds no file of the host, only copies in its own memory
(``autograder.sandbox.view``), so every read it can make is as fast as any other. The attack then
marks and times pages of the copies it sees. With the view left out (the host's trees bound), the
same attack reads the secret back, which shows the test can fail.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

import pytest

from autograder import sandbox
from tests.sandbox_modes import MODES, in_mode

SECRET = b"return 1 / (1 + torch.exp(-x)) #"  # 256 bits, one file each
MIN_SIZE = 12 * 1024  # past the first pages a read ahead might bring in
PAGE = 8192  # the offset each side reads at


def _files(count: int, *, skip: int = 0) -> list[str]:
    """Files of the virtual environment that grading never reads (C headers, type stubs), in a fixed order,
    past the first ``skip`` (each mode has files of its own: the two may run at once)."""
    found = []
    for folder, names, files in os.walk(sys.prefix):
        names.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if name.endswith((".h", ".hpp", ".cuh", ".pyi")) and os.path.getsize(path) >= MIN_SIZE:
                found.append(path)
    if len(found) < skip + count:
        pytest.skip(
            f"{sys.prefix} holds {len(found)} headers or stubs of {MIN_SIZE} bytes or more; "
            f"the test needs {skip + count}"
        )
    return found[skip : skip + count]


def _read_one_page(path: str, offset: int = PAGE) -> int:
    """Nanoseconds one small read of ``path`` at ``offset`` takes."""
    fd = os.open(path, os.O_RDONLY)
    try:
        start = time.perf_counter_ns()
        os.pread(fd, 1, offset)
        return time.perf_counter_ns() - start
    finally:
        os.close(fd)


def _targets(paths: list[str]) -> list[tuple[str, int]]:
    """The pages the sandbox marks or times: the host's rarely used files where it sees them, else (its root
    holding copies) every page of every file it sees, in an order both sandboxes share."""
    if all(os.path.exists(path) for path in paths):
        return [(path, PAGE) for path in paths]
    pages = []
    for folder, names, files in os.walk("/"):
        names[:] = sorted(name for name in names if folder != "/" or name not in ("proc", "dev", "tmp"))
        for name in sorted(files):
            path = os.path.join(folder, name)
            pages.extend((path, offset) for offset in range(0, os.path.getsize(path), PAGE))
    assert len(pages) >= len(paths), f"the sandbox sees {len(pages)} pages of files"
    return pages[: len(paths)]


def _bits(data: bytes) -> list[int]:
    return [(byte >> shift) & 1 for byte in data for shift in range(8)]


def _publish(paths: list[str], reveal) -> bytes:
    """Phase two: read the pages of the revealed secret's 1 bits."""
    for (path, offset), bit in zip(_targets(paths), _bits(reveal(b"{}"))):
        if bit:
            _read_one_page(path, offset)
    return b"published"


def _read(paths: list[str]) -> bytes:
    """Phase one: a page read fast was cached, by someone. The split is between the quartiles: half the bits are 1."""
    took = [_read_one_page(path, offset) for path, offset in _targets(paths)]
    quartiles = statistics.quantiles(took, n=4)
    split = (quartiles[0] * quartiles[2]) ** 0.5
    bits = [1 if each < split else 0 for each in took]
    return bytes(sum(bit << shift for shift, bit in enumerate(bits[i : i + 8])) for i in range(0, len(bits), 8))


def _evict(paths: list[str]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


VIEWS = {"kept": frozenset(), "left out": frozenset({"memory_view"})}


def _steal(mode: str, view: str) -> dict:
    def job() -> dict:
        # Each mode has files of its own: the two may run at once under xdist. With the view kept, the
        # sandboxes cannot see them, and the host's copies are neither dropped nor read.
        paths = _files(8 * len(SECRET), skip=MODES.index(mode) * 8 * len(SECRET))
        if view == "left out":
            _evict(paths)
            uncached = statistics.median(_read_one_page(path) for path in paths[:16])
            if uncached < 20_000:  # a file system whose cache cannot be dropped (tmpfs) or a disk as fast as memory
                return {"skip": f"reads of dropped pages took {uncached} ns here: no cold files to time"}
            _evict(paths)
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "secret"), "wb") as handle:
                handle.write(SECRET)
            secret_fd = os.open(os.path.join(folder, "secret"), os.O_RDONLY)
            try:
                # a gate of its own: the two run one after the other anyway
                limits = sandbox.Limits(wall_s=60, gate_folder=folder, without=VIEWS[view])
                published = sandbox.run_sandboxed(_publish, paths, limits=limits, secret_fd=secret_fd)
                read = sandbox.run_sandboxed(_read, paths, limits=limits)
            finally:
                os.close(secret_fd)
        return {
            "published": published.data.decode(errors="replace") or published.detail,
            "read": read.data.hex(),
            "status": read.status,
            "detail": read.detail,
        }

    return in_mode(mode, job)


def _agreement(seen: dict) -> float:
    if "skip" in seen:
        pytest.skip(seen["skip"])
    assert seen["published"] == "published" and seen["status"] == "ok", seen
    read = bytes.fromhex(seen["read"])
    return sum(a == b for a, b in zip(_bits(read), _bits(SECRET))) / len(_bits(SECRET))


@pytest.mark.parametrize("mode", MODES)
def test_a_later_phase_one_cannot_read_what_a_phase_two_cached(mode):
    agreement = _agreement(_steal(mode, "kept"))
    assert agreement < 0.75, f"the phase one read {agreement:.0%} of the secret's bits"


@pytest.mark.parametrize("mode", MODES)
def test_with_the_hosts_files_bound_the_page_cache_carries_the_secret(mode):
    agreement = _agreement(_steal(mode, "left out"))
    assert agreement > 0.9, (
        f"the phase one read only {agreement:.0%} of the secret's bits: the attack itself no longer works here"
    )
