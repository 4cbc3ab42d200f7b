"""What runs in a grading run's warm process and the workers and runners it forks.

The warm process imports what every submission uses and runs the blank
template once, then once more in a fork that notes the files the run opens
(what a sandbox can read: ``autograder.sandbox.view``), then forks a worker
per slot the grader asks for. A worker
forks a runner per job; the runner takes the job, runs its sandbox and sends
the result. See ``autograder.sandbox.workers`` for the grader's side.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import multiprocessing.reduction
import os
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import nbformat

from autograder import sandbox
from autograder.authoring import wire
from autograder.forking import flush_output, fork
from autograder.sandbox.fs import host_trees
from autograder.sandbox.gate_wait import AtTheGate
from autograder.sandbox.huge_pages import fold_heap_into_huge_pages
from autograder.sandbox.isolated import die_with_parent
from autograder.sandbox.probe_plan import ProbePlan
from autograder.sandbox.probe_run import run_and_probe
from autograder.sandbox.student_process import close_all_but
from autograder.sandbox.view import FileView, base_view, kit_package, record

_STOP = 3  # a runner's exit code: the grader said there are no more jobs
_IMPORTS_TORCH = re.compile(r"^\s*(import|from)\s+torch\b", re.MULTILINE)


@dataclass(frozen=True)
class WorkerSetup:
    """What the warm process is given, and so every worker it forks.

    Attributes:
        plan: the probes and their inputs (``ProbePlan.dumps``); never the cases file itself.
        secret: file of the reference functions' sources, for the sandbox's broker.
        student_files: the files a notebook sits beside (data, public tests).
        template: the blank student notebook, run once to warm the process up.
    """

    plan: bytes
    secret: Path
    student_files: dict[str, bytes]
    template: Path | None = None


def serve_warm(control, grader: int) -> None:
    """The warm process: take the setup, warm up once, then fork a worker for each slot the grader asks for.
    What every run imports comes first: a grader that starts this process early reads its files meanwhile."""
    die_with_parent(grader)
    with warm_image():
        import_what_every_run_uses()
        setup: WorkerSetup | None = control.recv()
        if setup is None:  # the grader found nothing to grade
            os._exit(0)
        plan = ProbePlan.loads(setup.plan)
        secret_fd = os.open(setup.secret, os.O_RDONLY)
        warm_up(plan, setup.student_files, setup.template)
        # Folded while a fork records the view, on the other core: every job forks this image four times.
        view = files_for_sandboxes(plan, setup.student_files, setup.template, meanwhile=fold_heap_into_huge_pages)
    warm = os.getpid()
    while (slot := _request(control)) is not None:
        ours, theirs = multiprocessing.Pipe()
        worker = fork(functools.partial(_serve, theirs, slot, setup, plan, secret_fd, view, grader=grader, warm=warm))
        theirs.close()
        multiprocessing.reduction.send_handle(control, ours.fileno(), grader)
        ours.close()
        control.send(worker)
    _reap(block=True)
    flush_output()
    os._exit(0)  # as a worker does: tearing down torch and IPython has no use


@contextlib.contextmanager
def warm_image() -> Iterator[None]:
    """Warm this process up in the block with the garbage collector off (what the warm-up makes lives as long as
    the run: collecting meanwhile finds next to nothing); after it, put every object made so far out of reach of
    the collectors of the processes forked from here, and switch the collector back on for them to collect their
    own. Else the first full collection in each sandbox walks all of those objects (a few hundred thousand, with
    torch), writing to each one's header and so copying the pages they sit on: 0.4 s of a digits job, and often
    in its phase two, when every other sandbox on the host stands still."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _request(control) -> int | None:
    """The next slot the grader wants a worker for; None when it says stop or is gone."""
    try:
        while not control.poll(1.0):
            _reap(block=False)  # workers that ended, replaced or not
        return control.recv()
    except EOFError:
        return None


def _reap(*, block: bool) -> None:
    """Wait for ended workers (their CPU time then counts as this process's children's)."""
    try:
        while os.waitpid(-1, 0 if block else os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _serve(
    connection,
    slot: int,
    setup: WorkerSetup,
    plan: ProbePlan,
    secret_fd: int,
    view: FileView,
    *,
    grader: int,
    warm: int,
) -> None:
    """A worker's life, in a fork of the warm process: fork a runner per job until told to stop."""
    # The warm process's control connection, the grader's end of this one, its spawn pipes: none is
    # this worker's to hold (the warm process's exit would not show while a worker held its sentinel).
    close_all_but({0, 1, 2, connection.fileno(), secret_fd})
    die_with_parent(warm)
    worker = os.getpid()
    while True:
        runner = fork(lambda: _run_one_job(connection, slot, setup, plan, secret_fd, view, grader, worker))
        code = os.waitstatus_to_exitcode(os.waitpid(runner, 0)[1])
        if code != 0:
            # STOP, or the runner died mid-job: this worker ends; the grader counts that job as crashed and replaces it.
            # It leaves at once: tearing down torch and IPython at interpreter exit takes 1-2 s it has no use for.
            flush_output()
            os._exit(0)


def _run_one_job(
    connection, slot: int, setup: WorkerSetup, plan: ProbePlan, secret_fd: int, view: FileView, grader: int, worker: int
) -> None:
    """In a fresh fork of the warmed worker: take one job, grade it in a sandbox, send the result."""
    die_with_parent(worker)
    job = connection.recv()
    if job is None:
        os._exit(_STOP)
    # Cgroups are named after the grading process, which started the warm process this worker was forked from.
    limits = replace(job.limits, slot=slot, owner_pid=grader)
    result = sandbox.run_sandboxed(
        run_and_probe,
        job.notebook,
        setup.student_files,
        plan,
        limits=limits,
        secret_fd=secret_fd,
        on_gate=lambda waiting: connection.send(AtTheGate(waiting)),
        view=view,
    )
    connection.send(result)


def warm_up(
    plan: ProbePlan | None = None, student_files: dict[str, bytes] | None = None, template: Path | None = None
) -> None:
    """Import once what every submission uses.

    With a plan, also runs the blank student template once (trusted code, no
    secrets in it): first use of IPython, autograd and matplotlib costs more
    than a second, which every forked sandbox would otherwise pay again.
    """
    import_what_every_run_uses()
    if plan is None or template is None or not template.is_file():
        _warm_torch()
        return
    if uses_torch(template, student_files or {}):
        _warm_torch()
    _run_template(plan, student_files or {}, template)


def import_what_every_run_uses() -> None:
    """IPython, matplotlib (headless) and Otter, whatever the lesson."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import IPython.core.interactiveshell  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import otter  # noqa: F401  (the notebook's init cell imports it)


def uses_torch(template: Path, student_files: dict[str, bytes]) -> bool:
    """Whether the lesson needs torch: its probes' inputs imported it, or the template or a module beside it
    imports it. A lesson without it (NumPy's k-means, say) starts its run over a second sooner; a submission
    that imports torch there anyway still can, and pays for the import in its own sandbox."""
    if "torch" in sys.modules:
        return True
    code = [cell.source for cell in nbformat.read(template, as_version=4).cells if cell.cell_type == "code"]
    code += [text.decode("utf-8", "replace") for name, text in student_files.items() if name.endswith(".py")]
    return any(_IMPORTS_TORCH.search(source) for source in code)


def _warm_torch() -> None:
    import torch

    torch.set_num_threads(1)  # a multi-threaded op before fork deadlocks children
    x = torch.ones(2, requires_grad=True)
    torch.optim.SGD([x], lr=0.1).zero_grad()
    (x * 2).sum().backward()
    wire.encode(x)  # plain keeps this torch: a notebook's fake sys.modules["torch"] cannot replace it


def files_for_sandboxes(
    plan: ProbePlan,
    student_files: dict[str, bytes],
    template: Path | None,
    *,
    meanwhile: Callable[[], None] = lambda: None,
) -> FileView:
    """What every sandbox can read (``autograder.sandbox.view``): the standard library, the kit, and the files
    a second run of the template opens, as every sandbox's run will (the first imported what it needed).
    ``meanwhile()`` runs here while that second run does."""
    if template is None or not template.is_file():
        meanwhile()
        return base_view()

    def run_as_a_sandbox_does() -> None:  # in a fork: the environment may change
        with tempfile.TemporaryDirectory(prefix="autograder-home-") as home:
            os.environ.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=home)
            _run_template(plan, student_files, template)

    return record(run_as_a_sandbox_does, trees=host_trees(kit_package()), meanwhile=meanwhile)


def _run_template(plan: ProbePlan, student_files: dict[str, bytes], template: Path) -> None:
    """Run the blank student template here, in a scratch folder: trusted code, no secrets in it."""
    import matplotlib.pyplot

    notebook = nbformat.read(template, as_version=4)
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="autograder-warm-up-") as scratch:
        os.chdir(scratch)
        try:
            run_and_probe(notebook, student_files, plan, reveal=lambda commit: b"{}")
        finally:
            os.chdir(previous)
            matplotlib.pyplot.close("all")
