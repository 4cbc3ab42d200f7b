"""No module of the package grows past what a reader takes in at once."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"
MAX_LINES = 300


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_package_is_read_from_disk():
    assert _lines(PACKAGE / "cli.py") > 50


def test_no_module_is_over_300_lines():
    long = sorted((_lines(path), str(path.relative_to(PACKAGE.parent))) for path in PACKAGE.rglob("*.py"))
    over = [f"{name} ({count} lines)" for count, name in long if count > MAX_LINES]
    assert not over, f"split by job into modules of at most {MAX_LINES} lines: " + ", ".join(over)
