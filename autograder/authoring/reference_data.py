"""The reference data release stores beside the hidden cases, and its only reader and writer.

``references.json`` holds every case's inputs and the solution's outputs on
them, the swap-in functions' sources, the solution's values of the plotted
variables and the written questions' points. ``case_inputs.json`` is the same
less everything drawn from the solution: all a process running student code
may hold. Values are wire payloads (``autograder.authoring.wire.encode``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import KitError

REFERENCES_FILE = "references.json"
INPUTS_FILE = "case_inputs.json"
FORMAT_VERSION = 1


class ReferenceDataError(KitError, ValueError):
    """A references file that cannot be read, or one another version of the kit wrote."""


@dataclass(frozen=True)
class CaseReference:
    """One hidden case: its inputs, and (in the full file only) the solution's outputs on them."""

    inputs: dict[str, Any]
    expected: dict[str, Any] | None = None


@dataclass
class References:
    """The content of ``references.json``; ``None`` marks a part the inputs-only copy leaves out."""

    seed: Any
    cases: dict[str, CaseReference]
    reference_functions: dict[str, str] | None = None
    notebook: dict[str, Any] | None = None
    manual_questions: dict[str, float] | None = None

    @classmethod
    def from_json(cls, text: str | bytes, *, where: str) -> "References":
        """Parse the file's text; ``where`` names it in errors.

        Raises:
            ReferenceDataError: not JSON, or not this version's layout.
        """
        try:
            raw = json.loads(text)
        except ValueError as error:
            raise ReferenceDataError(
                f"{where}: cannot read the reference data ({error}); run `autograder release` again"
            ) from error
        if not isinstance(raw, dict) or raw.get("version") != FORMAT_VERSION or not isinstance(raw.get("cases"), dict):
            raise ReferenceDataError(f"{where}: written by another version of the kit; run `autograder release` again")
        cases = {key: CaseReference(case["inputs"], case.get("expected")) for key, case in raw["cases"].items()}
        manual = raw.get("manual_questions")
        return cls(
            seed=raw.get("seed"),
            cases=cases,
            reference_functions=raw.get("reference_functions"),
            notebook=raw.get("notebook"),
            manual_questions=None if manual is None else {str(name): float(points) for name, points in manual.items()},
        )

    @classmethod
    def read(cls, path: Path) -> "References":
        """Read a references file (or its inputs-only copy)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ReferenceDataError(
                f"{path}: cannot read the reference data ({error}); run `autograder release` again"
            ) from error
        return cls.from_json(text, where=str(path))

    def to_json(self) -> str:
        raw: dict[str, Any] = {"version": FORMAT_VERSION, "seed": self.seed}
        if self.reference_functions is not None:
            raw["reference_functions"] = self.reference_functions
        raw["cases"] = {key: _case_json(case) for key, case in self.cases.items()}
        if self.notebook is not None:
            raw["notebook"] = self.notebook
        if self.manual_questions is not None:
            raw["manual_questions"] = self.manual_questions
        return json.dumps(raw)

    def write(self, path: Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    def inputs_only(self) -> "References":
        """These references with nothing drawn from the solution but the cases' inputs."""
        return References(self.seed, {key: CaseReference(case.inputs) for key, case in self.cases.items()})

    def sources(self) -> dict[str, str]:
        """The swap-in functions' sources ({} in the inputs-only copy)."""
        return self.reference_functions or {}

    def recorded(self) -> dict[str, Any]:
        """The solution's values of the plotted variables ({} for older files)."""
        return self.notebook or {}

    def written_questions(self) -> dict[str, float]:
        """Written question → points ({} for older files)."""
        return self.manual_questions or {}


def _case_json(case: CaseReference) -> dict:
    if case.expected is None:
        return {"inputs": case.inputs}
    return {"inputs": case.inputs, "expected": case.expected}
