"""The course's data sets: each lives in data/<name>/ with its generator and a datasheet; an assignment
declares the ones it uses in assignment.yml and release hands their files out; a folder keeping its
own data still releases; a bad declaration names assignment.yml and the fix."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.assignment import Assignment, AssignmentConfig, AssignmentConfigError, DataUse
from autograder.cli import main
from autograder.data_sets import DataSet, run_generator
from autograder.release import release
from autograder.release.data_files import gather
from autograder.release.source_notebook import SourceNotebook
from tests.conftest import PROJECT

EXAMPLE = PROJECT / "docs" / "example" / "linear_regression"
FIRST_FORMAT = PROJECT / "tests" / "fixtures" / "first_format"
DATA_SETS = DataSet.all(PROJECT)
DATASHEET_ROWS = ("source", "licence", "how it was made", "seed", "shape", "columns")


# The course's own data sets ---------------------------------------------------------------------


def test_the_shipped_lessons_take_their_data_from_data_sets():
    assert {"admissions", "blobs", "digits", "moons"} <= {data_set.name for data_set in DATA_SETS}
    for assignment in Assignment.all(PROJECT):
        assert not assignment.generator_file.exists(), f"{assignment.name}'s generator belongs in data/<set>/"
        handed_out = gather(assignment, SourceNotebook.read(assignment.source_notebook).config)
        from_sets = [name for name, path in handed_out.files.items() if path.is_relative_to(PROJECT / "data")]
        assert from_sets == [name for name in handed_out.files if not name.endswith(".py")], (
            f"{assignment.name} hands out data from outside data/"
        )
        assert handed_out.generated == []


@pytest.mark.parametrize("data_set", DATA_SETS, ids=lambda data_set: data_set.name)
def test_each_data_set_has_a_generator_and_a_datasheet(data_set):
    assert data_set.generator.is_file()
    assert data_set.datasheet is not None, f"{data_set.folder} has no README.md datasheet"
    sheet = data_set.datasheet.read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \|", sheet, re.MULTILINE)
    assert [row for row in DATASHEET_ROWS if row not in rows] == [], f"{data_set.datasheet} lacks rows"
    assert [name for name in data_set.files() if f"`{name}`" not in sheet] == [], "the datasheet names every file"


@pytest.mark.parametrize("data_set", DATA_SETS, ids=lambda data_set: data_set.name)
def test_each_committed_file_is_what_its_generator_writes(data_set, tmp_path):
    written = run_generator(data_set.generator, tmp_path)
    assert sorted(path.name for path in written) == data_set.files()
    for path in written:
        assert path.read_bytes() == (data_set.folder / path.name).read_bytes(), (
            f"{data_set.folder / path.name} is stale: run `autograder make-data {data_set.name}`"
        )


# Declaring data sets in assignment.yml ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "uses"),
    [
        ("title: x\n", ()),
        ("data: [admissions]\n", (DataUse("admissions"),)),
        (
            "data:\n  - digits\n  - moons: [moons_train.csv]\n",
            (DataUse("digits"), DataUse("moons", ("moons_train.csv",))),
        ),
        (
            "data:\n  moons: [moons_train.csv, moons_test.csv]\n  digits:\n",
            (DataUse("moons", ("moons_train.csv", "moons_test.csv")), DataUse("digits")),
        ),
    ],
)
def test_data_sets_are_declared_by_name_or_with_their_files(tmp_path, text, uses):
    (tmp_path / "assignment.yml").write_text(text, encoding="utf-8")
    assert AssignmentConfig.read(tmp_path / "assignment.yml").data == uses


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data: admissions\n", r"assignment\.yml: data: write `data: \[admissions\]`"),
        ("data: [../secrets]\n", r"assignment\.yml: data: '\.\./secrets' is not a data set's name"),
        ("data: [3]\n", r"assignment\.yml: data: 3 is not a data set's name"),
        (
            "data: [{moons: moons_train.csv}]\n",
            r"assignment\.yml: data: the files of 'moons' must be a list of file names inside data/moons/",
        ),
        ("data: {moons: [/etc/passwd]}\n", r"the files of 'moons' must be a list of file names inside data/moons/"),
        (
            "data: [moons, {moons: [moons_test.csv]}]\n",
            r"assignment\.yml: data: names 'moons' twice; declare each data set once",
        ),
    ],
)
def test_a_malformed_declaration_names_assignment_yml(tmp_path, text, message):
    (tmp_path / "assignment.yml").write_text(text, encoding="utf-8")
    with pytest.raises(AssignmentConfigError, match=message):
        AssignmentConfig.read(tmp_path / "assignment.yml")


def _course(root: Path, name: str = "linear_regression") -> Assignment:
    """The guide's example as a lesson of the course: its points are data set data/points/, declared
    in assignment.yml; nothing is generated yet."""
    folder = root / "assignments" / name
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("make_data.py", "points.csv", "__pycache__"))
    (root / "data" / "points").mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE / "make_data.py", root / "data" / "points" / "make_data.py")
    notebook_path = folder / "linear_regression.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells[0].source = f"# ASSIGNMENT CONFIG\nname: {name}"
    notebook_path.unlink()
    nbformat.write(notebook, folder / f"{name}.ipynb")
    with (folder / "assignment.yml").open("a", encoding="utf-8") as config:
        config.write("data: [points]\n")
    return Assignment.find(name, root)


@pytest.mark.slow
def test_release_hands_out_a_declared_data_set_generating_it_first(tmp_path):
    assignment = _course(tmp_path)
    data_file = tmp_path / "data" / "points" / "points.csv"
    report = release(assignment, otter_check=False, mutation=False)
    assert report.generated == ["points.csv"] and data_file.is_file()
    assert (assignment.student_dir / "points.csv").read_bytes() == data_file.read_bytes()
    assert (assignment.solution_dir / "points.csv").read_bytes() == data_file.read_bytes()
    with zipfile.ZipFile(assignment.zip_path) as archive:
        assert archive.read("files/points.csv") == data_file.read_bytes()
    assert not (assignment.source_dir / "points.csv").exists(), "the data set's file stays in data/"


def test_one_data_set_serves_several_lessons(tmp_path):
    first, second = _course(tmp_path), _course(tmp_path, "regression_again")
    handed_out = [gather(a, SourceNotebook.read(a.source_notebook).config) for a in (first, second)]
    assert handed_out[0].files == handed_out[1].files == {"points.csv": tmp_path / "data" / "points" / "points.csv"}
    assert handed_out[0].generated == ["points.csv"] and handed_out[1].generated == [], (
        "the first made it, the second found it"
    )


def test_a_folder_keeping_its_own_data_still_finds_and_generates_it(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "assignments" / EXAMPLE.name)
    assignment = Assignment.find(EXAMPLE.name, tmp_path)
    handed_out = gather(assignment, SourceNotebook.read(assignment.source_notebook).config)
    assert handed_out.files == {"points.csv": assignment.source_dir / "points.csv"}
    assert handed_out.generated == ["points.csv"]


def test_a_first_format_data_file_in_data_is_found_beside_the_data_sets(tmp_path):
    shutil.copytree(FIRST_FORMAT, tmp_path, dirs_exist_ok=True)
    _course(tmp_path)
    assignment = Assignment.find("logistic_regression", tmp_path)
    handed_out = gather(assignment, SourceNotebook.read(assignment.source_notebook).config)
    assert handed_out.files["data.txt"] == tmp_path / "data" / "data.txt"
    assert [data_set.name for data_set in DataSet.all(tmp_path)] == ["points"], "a bare file of data/ is no data set"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _declare(text: str):
    return lambda a: _write(a.config_file, a.config_file.read_text(encoding="utf-8").replace("data: [points]\n", text))


MISTAKES = [
    (
        "an unknown data set",
        _declare("data: [pionts]\n"),
        r"assignment\.yml: data: there is no data set 'pionts': no folder \S+/data/pionts \(data sets here: points\); "
        r"fix the name, or add the folder",
    ),
    (
        "a file the set does not hold",
        _declare("data: {points: [point.csv]}\n"),
        r"assignment\.yml: data: points: \S+/data/points has no point\.csv \(its make_data\.py ran and did not write "
        r"it; it holds points\.csv\); fix the file names under data:",
    ),
    (
        "a generator that fails",
        lambda a: _write(a.root / "data" / "points" / "make_data.py", "def make_data(folder):\n    return 1 / 0\n"),
        r"assignment\.yml: data: points: the files of data set 'points' are missing and making them failed: "
        r"\S+/data/points/make_data\.py, line 2: running it raised ZeroDivisionError: .*fix the generator",
    ),
    (
        "a generator with no make_data",
        lambda a: _write(a.root / "data" / "points" / "make_data.py", "WRITE = 'points.csv'\n"),
        r"assignment\.yml: data: points: .*make_data\.py: define make_data\(folder\)",
    ),
    (
        "a set with neither files nor a generator",
        lambda a: (a.root / "data" / "points" / "make_data.py").unlink(),
        r"assignment\.yml: data: points: the files of data set 'points' are missing and making them failed: "
        r"\S+/data/points/make_data\.py: data set 'points' has no generator; add one defining make_data\(folder\), "
        r"or put its files in",
    ),
    (
        "a copy in the lesson's folder too",
        lambda a: _write(a.source_dir / "points.csv", "x,y\n"),
        r"assignment\.yml: data: points: both \S+/points\.csv and \S+/data/points/points\.csv would reach students as "
        r"points\.csv; delete the copy",
    ),
    (
        "two sets giving one name",
        lambda a: (
            shutil.copytree(a.root / "data" / "points", a.root / "data" / "more"),
            _declare("data: [points, more]\n")(a),
        ),
        r"assignment\.yml: data: 'points' and 'more' both give points\.csv; name the files each set gives",
    ),
]


@pytest.mark.parametrize(("mistake", "make", "message"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_bad_declaration_names_assignment_yml_and_the_fix(tmp_path, mistake, make, message):
    assignment = _course(tmp_path)
    make(assignment)
    result = CliRunner().invoke(
        main, ["--root", str(tmp_path), "release", assignment.name, "--no-otter-check", "--no-mutation"]
    )
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "Traceback" not in result.output, (
        result.output
    )
    assert re.search(message, result.output.replace("\n", " ")), result.output


# autograder make-data -----------------------------------------------------------------------------


def test_make_data_builds_every_data_set_and_every_folders_own_data(tmp_path):
    _course(tmp_path)
    own = shutil.copytree(
        EXAMPLE, tmp_path / "assignments" / "own_data", ignore=shutil.ignore_patterns("points.csv", "__pycache__")
    )
    (own / "linear_regression.ipynb").rename(own / "own_data.ipynb")
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "make-data"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"wrote {tmp_path / 'data' / 'points' / 'points.csv'}",
        f"wrote {own / 'points.csv'}",
    ]


@pytest.mark.parametrize(
    ("names", "written"),
    [(["points"], ["data/points/points.csv"]), (["linear_regression"], ["data/points/points.csv"])],
)
def test_make_data_builds_a_named_data_set_or_a_lessons_sets(tmp_path, names, written):
    _course(tmp_path)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "make-data", *names])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"wrote {tmp_path / path}" for path in written]


def test_make_data_of_an_unknown_name_says_what_there_is(tmp_path):
    _course(tmp_path)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "make-data", "pionts"])
    assert result.exit_code == 1
    assert re.fullmatch(
        r"Error: 'pionts' is neither a data set \(a folder of \S+/data: points\) nor an assignment; check the name\n",
        result.output,
    ), result.output
