"""The reference data release stores: every hidden case's inputs and the solution's outputs on them.

Each case draws its inputs from a generator seeded by the release seed and
the case's own name, so adding or reordering cases leaves the others' inputs
as they were. The solution must pass every case it defines; a mistake in the
cases file is reported with the file, the case and what to change.
"""

from __future__ import annotations

import zlib

import numpy as np

from autograder import definitions
from autograder.authoring import charts, checks, wire
from autograder.authoring.cases import Case, InputContext
from autograder.authoring.reference_data import CaseReference, References
from autograder.authoring.suite import CasesModule, SuiteError, build_reference_functions, judge, probe
from autograder.sandbox.outcome import Limits


class CasesFileError(SuiteError):
    """A case in the instructor's cases file cannot be computed on the solution."""


# Arrays this small can be equal by chance (two labels, a count); equal larger ones are one copied.
ANSWER_MIN_ELEMENTS = 4

# A sandbox hands back every case's results at once, through a pipe capped at Limits.result_cap; the
# notebook's output, its public checks and the charts' variables share it, so the cases get half.
RESULTS_SHARE_OF_CAP = 0.5


def compute_references(module: CasesModule, namespace: dict, code: list[str], *, seed: int) -> References:
    """Probe every case on the solved notebook ``namespace`` (run from the cells ``code``).

    Returns the reference data: the seed, the swap-in sources, and per case its
    inputs and the solution's encoded outputs.

    Raises:
        CasesFileError: a swap-in or called name the solution never defines, an
            input that cannot be made, or a case the solution itself fails.
    """
    sources = _swap_in_sources(module, code)
    functions = build_reference_functions(sources)
    data = _first_format_data(module, namespace)
    references = References(seed=seed, cases={}, reference_functions=sources)
    held: dict[str, dict[str, np.ndarray]] = {}
    answers: dict[str, dict[str, wire.Value]] = {}
    for case in module.cases:
        where = f"{module.path}, case {case.key}"
        if case.calls and case.calls not in namespace:
            raise CasesFileError(
                f"{where}: it calls {case.calls!r}, which the solution notebook never defines; check the name"
            )
        inputs = _inputs(case, InputContext(rng=case_rng(seed, case), data=data, namespace=namespace), where)
        expected = probe(case, namespace, inputs, {name: functions[name] for name in case.swap_in})
        decoded = {key: wire.decode(value) for key, value in expected.items()}
        verdict = judge(case, decoded, decoded, inputs)
        if not verdict.passed:
            raise CasesFileError(f"{where}: the solution fails its own case: {verdict.message}")
        encoded = {key: wire.encode(value) for key, value in inputs.items()}
        references.cases[case.key] = CaseReference(encoded, expected)
        held[case.key], answers[case.key] = inputs, decoded
    _refuse_answers_among_inputs(module, held, answers)
    _refuse_results_over_the_cap(module, references.cases)
    return references


def _refuse_results_over_the_cap(module: CasesModule, cases: dict[str, CaseReference]) -> None:
    """A sandbox hands back every case's results in one capped message, and a student's results are
    the size of the solution's: over the cap, the grader would refuse every submission's run."""
    sizes = {key: len(wire.dumps(case.expected)) for key, case in cases.items()}
    allowed = int(Limits().result_cap * RESULTS_SHARE_OF_CAP)
    if sum(sizes.values()) > allowed:
        largest = ", ".join(
            f"{key} ({size / 1024:.0f} KiB)" for key, size in sorted(sizes.items(), key=lambda item: -item[1])[:3]
        )
        raise CasesFileError(
            f"{module.path}: the solution's results on the hidden cases take {sum(sizes.values()) / 1024:.0f} KiB, "
            "over the "
            f"{allowed / 1024:.0f} KiB a sandbox may hand back for them, so the grader would refuse every submission's "
            "run; "
            f"the largest: {largest}; give those cases smaller inputs (a slice of the course data, drawn(lambda "
            "context: "
            f"context.namespace['x'][:100]), rather than all of it)"
        )


def _refuse_answers_among_inputs(
    module: CasesModule, held: dict[str, dict[str, np.ndarray]], answers: dict[str, dict[str, wire.Value]]
) -> None:
    """Every case's inputs are in the sandbox: none may be another case's expected output,
    or a notebook could find it there and return it as that answer."""
    for answered, observed in answers.items():
        for observation, value in observed.items():
            answer = checks.numbers_of(value)
            if answer is None or answer.size < ANSWER_MIN_ELEMENTS:
                continue
            for holder, inputs in held.items():
                for name, array in inputs.items():
                    if holder != answered and np.shape(array) == answer.shape and np.array_equal(array, answer):
                        raise CasesFileError(
                            f"{module.path}, case {holder}: its input {name!r} is the solution's {observation!r} in "
                            f"case {answered}, and a sandbox "
                            "holds every case's inputs, so a notebook could find it there and return it as that "
                            "answer; make this input "
                            "another way than from the solution's results (data(...) of a variable the solution "
                            "computed, say)"
                        )


def case_rng(seed: int, case: Case) -> np.random.Generator:
    """The generator a case draws its inputs from: the same for the same seed and case name."""
    return np.random.default_rng([seed, zlib.crc32(case.key.encode("utf-8"))])


def recorded_values(module: CasesModule, namespace: dict) -> dict:
    """The solution's values of what the feedback page plots, encoded as a submission's are."""
    raw = charts.record(module.charts, module.recorded, namespace)
    return {name: wire.encode_recorded(value) for name, value in raw.items()}


def _swap_in_sources(module: CasesModule, code: list[str]) -> dict[str, str]:
    names = sorted({name for case in module.cases for name in case.swap_in})
    found = definitions.definitions(code)
    for name in names:
        if name not in found:
            users = ", ".join(case.key for case in module.cases if name in case.swap_in)
            raise CasesFileError(
                f"{module.path}: {users} swap in {name!r}, but the solution notebook defines no top-level def or class "
                f"{name!r}"
            )
    return {name: found[name] for name in names}


def _inputs(case: Case, context: InputContext, where: str) -> dict[str, np.ndarray]:
    try:
        made = case.make_inputs(context)
    except Exception as error:
        raise CasesFileError(
            f"{where}: making its inputs raised {type(error).__name__}: {error}{_hint(error)}"
        ) from error
    if not isinstance(made, dict):
        raise CasesFileError(f"{where}: its inputs must be a dict of arrays, got {type(made).__name__}")
    try:
        return {str(key): np.asarray(value) for key, value in made.items()}
    except Exception as error:
        raise CasesFileError(f"{where}: input values must be arrays or numbers ({error})") from error


def _hint(error: Exception) -> str:
    if type(error) is KeyError:
        return "; the case reads an input that is not there (check DATA_VARIABLES and the names its code reads)"
    return ""


def _first_format_data(module: CasesModule, namespace: dict) -> dict[str, np.ndarray]:
    """The first format's course data: the solution's values of DATA_VARIABLES."""
    data = {}
    for key, variable in (module.data_variables or {}).items():
        if variable not in namespace:
            raise CasesFileError(f"{module.path}: DATA_VARIABLES names {variable!r}, which the solution never defines")
        value = namespace[variable]
        data[key] = value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)
    return data
