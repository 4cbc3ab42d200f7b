"""The report a sandbox hands back at the end of each phase, and its only reader and writer.

Phase one's (committed before any reference function is lent) carries the
cell errors, the printed output, the probes of the cases that use only the
student's functions and the plotted variables; phase two's carries only the
probes of the swap-in cases. Both travel as JSON. What comes back was written
by a process that ran student code, so ``from_bytes`` checks only the frame
and leaves every value for the judge to distrust.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# The judge keeps only this many cell errors; the sandbox sends no more.
REPORTED_ERRORS = 50


@dataclass
class CellError:
    cell: int
    error: str


@dataclass
class ProbeReport:
    """``probes``: case key → encoded probe data. ``output``/``errors``/``variables`` are None in phase two's."""

    probes: dict[str, Any] = field(default_factory=dict)
    errors: list[Any] | None = None
    output: Any = None
    variables: Any = None

    @classmethod
    def nothing_committed(cls) -> "ProbeReport":
        """What a sandbox that never reached its commit is taken to have said."""
        return cls(errors=[], output="", variables={})

    def to_bytes(self) -> bytes:
        if self.errors is None:
            return json.dumps({"probes": self.probes}).encode()
        errors = [_as_sent(error) for error in self.errors]
        raw = {"errors": errors, "output": self.output, "probes": self.probes, "variables": self.variables}
        return json.dumps(raw).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "ProbeReport":
        """Read a report as sent; ``errors`` holds only well-formed CellErrors.

        Raises:
            ValueError: not JSON, or no ``probes`` object.
        """
        report = json.loads(raw)
        if not isinstance(report, dict) or not isinstance(report.get("probes"), dict):
            raise ValueError("no probes object")
        return cls(
            probes=report["probes"],
            errors=_cell_errors(report.get("errors")),
            output=report.get("output", ""),
            variables=report.get("variables", {}),
        )


def _as_sent(error: Any) -> Any:
    """A CellError as JSON. The list lives in the sandbox, where the notebook can add anything to it:
    an entry of another kind is sent as its cell and error where they are an int and a text, for the
    grader's reader to keep or drop."""
    cell, text = (error.cell, error.error) if isinstance(error, CellError) else _fields(error)
    return {"cell": cell if type(cell) is int else None, "error": str(text) if isinstance(text, str) else None}


def _fields(entry: Any) -> tuple[Any, Any]:
    return (entry.get("cell"), entry.get("error")) if type(entry) is dict else (None, None)


def _cell_errors(raw: Any) -> list[CellError]:
    """Of the first REPORTED_ERRORS entries, each that is an int cell index with an error text."""
    entries = raw[:REPORTED_ERRORS] if isinstance(raw, list) else []
    return [
        CellError(entry["cell"], entry["error"])
        for entry in entries
        if isinstance(entry, dict) and type(entry.get("cell")) is int and isinstance(entry.get("error"), str)
    ]
