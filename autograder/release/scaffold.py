"""``autograder new NAME``: a one-question assignment that releases green at once.

It writes ``assignments/NAME/`` with a source notebook (one question, its
solution, one public test), a cases file declaring its hidden cases, and an
``assignment.yml``. An instructor then grows it question by question
(docs/authoring.md walks through a whole assignment).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from autograder import KitError
from autograder.release.requirements import listed_requirements

NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")


class ScaffoldError(KitError, ValueError):
    """The name is not usable, or the assignment already exists."""


CASES = '''"""Hidden cases of {name}: each compares a student's function with the solution's.

`cases.output(function, case, *arguments)` calls the student's function and the
solution's on the same arguments (drawn once, at release) and compares what they
return. See docs/authoring.md for training curves, accuracy on held-out data,
models (nn.Module classes) and hand-written cases.
"""
import numpy as np

from autograder.authoring import Cases, normal

cases = Cases(torch=True)

CASES = [
    cases.output("standardize", "column", normal(3.0, 2.0, (20, 1))),
    cases.output("standardize", "matrix", normal(0.0, 5.0, (8, 4))),
    cases.output("standardize", "fixed", np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])),
]
'''

CONFIG = """title: "{title}"
teaches: "(one line: what this lesson teaches)"
# order: 10          # its place in the course; lessons are listed by it
# What the notebook and cases.py import, installed where the zip grades it. Add a line for each
# package you import later (matplotlib for a plot): release warns about an import missing here.
requirements:
{requirements}
"""

TASK = """## 1. 标准化 · Standardize

**任务：** 实现 `standardize(x)`：`x` 是形状为 (N, D) 的张量，每一列减去该列的均值、再除以该列的标准差（`x.std(dim=0)`），返回同样形状的张量。

***Task:** write `standardize(x)`: `x` is a tensor of shape (N, D); subtract each column's mean and divide by that column's standard deviation (`x.std(dim=0)`), returning a tensor of the same shape.*"""  # noqa: E501

SOLUTION = """def standardize(x):
    # BEGIN SOLUTION
    return (x - x.mean(dim=0)) / x.std(dim=0)
    # END SOLUTION"""

PUBLIC_TEST = """def test_standardize_small(standardize):
    import torch
    out = standardize(torch.tensor([[1.0, 10.0], [3.0, 30.0]]))
    assert isinstance(out, torch.Tensor), f"应返回张量 / should return a tensor, got {type(out).__name__}"
    assert out.shape == (2, 2), f"形状应为 (2, 2) / the shape should be (2, 2), got {tuple(out.shape)}"
    expected = torch.tensor([[-0.7071, -0.7071], [0.7071, 0.7071]])
    assert torch.allclose(out, expected, atol=1e-3), f"standardize = {out.tolist()}, 应约为 / should be about {expected.tolist()}\""""  # noqa: E501


def scaffold(root: Path, name: str, *, title: str = "") -> list[Path]:
    """Write ``assignments/<name>/`` under ``root``; return the files written.

    Raises:
        ScaffoldError: ``name`` is not a lowercase identifier, or the folder exists.
    """
    if not NAME.fullmatch(name):
        raise ScaffoldError(
            f"{name!r}: name an assignment with lowercase letters, digits and _, starting with a letter (it becomes a "
            "folder and a file name)"
        )
    folder = Path(root) / "assignments" / name
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists; pick another name or edit that assignment")
    folder.mkdir(parents=True)
    title = title or name.replace("_", " ").title()
    notebook_path = folder / f"{name}.ipynb"
    notebook = _notebook(name, title)
    nbformat.write(notebook, notebook_path)
    cases = CASES.format(name=name)
    (folder / "cases.py").write_text(cases, encoding="utf-8")
    imported = listed_requirements([cell.source for cell in notebook.cells if cell.cell_type == "code"] + [cases])
    config = CONFIG.format(title=title.replace('"', "'"), requirements="\n".join(f"  - {line}" for line in imported))
    (folder / "assignment.yml").write_text(config, encoding="utf-8")
    return [notebook_path, folder / "cases.py", folder / "assignment.yml"]


def _notebook(name: str, title: str) -> nbformat.NotebookNode:
    raw, markdown, code = nbformat.v4.new_raw_cell, nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        raw(f"# ASSIGNMENT CONFIG\nname: {name}"),
        markdown(
            f"# {title}\n\n在每个函数下面运行检查单元，立即看到公开测试的结果；提交后用隐藏测试评分。\n\n*Run the "
            "check cell under each function to see the public tests at once; hidden tests grade your submission.*"
        ),
        code("import torch"),
        markdown(TASK),
        raw("# BEGIN QUESTION\nname: standardize\npoints: 2"),
        raw("# BEGIN SOLUTION"),
        code(SOLUTION),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code(PUBLIC_TEST),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook
