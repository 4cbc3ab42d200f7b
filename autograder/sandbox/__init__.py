"""What runs beside student code in the kit's grader: the sandbox and the probing inside it."""
from autograder.sandbox.run import SANDBOX_UID_BASE, Limits, Result, RevealRefused, full_isolation_available, run_sandboxed

__all__ = ["SANDBOX_UID_BASE", "Limits", "Result", "RevealRefused", "full_isolation_available", "run_sandboxed"]
