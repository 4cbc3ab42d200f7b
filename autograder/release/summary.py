"""What ``autograder release`` reports: where it wrote, and how each question held up."""

from __future__ import annotations

from autograder.tables import render, table


def release_table(report) -> str:
    """Summary of one release: per question, points and what validation saw."""
    a = report.assignment
    caught = {q.question: q for q in report.mutation.questions} if report.mutation else {}
    rows = [
        [
            question,
            f"{possible:g}",
            _score(report.solution_scores, question),
            _score(report.template_scores, question),
            _caught(caught.get(question)),
        ]
        for question, possible in report.points.items()
    ]
    rows += [[question, f"{possible:g}", WRITTEN, "-", "-"] for question, possible in report.written.items()]
    autograded, written = sum(report.points.values()), sum(report.written.values())
    if report.written:
        rows.append(
            [
                "autograded",
                f"{autograded:g}",
                _score_total(report.solution_scores),
                _score_total(report.template_scores),
                "",
            ]
        )
        rows.append(["written", f"{written:g}", "", "", ""])
    rows.append(
        [
            "total",
            f"{autograded + written:g}",
            _score_total(report.solution_scores) if not report.written else "",
            _score_total(report.template_scores) if not report.written else "",
            "",
        ]
    )
    lines = [f"released {a.name}"]
    lines += [f"  generated         {name}" for name in report.generated]
    lines += [
        f"  student template  {a.student_dir.relative_to(a.root)}/",
        f"  solution          {a.solution_dir.relative_to(a.root)}/",
        f"  autograder zip    {a.zip_path.relative_to(a.root)}",
        f"  student download  {a.student_zip_path.relative_to(a.root)}",
        f"  requirements      {', '.join(line for line in report.requirements if not line.startswith('-'))}",
        *(f"  {run.label:<18}{run.why}" for run in report.runs),
        "",
        render(table(["question", "points", "solution", "blank template", "mutants caught"], rows)),
    ]
    if report.written:
        lines.append(
            f"\n{autograded:g} points autograded (final_grades.csv is Otter's gradebook of these alone) + {written:g} "
            "written, marked by TAs in OUT/written/ "
            f"= {autograded + written:g}, the total of students.csv, the LMS exports and every feedback page"
        )
    lines += [f"\nwarning: {warning}" for warning in report.warnings]
    weak = report.mutation.below() if report.mutation else []
    if weak:
        lines.append(
            f"\nwarning: the hidden cases of {', '.join(q.question for q in weak)} miss too many mutants; `autograder "
            f"validate {a.name}` lists the survivors"
        )
    return "\n".join(lines)


WRITTEN = "written (TA)"


def _caught(score) -> str:
    """'49/49 (100%)' for a question's mutation score, '-' when not measured."""
    if score is None:
        return "-"
    counted = score.total - len(score.equivalent)
    return f"{score.caught}/{counted} ({score.score:.0%})"


def _score(scores: dict | None, question: str) -> str:
    return f"{scores[question]:g}" if scores and question in scores else "-"


def _score_total(scores: dict | None) -> str:
    return f"{sum(scores.values()):g}" if scores else "-"
