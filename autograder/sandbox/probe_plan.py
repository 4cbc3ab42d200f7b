"""What a sandbox holds of an assignment's hidden cases: each case's probe and inputs, nothing that judges.

The grader imports the whole cases file: its judges, its diagnoses, the functions that draw
inputs at release and the helpers they share, some of which compute an answer outright (a
loss or an accuracy written from scratch, to name a mistake). A notebook can reach anything
in its own process (``sys.modules``, ``gc``), so none of that may be there. The grader builds
a ``ProbePlan`` instead and hands it over as bytes (``dumps``): instructor functions a probe
calls travel by value (cloudpickle), each with only the module-level names its code uses, and
a declared case keeps only what its probe reads (``Declared.for_probing``). No process that
runs student code imports the cases file.
"""

from __future__ import annotations

import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import cloudpickle

from autograder.authoring.cases import Case, Probe
from autograder.authoring.declared import Declared
from autograder.authoring.suite import CasesModule, Suite


@dataclass(frozen=True)
class ProbeCase:
    """One hidden case as a sandbox holds it: its probe, without what draws its inputs or judges them."""

    question: str
    name: str
    probe: Probe
    swap_in: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.question}/{self.name}"

    @classmethod
    def of(cls, case: Case) -> "ProbeCase":
        declared = getattr(case.probe, "__self__", None)
        probe = declared.for_probing().probe if isinstance(declared, Declared) else case.probe
        return cls(case.question, case.name, probe, case.swap_in)


@dataclass
class ProbePlan:
    """Everything the sandbox may hold: the probes and their inputs. No judge, no expected
    output, and no reference function (``reveal`` hands those out after phase one)."""

    cases: dict[str, list[ProbeCase]]  # question → its cases
    inputs: dict[str, dict]  # case key → input arrays
    charts: tuple = ()  # what the feedback page plots
    recorded: tuple[str, ...] = ()  # first format: the variables it plots
    notebook_name: str = "submission.ipynb"  # the init cell opens it by this name

    @classmethod
    def of(cls, module: CasesModule, stored: Suite, *, notebook_name: str) -> "ProbePlan":
        """The plan for ``module``'s cases, with their inputs from ``stored`` (its references hold no expected
        output)."""
        by_question: dict[str, list[ProbeCase]] = {}
        for case in module.cases:
            by_question.setdefault(case.question, []).append(ProbeCase.of(case))
        inputs = {case.key: stored.inputs(case) for case in module.cases}
        return cls(by_question, inputs, tuple(module.charts), tuple(module.recorded), notebook_name)

    def dumps(self, cases_file: Path) -> bytes:
        """The plan as bytes; functions of modules loaded from ``cases_file``'s folder go by value."""
        folder = Path(cases_file).resolve().parent
        own = [module for module in list(sys.modules.values()) if _loaded_from(module, folder)]
        for module in own:
            cloudpickle.register_pickle_by_value(module)
        try:
            return cloudpickle.dumps(self)
        finally:
            for module in own:
                cloudpickle.unregister_pickle_by_value(module)

    @staticmethod
    def loads(data: bytes) -> "ProbePlan":
        plan = pickle.loads(data)
        if not isinstance(plan, ProbePlan):
            raise TypeError(f"a probe plan was expected, not a {type(plan).__name__}")
        return plan


def _loaded_from(module, folder: Path) -> bool:
    origin = getattr(module, "__file__", None)
    return bool(origin) and Path(origin).resolve().parent == folder
