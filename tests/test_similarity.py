"""The similarity report: what it reads from a notebook, what survives cosmetic edits, and how it does
on the corpus in tests/corpus/similarity.py against the precision and recall the README states."""

from __future__ import annotations

import re
import textwrap

import nbformat
import pytest

from autograder.assignment import Assignment
from autograder.grading.intake.answer_code import graded_code, python_source
from autograder.grading.intake.submissions import MAX_CODE_CELL_CHARS
from autograder.grading.similarity.fingerprints import every_kgram, fingerprints, normal_forms
from autograder.grading.similarity.lesson_code import LessonCode
from autograder.grading.similarity.similar_pairs import common_limit, similar_pairs
from tests.conftest import PROJECT
from tests.corpus.similarity import CORPORA, SimilarityCorpus

DEFINITION = "def f(x):\n    return x + 1"


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])


# What is read from a notebook ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        f"%xmode Plain\n{DEFINITION}",
        f"!pip list\nfiles = !ls\n{DEFINITION}",
        f"%%time\n{DEFINITION}",
        f"%%capture\n%matplotlib inline\n{DEFINITION}",
        f"%load_ext autoreload\n%autoreload 2\n{DEFINITION}\n%who",
    ],
    ids=["line-magic", "shell-lines", "time-cell-magic", "capture-with-a-line-magic", "magics-around"],
)
def test_definitions_are_read_from_cells_ipython_runs(cell):
    assert graded_code(_notebook(cell), ["f"]) == DEFINITION


def test_a_magic_inside_a_function_becomes_pass():
    cell = "def f(x):\n    %time y = x\n    !echo hi\n    return x + 1"
    assert graded_code(_notebook(cell), ["f"]) == "def f(x):\n    pass\n    pass\n    return x + 1"


@pytest.mark.parametrize(
    "cell",
    [
        f"%%bash\n{DEFINITION}",  # its body is not Python: the kernel defined nothing
        "def f(x)\n    return x + 1",  # a syntax error: nor here
        f"# {'x' * MAX_CODE_CELL_CHARS}\n{DEFINITION}",  # too long to read
    ],
    ids=["bash-cell", "syntax-error", "huge-cell"],
)
def test_cells_the_kernel_could_not_run_define_nothing(cell):
    assert graded_code(_notebook(cell), ["f"]) == ""


def test_a_cell_that_is_not_python_keeps_its_lines():
    assert (
        python_source("%xmode Plain\ndef f(x)\n    %time y")
        == "get_ipython().run_line_magic('xmode', 'Plain')\ndef f(x)\n    get_ipython().run_line_magic('time', 'y')\n"
    )


# What survives cosmetic edits ---------------------------------------------------------------------

ORIGINAL = textwrap.dedent("""
    def sigmoid(x):
        e = torch.exp(-torch.abs(x))
        return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def accuracy(y_pred, y):
        guesses = torch.floor(y_pred + 0.5)
        return guesses.eq(y).double().mean().item()
""")


def test_renaming_one_parameter_changes_no_fingerprint():
    # Names are numbered per function: sigmoid's z is accuracy's y_pred's number no more than x was.
    assert fingerprints(
        ORIGINAL.replace("(x)", "(z)").replace("abs(x)", "abs(z)").replace("x >=", "z >=")
    ) == fingerprints(ORIGINAL)


def test_the_order_of_functions_comments_and_docstrings_change_no_fingerprint():
    first, second = ORIGINAL.strip().split("\n\n")
    edited = second.replace("):\n", '):\n    """Share of right guesses."""  # mine\n', 1) + "\n\n# sigmoid\n" + first
    assert fingerprints(edited) == fingerprints(ORIGINAL)


def test_what_the_solution_holds_is_discounted_by_fragment_not_by_function():
    solution = "def sigmoid(x):\n    e = torch.exp(-torch.abs(x))\n    return e"
    own_line = (
        "def sigmoid(x):\n    e = torch.exp(-torch.abs(x))\n    return torch.where(x >= 0, 1.0 / (1.0 + e), e "
        "/ (1.0 + e))"
    )
    left = fingerprints(own_line) - every_kgram(solution)
    assert left and left < fingerprints(own_line)
    assert not fingerprints(solution) - every_kgram(solution)


def test_deep_nesting_gives_no_normal_form_instead_of_an_error():
    assert normal_forms("def f(x):\n    return " + "(" * 5000 + "x" + ")" * 5000) == []


# Fingerprints many hold ---------------------------------------------------------------------------

SHARED = (
    "def inertia(x, centroids, labels):\n    gaps = np.square(x - centroids[labels]).sum(axis=1)\n    return "
    "float(np.sqrt(gaps) @ np.sqrt(gaps))\n"
)


def _own(number: int) -> str:
    """A short kmeans function no other submission writes."""
    calls = [
        "cumsum",
        "cumprod",
        "sort",
        "flip",
        "abs",
        "exp",
        "log1p",
        "tanh",
        "sin",
        "cos",
        "floor",
        "ceil",
        "round",
        "sign",
    ]
    return f"def kmeans(x, k, iters, seed):\n    return np.{calls[number]}(x) * {number}\n"


@pytest.mark.parametrize("holders, paired", [(3, True), (common_limit(14) + 2, False)])
def test_code_many_submissions_share_is_the_lessons_style(holders, paired):
    codes = {f"s{number:02}": SHARED + "\n" + _own(number) for number in range(14)}
    codes.update({f"s{number:02}": _own(number) for number in range(holders, 14)})
    pairs = similar_pairs(codes)
    assert bool(pairs) is paired, pairs
    assert all(pair.first < f"s{holders:02}" and pair.second < f"s{holders:02}" for pair in pairs)


# The corpus ---------------------------------------------------------------------------------------


def _found(corpus: SimilarityCorpus) -> set[tuple[str, str]]:
    assignment = Assignment.find(corpus.assignment, PROJECT)
    lesson = LessonCode.of(assignment)
    notebooks = corpus.notebooks(assignment.student_dir / assignment.source_notebook.name)
    codes = {name: graded_code(notebook, lesson.names) for name, notebook in notebooks.items()}
    assert all(codes.values()), [name for name, code in codes.items() if not code]
    return {
        (pair.first, pair.second) for pair in similar_pairs(codes, solution=lesson.solution, starter=lesson.starter)
    }


@pytest.fixture(scope="module")
def found() -> dict[str, set[tuple[str, str]]]:
    return {corpus.assignment: _found(corpus) for corpus in CORPORA}


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda corpus: corpus.assignment)
def test_copies_pair_and_independent_work_does_not(corpus, found):
    truth = corpus.should_pair()
    assert not truth - found[corpus.assignment], "copies not paired"
    assert not found[corpus.assignment] - truth, "independent work paired"


def test_the_corpus_meets_the_precision_and_recall_the_readme_states(found):
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"similarity corpus.*?precision ([01]\.\d+).*?recall ([01]\.\d+)", readme, re.S)
    assert stated, "README.md states no precision and recall for the similarity corpus"
    truth = {(corpus.assignment, *pair) for corpus in CORPORA for pair in corpus.should_pair()}
    flagged = {(assignment, *pair) for assignment, pairs in found.items() for pair in pairs}
    precision = len(truth & flagged) / len(flagged)
    recall = len(truth & flagged) / len(truth)
    assert precision >= float(stated.group(1)) and recall >= float(stated.group(2)), (precision, recall)
