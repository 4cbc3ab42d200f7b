"""An assignment's hidden cases together with their reference data.

``compute_references`` runs every case's probe on the solution's namespace
(at release); ``probe`` and ``judge`` are the two halves of grading one case,
which the kit's grader runs in different processes and Otter runs in one.
"""
from __future__ import annotations

import ast
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from autograder import plain
from autograder.cases import Case, InputContext
from autograder.checks import Verdict

REFERENCES_FILE = "references.json"
# The same minus expected outputs: all a process that runs student code may hold.
INPUTS_FILE = "case_inputs.json"
CASES_FILE = "hidden_cases.py"
FORMAT_VERSION = 1


class SuiteError(ValueError):
    """The cases module or the references file is missing or inconsistent."""


def load_cases_module_object(path: Path):
    """Import an assignment's cases file as a module."""
    path = Path(path)
    if not path.is_file():
        raise SuiteError(f"{path}: no cases file; an assignment lists its hidden test cases in CASES there")
    spec = importlib.util.spec_from_file_location(f"_cases_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_cases_module(path: Path) -> list[Case]:
    """Import the ``CASES`` list from an assignment's cases file."""
    module = load_cases_module_object(path)
    cases = getattr(module, "CASES", None)
    if not isinstance(cases, list) or not all(isinstance(c, Case) for c in cases):
        raise SuiteError(f"{path}: CASES must be a list of autograder.cases.Case")
    keys = [case.key for case in cases]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise SuiteError(f"{path}: duplicate case names {duplicates}")
    return cases


def function_sources(notebook_sources: list[str], names: tuple[str, ...]) -> dict[str, str]:
    """The source of each top-level ``def name`` found in the given cells."""
    found: dict[str, str] = {}
    for source in notebook_sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                found[node.name] = ast.unparse(node)
    missing = [name for name in names if name not in found]
    if missing:
        raise SuiteError(f"the solution defines no function {missing}; cases swap these in for isolation")
    return found


def reference_globals() -> dict[str, Any]:
    """The modules a reference function may use, as they are now.

    Taken before a submission runs, they stay the real modules even if the
    notebook later replaces ``sys.modules["torch"]``.
    """
    import torch

    return {"torch": torch, "np": np, "nn": torch.nn, "F": torch.nn.functional}


def build_reference_functions(sources: Mapping[str, str], *, base: Mapping[str, Any] | None = None) -> dict[str, Callable]:
    """Define the solution's functions in a namespace of their own (``base``: see reference_globals)."""
    namespace = dict(base if base is not None else reference_globals())
    for source in sources.values():
        exec(compile(source, "<reference solution>", "exec"), namespace)
    return {name: namespace[name] for name in sources}


@dataclass
class Suite:
    cases: list[Case]
    references: dict

    @classmethod
    def load(cls, folder: Path, *, references_file: str = REFERENCES_FILE) -> "Suite":
        """Load ``hidden_cases.py`` and the reference data from ``folder``."""
        folder = Path(folder)
        references_path = folder / references_file
        try:
            references = json.loads(references_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SuiteError(f"{references_path}: cannot read the reference data ({error}); run `autograder release` again") from error
        if references.get("version") != FORMAT_VERSION:
            raise SuiteError(f"{references_path}: written by another version of the kit; run `autograder release` again")
        return cls(load_cases_module(folder / CASES_FILE), references)

    def case(self, question: str, name: str) -> Case:
        for case in self.cases:
            if case.question == question and case.name == name:
                return case
        raise SuiteError(f"no hidden case {question}/{name}")

    def inputs(self, case: Case) -> dict[str, np.ndarray]:
        stored = self.references["cases"][case.key]["inputs"]
        return {key: plain.decode(payload).array for key, payload in stored.items()}

    def expected(self, case: Case) -> dict[str, plain.Value]:
        return {key: plain.decode(payload) for key, payload in self.references["cases"][case.key]["expected"].items()}

    def reference_functions(self, case: Case) -> dict[str, Callable]:
        sources = self.references["reference_functions"]
        return build_reference_functions({name: sources[name] for name in case.swap_in})


def probe(case: Case, namespace: dict, inputs: Mapping[str, np.ndarray], reference_functions: Mapping[str, Callable]) -> dict:
    """Run ``case``'s probe on ``namespace``; return encoded plain data."""
    try:
        raw = case.probe(namespace, inputs, reference_functions)
        return {key: plain.encode(value) for key, value in dict(raw).items()}
    except Exception as error:
        return {"__error__": plain.encode(plain.ProbeError(f"{type(error).__name__}: {error}"))}


def judge(case: Case, student: Mapping[str, plain.Value], expected: Mapping[str, plain.Value], inputs: Mapping[str, np.ndarray]) -> Verdict:
    """Compare decoded probe data with the reference; never raises."""
    if "__error__" in student:
        return Verdict.fail(f"{case.question} could not be checked: {student['__error__'].text}")
    missing = [key for key in expected if key not in student]
    if missing:
        return Verdict.fail(f"{case.question} could not be checked: its results lack {missing}")
    try:
        return case.judge(student, expected, inputs)
    except Exception as error:  # malformed data must cost the case, not the run
        return Verdict.fail(f"{case.question} returned something that could not be compared ({type(error).__name__})")


def compute_references(cases: list[Case], namespace: dict, *, data: dict[str, np.ndarray], seed: int, function_sources: Mapping[str, str]) -> dict:
    """Run every probe on the solution's namespace and collect inputs and outputs."""
    references: dict[str, Any] = {"version": FORMAT_VERSION, "seed": seed, "reference_functions": dict(function_sources), "cases": {}}
    functions = build_reference_functions(function_sources)
    for index, case in enumerate(cases):
        context = InputContext(rng=np.random.default_rng([seed, index]), data=data)
        inputs = {key: np.asarray(value) for key, value in case.make_inputs(context).items()}
        swap = {name: functions[name] for name in case.swap_in}
        expected = probe(case, namespace, inputs, swap)
        verdict = judge(case, {k: plain.decode(v) for k, v in expected.items()}, {k: plain.decode(v) for k, v in expected.items()}, inputs)
        if not verdict.passed:
            raise SuiteError(f"the solution fails its own case {case.key}: {verdict.message}")
        references["cases"][case.key] = {
            "inputs": {key: plain.encode(value) for key, value in inputs.items()},
            "expected": expected,
        }
    return references


def solution_references(cases: list[Case], code: list[str], namespace: dict, *, cases_file: Path, seed: int) -> dict:
    """References from a solved notebook: ``code`` its code cells, ``namespace`` its globals after running.

    Raises:
        SuiteError: the solution lacks a swap-in function or a DATA_VARIABLES value, or fails a case.
    """
    swap_names = tuple(sorted({name for case in cases for name in case.swap_in}))
    sources = function_sources(code, swap_names)
    return compute_references(cases, namespace, data=case_data(cases_file, namespace), seed=seed, function_sources=sources)


def case_data(cases_file: Path, namespace: dict) -> dict[str, np.ndarray]:
    """The course data the cases draw inputs from: the solution's values of the cases module's DATA_VARIABLES."""
    data = {}
    for key, variable in getattr(load_cases_module_object(cases_file), "DATA_VARIABLES", {}).items():
        if variable not in namespace:
            raise SuiteError(f"{cases_file}: DATA_VARIABLES names {variable!r}, which the solution never defines")
        value = namespace[variable]
        data[key] = value.detach().numpy() if hasattr(value, "detach") else value
    return data


def inputs_only(references: dict) -> dict:
    """``references`` without any expected output."""
    return {
        **{key: value for key, value in references.items() if key != "cases"},
        "cases": {key: {"inputs": case["inputs"]} for key, case in references["cases"].items()},
    }


def run_in_process(suite: Suite, case: Case, namespace: dict) -> Verdict:
    """Probe and judge in this process (the Otter / Gradescope path)."""
    inputs = suite.inputs(case)
    payload = probe(case, namespace, inputs, suite.reference_functions(case))
    # Round-trip through JSON so the judge sees exactly what a pipe would carry.
    student = plain.loads(plain.dumps(payload))
    return judge(case, student, suite.expected(case), inputs)
