"""What runs beside student code in the kit's grader: the sandbox and the probing inside it."""

from autograder.sandbox.broker import RevealRefused
from autograder.sandbox.isolated import SANDBOX_UID_BASE
from autograder.sandbox.modes import Mode, current_mode
from autograder.sandbox.outcome import DEFENCES, Limits, Result
from autograder.sandbox.run import full_isolation_available, run_sandboxed

__all__ = [
    "DEFENCES",
    "SANDBOX_UID_BASE",
    "Limits",
    "Mode",
    "Result",
    "RevealRefused",
    "current_mode",
    "full_isolation_available",
    "run_sandboxed",
]
