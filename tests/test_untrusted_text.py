"""What a submission writes reaches the TA's spreadsheet, terminal and browser only as inert text.

Hypothesis throws arbitrary strings (lone surrogates, control characters,
markup, formulas), names, nested structures and numbers at the wire format,
the gradebook writer and the page writers: none may crash, let markup
through, or put a control character or a formula into the CSV.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.authoring import wire
from autograder.grading.judging.autograder_zip import AutograderZip, Question
from autograder.grading.judging.grade import CaseOutcome, Grade
from autograder.grading.pages.class_summary import summary_page
from autograder.grading.pages.feedback_page import feedback_page
from autograder.grading.records.class_book import StudentRow
from autograder.grading.records.gradebook import gradebook_csv
from autograder.grading.records.outputs import page_name, write_atomic
from autograder.grading.records.results_file import PUBLIC_TESTS_NOT_REPEATED, otter_results
from autograder.grading.terminal import grade_table
from autograder.grading.text import spreadsheet_cell

QUESTIONS = {"sigmoid": Question("sigmoid", 2.0), "train": Question("train", 4.0)}
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)  # surrogates and controls included
HOSTILE_TEXT = st.one_of(
    ANY_TEXT,
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "=cmd|' /C calc'!A0",
            "\x1b]0;owned\x07\x1b[2K",
            "\udcff",
            "+1+1",
            "@SUM(A1)",
            "-2+3",
            "\u202egnp.exe",
            "a\nb\r\nc",
        ]
    ),
)
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30))
# What the kit's own pages use; anything else came from a submission.
KIT_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "p",
    "table",
    "tr",
    "th",
    "td",
    "ul",
    "li",
    "code",
    "div",
    "svg",
    "g",
    "line",
    "polyline",
    "path",
    "rect",
    "circle",
    "text",
    "polygon",
    "defs",
    "clippath",
    "pre",
    "metadata",
    "rdf:rdf",
    "cc:work",
    "dc:type",
    "dc:date",
    "dc:format",
    "dc:creator",
    "dc:title",
    "cc:agent",
    "use",
    "symbol",
}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> AutograderZip:
    path = tmp_path_factory.mktemp("zip") / "autograder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("otter_config.json", json.dumps({"show_stdout": True}))
    return AutograderZip(path, "digest", QUESTIONS)


@st.composite
def grades(draw) -> Grade:
    cases = [
        CaseOutcome(
            draw(st.sampled_from(sorted(QUESTIONS))),
            draw(HOSTILE_TEXT),
            1.0,
            draw(st.booleans()),
            draw(HOSTILE_TEXT),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Grade(
        file=draw(HOSTILE_TEXT),
        digest="d",
        status=draw(st.one_of(st.just("Completed"), HOSTILE_TEXT)),
        scores={q: draw(st.floats(0, QUESTIONS[q].points)) for q in QUESTIONS},
        cases=cases,
        cell_errors=[
            {"cell": draw(st.one_of(st.integers(), HOSTILE_TEXT)), "error": draw(HOSTILE_TEXT)}
            for _ in range(draw(st.integers(0, 2)))
        ],
        output=draw(HOSTILE_TEXT),
    )


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.handlers.extend(name for name, _ in attrs if name.lower().startswith("on"))


def _markup(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


# The wire format -------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, ANY_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(ANY_TEXT, inner, max_size=4)),
    max_leaves=20,
)
PAYLOADS = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(
                ["none", "bool", "int", "float", "str", "tensor", "ndarray", "npscalar", "list", "error", "other", "x"]
            )
        },
        optional={
            "type": ANY_TEXT,
            "number": NUMBERS,
            "text": ANY_TEXT,
            "dtype": st.sampled_from(["float64", "int8", "object", "bool", ""]),
            "shape": st.lists(st.integers(-3, 2**40), max_size=4),
            "data": st.one_of(ANY_TEXT, st.just("AAAAAAAA8D8=")),
            "items": JSON_VALUES,
        },
    ),
)


@settings(max_examples=300, deadline=None)
@given(PAYLOADS)
def test_decoding_any_payload_gives_a_value_or_malformed_data(payload):
    try:
        value = wire.decode(payload)
    except wire.MalformedProbeData:
        return
    assert isinstance(value, wire.Value)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), NUMBERS, ANY_TEXT, st.just(...)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(ANY_TEXT, inner, max_size=3)
        ),
        max_leaves=15,
    )
)
def test_encoding_any_value_survives_the_pipe(value):
    decoded = wire.loads(wire.dumps({"value": wire.encode(value)}))["value"]
    assert isinstance(decoded, wire.Value)


# The gradebook and the terminal ------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(grades(), min_size=1, max_size=4))
def test_the_gradebook_holds_no_control_character_and_no_formula(autograder, drawn):
    text = gradebook_csv(drawn, autograder)
    text.encode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 + len(drawn), "a name or status split a row"
    for row in rows[2:]:
        for cell in (row[0], row[-1]):
            assert not any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in cell), cell
            assert not cell.startswith(("=", "+", "-", "@")), cell


@settings(max_examples=100, deadline=None)
@given(st.lists(grades(), min_size=1, max_size=3))
def test_the_terminal_table_holds_no_control_character(drawn):
    from types import SimpleNamespace

    report = SimpleNamespace(
        grades=drawn, questions=sorted(QUESTIONS), possible=6.0, graded=1, reused=0, out=Path("out")
    )
    shown = grade_table(report)
    assert not any(unicodedata.category(char) in ("Cc", "Cf") and char != "\n" for char in shown)


@pytest.mark.parametrize(
    "name, shown",
    [
        ("=cmd|' /C calc'!A0.ipynb", "'=cmd|' /C calc'!A0.ipynb"),
        ("+1.ipynb", "'+1.ipynb"),
        ("a\x1b]0;owned\x07.ipynb", "a\\x1b]0;owned\\x07.ipynb"),
        ("\tx.ipynb", "'\\tx.ipynb"),
        ("plain.ipynb", "plain.ipynb"),
    ],
)
def test_spreadsheet_cells_are_neutralised(name, shown):
    assert spreadsheet_cell(name) == shown


# The pages and the results file --------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grades())
def test_pages_carry_no_markup_from_a_submission(autograder, grade):
    for page in (
        feedback_page(grade, autograder, assignment="a", reference={}),
        summary_page(
            [StudentRow("1", "x", file=grade.file, status="Completed")], [grade], autograder, assignment="a", manual={}
        ),
    ):
        page.encode("utf-8")
        found = _markup(page)
        assert found.tags <= KIT_TAGS and not found.handlers, (found.tags - KIT_TAGS, found.handlers)
        assert "default-src 'none'" in page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grade=grades())
def test_results_and_pages_are_written_whatever_the_grade_holds(autograder, grade, tmp_path_factory):
    folder = tmp_path_factory.mktemp("written", numbered=True)
    name = page_name(grade.file)
    write_atomic(folder / f"{name}.html", feedback_page(grade, autograder, assignment="a", reference={}))
    write_atomic(folder / f"{name}.json", json.dumps(otter_results(grade, autograder)))


def test_results_say_public_tests_are_not_repeated_when_the_notebook_ran(autograder):
    ran = Grade("a.ipynb", "d", "Completed", {"sigmoid": 0.0, "train": 0.0})
    never = Grade("b.ipynb", "d", "timeout: took longer than 1 s", {"sigmoid": 0.0, "train": 0.0})
    assert otter_results(ran, autograder)["tests"][0] == {
        "name": "Public Tests",
        "visibility": "visible",
        "output": PUBLIC_TESTS_NOT_REPEATED,
    }
    assert all(test["name"] != "Public Tests" for test in otter_results(never, autograder)["tests"])


@pytest.mark.parametrize(
    "file", ["x" * 240 + ".ipynb", "/".join(["deep"] * 60) + "/n.ipynb", ".hidden.ipynb", "é" * 200 + ".ipynb"]
)
def test_any_file_name_gives_a_page_name_the_disk_accepts(file, tmp_path):
    name = page_name(file)
    assert len(name.encode()) <= 140 and "/" not in name and not name.startswith(".")
    write_atomic(tmp_path / f"{name}.html", "page")
    assert (tmp_path / f"{name}.html").read_text() == "page"
    assert page_name(file + "x") != name


def test_a_submission_whose_outputs_cannot_be_written_still_gets_a_row_saying_why(autograder, tmp_path):
    from types import SimpleNamespace

    from autograder.grading.submission_grader import GradingContext, write_within_boundary

    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    (out / "feedback").write_text("not a folder")  # every feedback page write fails

    def failed(file, digest, status):
        return Grade(file, digest, status, dict.fromkeys(QUESTIONS, 0.0))

    judge = SimpleNamespace(autograder=autograder, reference_variables={}, charts=(), failed=failed)
    grade = Grade("a.ipynb", "d", "Completed", {"sigmoid": 2.0, "train": 4.0})
    row = write_within_boundary(grade, judge, GradingContext(out, "a", {}, []))
    assert row.total == 0 and row.status.startswith("crash: the grader could not write this submission's results (")
