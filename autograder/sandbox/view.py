"""What a sandbox can read: copies held in memory, never the host's own files.

The page cache outlives every sandbox and is shared by all of them. Were the host's trees bound
in (the system, the Python installation, the virtual environment), a phase two could read one
rarely used file for each 1 bit of the revealed sources, and any later sandbox, the same
student's next submission included, could time a read of each: 256 bits came through in about a
second with none wrong. So a sandbox's root holds no file of the host. It holds copies, made on
its own memory-backed root as it starts, of:

- the files a recorded run opened (``record``): the warm process runs the blank template once
  more, in a fork, and notes every file it opens for reading; whatever every sandbox's run opens
  after the fork is among them (IPython's profile README, say);
- the standard library (its sources and extension modules, not its tests or GUIs), so any of
  it imports as on the student's own Python, and the kit's own package sources; but for the
  modules the process that makes the view has imported already, which a sandbox finds in
  ``sys.modules`` without opening a file.

A copy is in memory from the moment it is written until the sandbox ends, so reading it is fast
whoever read it before: nothing to time. Everything else a notebook uses (torch, NumPy, IPython)
the warm process imported before the fork. A third-party module that exists on the host but was
never imported there cannot be imported in the sandbox either (``import sklearn`` where the
assignment's notebook does not); ``MissingModule`` then says so in Chinese and English instead of
a bare "No module named".
"""

from __future__ import annotations

import functools
import os
import pkgutil
import sys
import sysconfig
from dataclasses import dataclass, field
from typing import Callable

from autograder.forking import run_forked

RECORD_TIMEOUT_S = 300
PAGE = 4096
# Parts of the standard library no graded notebook runs: its own tests, GUIs, installers. Left out, 24 MB remain.
STDLIB_LEFT_OUT = frozenset(
    {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "site-packages", "pydoc_data"}
)


@dataclass(frozen=True)
class FileView:
    """The files a sandbox can read, by absolute path, and the host's importable top-level modules.

    Attributes:
        files: each file's absolute path and contents, read once on the host.
        host_modules: names ``import`` finds on the host, so a sandbox can tell a module it
            lacks from a module that does not exist.
    """

    files: dict[str, bytes] = field(default_factory=dict)
    host_modules: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        """Bytes the copies take in a tmpfs, which stores a file in whole pages."""
        return sum(-(-len(data) // PAGE) * PAGE for data in self.files.values())

    @property
    def inodes(self) -> int:
        """Files and folders the copies take."""
        folders = {parent for path in self.files for parent in _parents(path)}
        return len(self.files) + len(folders)

    def with_files(self, paths: list[str]) -> FileView:
        """This view and the regular files among ``paths`` that exist (each read now, once)."""
        added = dict(self.files)
        for path in paths:
            if path not in added and os.path.isfile(path):
                with open(path, "rb") as handle:
                    added[path] = handle.read()
        return FileView(added, self.host_modules)


def _parents(path: str) -> list[str]:
    parents = []
    while (path := os.path.dirname(path)) != "/":
        parents.append(path)
    return parents


def kit_package() -> str:
    """The folder of the kit's own package (``autograder/``)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@functools.lru_cache(maxsize=None)
def base_view() -> FileView:
    """The standard library, the kit's sources and the host's module names: what every sandbox can read
    (read once per process)."""
    host_modules = frozenset(module.name for module in pkgutil.iter_modules()) | frozenset(sys.builtin_module_names)
    imported = {
        os.path.abspath(module.__file__)
        for module in list(sys.modules.values())
        if isinstance(getattr(module, "__file__", None), str)
    }
    sources = _sources(sysconfig.get_paths()["stdlib"], STDLIB_LEFT_OUT) + _sources(kit_package())
    return FileView(host_modules=host_modules).with_files([path for path in sources if path not in imported])


def _sources(tree: str, left_out: frozenset[str] = frozenset()) -> list[str]:
    """Module files (sources and extensions) under ``tree``, but for its top-level folders in ``left_out``
    and the C API's test modules."""
    found = []
    for folder, folders, names in os.walk(tree):
        if folder == tree:
            folders[:] = [name for name in folders if name not in left_out and not name.startswith("config-")]
        found.extend(
            os.path.join(folder, name)
            for name in names
            if name.endswith((".py", ".so")) and not name.startswith(("_test", "xx"))
        )
    return sorted(found)


def record(run: Callable[[], None], trees: tuple[str, ...], *, meanwhile: Callable[[], None] | None = None) -> FileView:
    """The base view and every file under ``trees`` that ``run()`` opened for reading, run in a fork;
    ``meanwhile()`` runs here while the fork does (and the base view is listed then too).

    The audit hook that notes the opens cannot be removed, so it lives only in that fork.

    Raises:
        RuntimeError: the recorded run failed; the message says how.
    """

    def beside_the_fork() -> None:
        base_view()
        if meanwhile is not None:
            meanwhile()

    [outcome] = run_forked(
        [lambda: {"opened": _opened_by(run, trees)}], workers=1, timeout=RECORD_TIMEOUT_S, meanwhile=beside_the_fork
    )
    if outcome.result is None:
        raise RuntimeError(f"recording the files a sandbox needs failed: {outcome.problem}")
    return base_view().with_files(outcome.result["opened"])


def _opened_by(run: Callable[[], None], trees: tuple[str, ...]) -> list[str]:
    opened: list[str] = []
    prefixes = tuple(tree.rstrip("/") + "/" for tree in trees)

    def note(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], (str, bytes)) and _for_reading(args[1], args[2]):
            path = os.path.abspath(os.fsdecode(args[0]))
            if path.startswith(prefixes):
                opened.append(path)

    sys.addaudithook(note)
    run()
    return sorted(set(opened))


def _for_reading(mode: str | None, flags: int) -> bool:
    if mode is not None:
        return not set(mode) & set("wax+")
    return flags & os.O_ACCMODE == os.O_RDONLY


def write_into(view: FileView, root: str) -> None:
    """Write the view's files under ``root`` (the sandbox's root before pivot_root), readable by all."""
    for folder in sorted({os.path.dirname(path) for path in view.files}):
        os.makedirs(root + folder, mode=0o755, exist_ok=True)
    for path, data in view.files.items():
        fd = os.open(root + path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            remaining = memoryview(data)
            while remaining:
                remaining = remaining[os.write(fd, remaining) :]
        finally:
            os.close(fd)


class MissingModule:
    """Last on ``sys.meta_path`` in a sandbox: a module the host has but the sandbox lacks fails with a message
    that says why, not with a bare "No module named"."""

    def __init__(self, host_modules: frozenset[str]) -> None:
        self.host_modules = host_modules

    def find_spec(self, name: str, path=None, target=None):
        if name.partition(".")[0] not in self.host_modules:
            return None  # no such module anywhere: Python's own message is the right one
        raise ModuleNotFoundError(
            f"评分时不能导入模块 {name}：除了 Python 标准库，评分沙箱只提供作业本身的笔记本运行时已经导入的模块"
            f"（如 torch、numpy 及其已加载的部分）。请只用作业里用到的库，或请老师把它加进作业。 / Module {name} "
            "cannot "
            "be imported while grading: besides Python's standard library, the grader's sandbox offers only the "
            "modules "
            f"already imported when the assignment's own notebook runs (torch, numpy and the parts of them it loads). "
            f"Use only the libraries the assignment uses, or ask your instructor to add it.",
            name=name,
        )
