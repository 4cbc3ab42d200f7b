"""Otter's own cells, in the course's languages: the init cell, the answer cells, the export cell.

Otter Assign writes these cells in English; release rewrites them in the notebooks it publishes
(the student's and the solution's), and puts the identity cell's export in place of Otter's:
the zip is named after the student and carries who they are.
"""

from __future__ import annotations

import nbformat

INIT = "# 初始化 Otter（检查与导出要用）· Initialize Otter (used by the checks and the export)\n"
EXPORT_TEXT = """## 提交 · Submission

按顺序运行所有单元，确认图都显示出来、检查都通过，然后**先保存 notebook**，再运行下面的单元：它会生成一个以你的学号命名的 zip 文件，提交这个文件。

*Run every cell in order so the plots appear and the checks pass, **save the notebook**, then run the cell below: it writes a zip file named after your student number. Submit that file.*"""  # noqa: E501
EXPORT_CODE = """# 先保存，再运行本单元 · Save first, then run this cell
from autograder.authoring.student import export
export(grader, STUDENT_NAME, STUDENT_ID)"""
ANSWER_TEXT = "_在这里写下你的回答（替换这行字）· Type your answer here, replacing this text._"
OTTER_ANSWER = "_Type your answer here, replacing this text._"


def localise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Rewrite Otter's generated cells in place; returns ``notebook``."""
    for cell in notebook.cells:
        source = cell.source
        if cell.cell_type == "code" and source.startswith("# Initialize Otter\n"):
            cell.source = INIT + source[len("# Initialize Otter\n") :]
        elif cell.cell_type == "markdown" and source.startswith("## Submission\n"):
            cell.source = EXPORT_TEXT
        elif (
            cell.cell_type == "code"
            and "grader.export(" in source
            and source.lstrip().startswith("# Save your notebook first")
        ):
            cell.source = EXPORT_CODE
        elif cell.cell_type == "markdown" and source.strip() == OTTER_ANSWER:
            cell.source = ANSWER_TEXT
    return notebook
