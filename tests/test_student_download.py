"""The zip a student downloads runs on its own: unzipped into an empty folder, with nothing installed but
its requirements.txt (and the kernel Jupyter needs), its public checks pass on the solution's answers and
fail on the blank, using the kit's runtime the zip carries. The course server hands out the same zip.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from autograder.authoring.student import SERVER_FILE
from autograder.release.student_download import REQUIREMENTS_FILE
from autograder.sandbox.probe_run import checkpoint_question
from autograder.server.download import DownloadMissing, check_downloads, student_folder_zip
from tests.fresh_python import fresh_python

pytestmark = pytest.mark.slow
# The lightest lesson: NumPy, matplotlib and SciPy, no torch.
NAME = "kmeans"
KERNEL = "student-download"
WHERE_FROM = "import autograder, sys\nprint(autograder.__file__)\nprint(sys.prefix)"


@pytest.fixture(scope="module")
def kmeans(releases):
    return releases(NAME)[0]


@pytest.fixture(scope="module")
def student_python(kmeans, tmp_path_factory) -> SimpleNamespace:
    """A fresh venv holding the download's requirements and ipykernel, nothing else, and its kernel spec."""
    folder = tmp_path_factory.mktemp("student-python")
    with zipfile.ZipFile(kmeans.student_zip_path) as download:
        requirements = download.read(f"{NAME}/{REQUIREMENTS_FILE}").decode().splitlines()
    python = fresh_python(folder / "venv", [*requirements, "ipykernel"])
    subprocess.run(
        [str(python), "-m", "ipykernel", "install", "--prefix", str(folder / "jupyter"), "--name", KERNEL],
        check=True,
        capture_output=True,
        timeout=120,
    )
    kernels = KernelSpecManager(kernel_dirs=[str(folder / "jupyter" / "share" / "jupyter" / "kernels")])
    return SimpleNamespace(prefix=folder / "venv", kernels=kernels)


def _run_in_download(
    kmeans, student_python: SimpleNamespace, notebook: nbformat.NotebookNode, folder: Path
) -> nbformat.NotebookNode:
    """Unzip the download into ``folder``, put ``notebook`` in its place and run it in the fresh kernel."""
    with zipfile.ZipFile(kmeans.student_zip_path) as download:
        download.extractall(folder)
    here = folder / NAME
    nbformat.write(notebook, here / f"{NAME}.ipynb")
    notebook.cells.append(nbformat.v4.new_code_cell(WHERE_FROM))
    # Nothing of this process's environment points the kernel at the kit's own venv or checkout.
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))
    }
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=student_python.kernels)
    client = NotebookClient(
        notebook, km=manager, timeout=180, allow_errors=True, resources={"metadata": {"path": str(here)}}
    )
    client.execute(env=clean)
    return notebook


def _checks(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Question → what its ``grader.check`` cell showed (Otter's plain-text summary)."""
    shown = {}
    for cell in notebook.cells:
        question = checkpoint_question(cell.source) if cell.cell_type == "code" else None
        if question:
            results = [output for output in cell.outputs if output.output_type == "execute_result"]
            errors = [f"{output.ename}: {output.evalue}" for output in cell.outputs if output.output_type == "error"]
            assert results and not errors, f"grader.check({question!r}) showed no result: {errors}"
            shown[question] = results[0].data["text/plain"]
    return shown


def _ran_from(notebook: nbformat.NotebookNode) -> list[str]:
    """What the last cell printed: where ``autograder`` came from, and the kernel's ``sys.prefix``."""
    return "".join(output.get("text", "") for output in notebook.cells[-1].outputs).split()


def test_the_download_runs_its_public_checks_in_a_fresh_kernel(kmeans, student_python, tmp_path):
    template = nbformat.read(kmeans.student_dir / f"{NAME}.ipynb", as_version=4)
    solution = nbformat.read(kmeans.solution_dir / f"{NAME}.ipynb", as_version=4)
    blank = _run_in_download(kmeans, student_python, template, tmp_path / "blank")
    solved = _run_in_download(kmeans, student_python, solution, tmp_path / "solved")
    runtime = tmp_path / "blank" / NAME / "autograder" / "__init__.py"
    assert _ran_from(blank) == [str(runtime), str(student_python.prefix)]
    failing, passing = _checks(blank), _checks(solved)
    questions = {path.stem for path in (kmeans.student_dir / "tests").glob("*.py")}
    assert set(passing) == set(failing) == questions
    for question, shown in passing.items():
        assert shown.startswith(f"{question} results: All test cases passed!"), shown
    for shown in failing.values():
        assert "All test cases passed" not in shown and "is not written yet" in shown, shown
    exported = sorted(path.name for path in (tmp_path / "solved" / NAME).glob(f"{NAME}_*.zip"))
    assert len(exported) == 1, f"the export cell wrote {exported}"


def test_the_course_server_hands_out_the_released_zip_with_the_students_server_file(kmeans):
    served = zipfile.ZipFile(io.BytesIO(student_folder_zip(kmeans, url="https://grader.example.edu.cn", token="t0ken")))
    with zipfile.ZipFile(kmeans.student_zip_path) as released:
        assert [(entry.filename, released.read(entry)) for entry in released.infolist()] == [
            (name, served.read(name)) for name in served.namelist() if name != f"{NAME}/{SERVER_FILE}"
        ]
    server_file = json.loads(served.read(f"{NAME}/{SERVER_FILE}"))
    assert server_file == {"url": "https://grader.example.edu.cn", "assignment": NAME, "token": "t0ken"}


def test_a_missing_download_says_how_to_make_it(tmp_path):
    unreleased = SimpleNamespace(name="lesson", student_zip_path=tmp_path / "dist" / "lesson-student.zip")
    released = SimpleNamespace(name="other", student_zip_path=tmp_path / "other-student.zip")
    released.student_zip_path.write_bytes(b"PK")
    message = r"lesson-student\.zip: missing; run `autograder release lesson`"
    with pytest.raises(DownloadMissing, match=message):
        student_folder_zip(unreleased, url="http://localhost", token="t")
    with pytest.raises(DownloadMissing, match=message):  # the server refuses to start
        check_downloads([released, unreleased])
    check_downloads([released])
