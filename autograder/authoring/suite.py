"""An assignment's hidden cases together with their reference data.

``load_cases`` imports a cases file once and checks what it declares;
``probe`` and ``judge`` are the two halves of grading one case, which the
kit's grader runs in different processes and Otter runs in one
(``run_in_process``). Release computes the references (``autograder.release``).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from autograder import KitError
from autograder.authoring import checks, wire
from autograder.authoring.cases import Case
from autograder.authoring.charts import Chart, recorded_variables
from autograder.authoring.checks import Verdict
from autograder.authoring.mutants import Equivalent
from autograder.authoring.reference_data import REFERENCES_FILE, References

CASES_FILE = "hidden_cases.py"
UNFINISHED_KEY = "__unfinished__"  # a probe's whole result, when it was a blank or an error


class SuiteError(KitError, ValueError):
    """The cases module or the references file is missing or inconsistent."""


@dataclass
class CasesModule:
    """What an assignment's cases file declares.

    Attributes:
        cases: ``CASES``, the hidden cases.
        charts: ``CHARTS``, what the feedback page plots.
        equivalents: ``EQUIVALENT_MUTANTS``, mutants that are correct answers too.
        data_variables: ``DATA_VARIABLES`` of the first format (input name → notebook variable).
        recorded: notebook variables the sandbox records for the page (the charts',
            or the first format's ``FEEDBACK_VARIABLES``).
    """

    path: Path
    cases: list[Case]
    charts: tuple[Chart, ...] = ()
    equivalents: tuple[Equivalent, ...] = ()
    data_variables: dict[str, str] | None = None
    recorded: tuple[str, ...] = ()


def load_cases(path: Path) -> CasesModule:
    """Import an assignment's cases file and check what it declares.

    Raises:
        SuiteError: no file, an error while importing it, or a declaration of the wrong type.
    """
    path = Path(path)
    if not path.is_file():
        raise SuiteError(f"{path}: no cases file; an assignment lists its hidden test cases in CASES there")
    module = _import(path)
    cases = getattr(module, "CASES", None)
    if not isinstance(cases, list) or not all(isinstance(c, Case) for c in cases):
        raise SuiteError(f"{path}: CASES must be a list of cases (Cases(...).output(...), ..., or Case(...))")
    keys = [case.key for case in cases]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise SuiteError(f"{path}: two cases share the names {duplicates}; give each case of a question its own name")
    charts = tuple(getattr(module, "CHARTS", ()))
    if not all(isinstance(chart, Chart) for chart in charts):
        kinds = ", ".join(kind.__name__ for kind in Chart.__subclasses__())
        raise SuiteError(f"{path}: CHARTS must hold chart declarations ({kinds})")
    equivalents = tuple(getattr(module, "EQUIVALENT_MUTANTS", ()))
    if not all(isinstance(entry, Equivalent) for entry in equivalents):
        raise SuiteError(f"{path}: EQUIVALENT_MUTANTS must hold Equivalent(...) entries")
    recorded = recorded_variables(charts) if charts else tuple(getattr(module, "FEEDBACK_VARIABLES", ()))
    return CasesModule(path, cases, charts, equivalents, getattr(module, "DATA_VARIABLES", None), recorded)


# sys.path and sys.modules are the process's: two threads loading two assignments (the course
# server starts a grading pool per assignment at once) would import each other's diagnoses.py.
_IMPORTING = threading.Lock()


def _import(path: Path):
    """Import the cases file; modules beside it (a shared diagnoses.py) are importable while it loads."""
    with _IMPORTING:
        return _import_alone(path)


def _import_alone(path: Path):
    name = f"_cases_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look a module up by name
    folder = str(path.resolve().parent)
    before = set(sys.modules)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(name, None)
        line = _line_in(error, path)
        raise SuiteError(f"{path}{line}: importing it raised {type(error).__name__}: {error}") from error
    finally:
        sys.path.remove(folder)
        _forget_siblings(before, folder)
    return module


def _forget_siblings(before: set[str], folder: str) -> None:
    """Drop modules the cases file imported from its own folder: another assignment's may share their names."""
    for name in set(sys.modules) - before:
        origin = getattr(sys.modules[name], "__file__", None) or ""
        if origin.startswith(folder + "/"):
            del sys.modules[name]


def _line_in(error: BaseException, path: Path) -> str:
    frames = [frame for frame in _traceback_frames(error) if Path(frame[0]).resolve() == path.resolve()]
    return f", line {frames[-1][1]}" if frames else ""


def _traceback_frames(error: BaseException) -> list[tuple[str, int]]:
    frames, trace = [], error.__traceback__
    while trace is not None:
        frames.append((trace.tb_frame.f_code.co_filename, trace.tb_lineno))
        trace = trace.tb_next
    return frames


def reference_globals() -> dict[str, Any]:
    """The modules a reference function may use, as they are now.

    Taken before a submission runs, they stay the real modules even if the
    notebook later replaces ``sys.modules["torch"]``.
    """
    namespace: dict[str, Any] = {"np": np, "numpy": np}
    try:
        import torch
    except ImportError:
        return namespace
    namespace.update(torch=torch, nn=torch.nn, F=torch.nn.functional)
    return namespace


def build_reference_functions(
    sources: Mapping[str, str], *, base: Mapping[str, Any] | None = None
) -> dict[str, Callable]:
    """Define the solution's functions and classes in a namespace of their own (``base``: see reference_globals)."""
    namespace = dict(base if base is not None else reference_globals())
    for source in sources.values():
        exec(compile(source, "<reference solution>", "exec"), namespace)
    return {name: namespace[name] for name in sources}


@dataclass
class Suite:
    cases: list[Case]
    references: References

    @classmethod
    def load(cls, folder: Path, *, references_file: str = REFERENCES_FILE) -> "Suite":
        """Load ``hidden_cases.py`` and the reference data from ``folder``."""
        return cls(load_cases(Path(folder) / CASES_FILE).cases, References.read(Path(folder) / references_file))

    def case(self, question: str, name: str) -> Case:
        for case in self.cases:
            if case.question == question and case.name == name:
                return case
        raise SuiteError(f"no hidden case {question}/{name}")

    def inputs(self, case: Case) -> dict[str, np.ndarray]:
        stored = self.references.cases[case.key].inputs
        return {key: wire.decode(payload).array for key, payload in stored.items()}

    def expected(self, case: Case) -> dict[str, wire.Value]:
        return {key: wire.decode(payload) for key, payload in self.references.cases[case.key].expected.items()}

    def reference_functions(self, case: Case) -> dict[str, Callable]:
        sources = self.references.sources()
        return build_reference_functions({name: sources[name] for name in case.swap_in})


def probe(
    case: Case, namespace: dict, inputs: Mapping[str, np.ndarray], reference_functions: Mapping[str, Callable]
) -> dict:
    """Run ``case``'s probe on ``namespace``; return encoded plain data. A probe that stops at a blank
    or an error may return what ``call_guarded`` gave (``...`` or a ProbeError) as it is."""
    try:
        raw = case.probe(namespace, inputs, reference_functions)
        if raw is Ellipsis or isinstance(raw, wire.ProbeError):
            raw = {UNFINISHED_KEY: raw}
        return {key: wire.encode(value) for key, value in dict(raw).items()}
    except Exception as error:
        return {"__error__": wire.encode(wire.ProbeError(f"{type(error).__name__}: {error}"))}


def judge(
    case: Case, student: Mapping[str, wire.Value], expected: Mapping[str, wire.Value], inputs: Mapping[str, np.ndarray]
) -> Verdict:
    """Compare decoded probe data with the reference; never raises."""
    from autograder.authoring.language import say

    if "__error__" in student:
        return Verdict.fail(
            say(
                f"{case.question} 无法检查：{student['__error__'].text}",
                f"{case.question} could not be checked: {student['__error__'].text}",
            )
        )
    missing = [key for key in expected if key not in student]
    if missing:
        # A probe that returned early on a blank or an error: say so, not which results it lacks.
        unfinished = next((value for value in student.values() if value.kind in ("ellipsis", "error")), None)
        if unfinished is not None:
            return Verdict.fail(checks.unfinished(unfinished, what=case.calls or case.question))
        return Verdict.fail(
            say(
                f"{case.question} 无法检查：结果缺少 {missing}",
                f"{case.question} could not be checked: its results lack {missing}",
            )
        )
    try:
        return case.judge(student, expected, inputs)
    except Exception as error:  # malformed data must cost the case, not the run
        return Verdict.fail(
            say(
                f"{case.question} 返回的东西无法比较（{type(error).__name__}）",
                f"{case.question} returned something that could not be compared ({type(error).__name__})",
            )
        )


def run_in_process(suite: Suite, case: Case, namespace: dict) -> Verdict:
    """Probe and judge in this process (the Otter / Gradescope path)."""
    inputs = suite.inputs(case)
    payload = probe(case, namespace, inputs, suite.reference_functions(case))
    # Round-trip through JSON so the judge sees exactly what a pipe would carry.
    student = wire.loads(wire.dumps(payload))
    return judge(case, student, suite.expected(case), inputs)
