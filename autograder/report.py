"""Plain-text tables for the terminal."""
from __future__ import annotations


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def release_table(report) -> str:
    """Summary of one release: per question, points and what validation saw."""
    a = report.assignment
    rows = []
    for question, possible in report.points.items():
        rows.append([question, f"{possible:g}", _score(report.solution_scores, question), _score(report.template_scores, question)])
    total = sum(report.points.values())
    rows.append(["total", f"{total:g}", _score_total(report.solution_scores), _score_total(report.template_scores)])
    lines = [
        f"released {a.name}" + (" (generated data/data.txt)" if report.data_generated else ""),
        f"  student template  {a.student_dir.relative_to(a.root)}/",
        f"  solution          {a.solution_dir.relative_to(a.root)}/",
        f"  autograder zip    {a.zip_path.relative_to(a.root)}",
        "",
        table(["question", "points", "solution", "blank template"], rows),
    ]
    return "\n".join(lines)


def _score(scores: dict, question: str) -> str:
    return f"{scores[question]:g}" if question in scores else "-"


def _score_total(scores: dict) -> str:
    return f"{sum(scores.values()):g}" if scores else "-"
