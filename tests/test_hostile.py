"""The hostile corpus, graded in one run beside an honest neighbour.

A student's notebook is untrusted code: one who has not solved a question
cannot earn its points, cannot read the hidden tests, cannot touch other
submissions or the grader, and no file, broken or malicious, stops a run or
loses another student's result. ``hostile_run`` grades every entry of
``tests/corpus/hostile.py`` and one correct neighbour with
``autograder.grading.batch.grade_paths`` once per session (shared by xdist workers),
then records what the checks below need.

The whole run happens twice per session, with the same expectations: as
root, and rootless as an ordinary user (``tests.unprivileged``; CI runs as
root), where unprivileged user namespaces are allowed.

The last test documents why the kit exists: plain ``otter run`` is fooled by
notebooks that patch what the hidden tests run in their own interpreter.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import html
import json
import os
import re
import shutil
import socket
import tempfile
import time
import unicodedata
import uuid
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from autograder import sandbox
from autograder.assignment import Assignment
from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.grading_folder import SUPPORT_FOLDER_PREFIX
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.judge import Judge
from autograder.grading.pages.feedback_page import feedback_page
from autograder.grading.records.results_file import PUBLIC_TESTS_NOT_REPEATED, otter_results
from autograder.grading.text import spreadsheet_cell
from autograder.release.otter_run import otter_scores_many
from tests.corpus import honest
from tests.corpus.hostile import (
    COMPLETED,
    FORGED_REPORTS,
    HOSTILE,
    NEIGHBOUR_FILE,
    POINTS,
    Context,
    hostile,
    write_entry,
)
from tests.processes import still_running
from tests.unprivileged import DelegatedCgroup, as_user, give_tree

pytestmark = pytest.mark.slow

OPTIONS = GradeOptions(workers=2, timeout=20, memory_mb=1024)
RUN_BUDGET_S = 600  # ~75 files on 2 workers, one 20 s timeout, phase twos taking turns with every other
# sandbox on the host (make test's root and rootless runs, at once: 343 and 358 s on two
# cores shared with other test runs). A run that left sandboxes to their 20 s timeouts
# would take well over 1000 s: each would keep every commit on the host waiting
RSS_GROWTH_LIMIT_MB = 400  # reading the 3 GiB sparse file or inflating the zip bomb would blow this
SANDBOX_UIDS = range(sandbox.SANDBOX_UID_BASE, sandbox.SANDBOX_UID_BASE + 64)
PROCESS_EXIT_WAIT_S = 10  # the kernel may still be tearing down a namespace's last processes


def _gradebook_name(file_name: str) -> str:
    """The gradebook's name for a file graded from a folder: bytes that are not UTF-8 as \\xNN,
    control characters escaped, a formula neutralised."""
    return spreadsheet_cell(os.fsencode(file_name).decode("utf-8", errors="backslashreplace"))


# The run --------------------------------------------------------------------------------------


@pytest.fixture(scope="session", params=["root", "rootless"])
def hostile_run(request, assignment, student_template, tmp_path_factory) -> dict:
    """Grade the corpus once per session and mode; under xdist the first worker grades, the others read."""
    mode = request.param
    _skip_unless_available(mode)
    if not hasattr(request.config, "workerinput"):
        return json.loads(
            json.dumps(_grade_corpus(assignment, student_template, tmp_path_factory.mktemp(f"hostile-{mode}"), mode))
        )
    shared = tmp_path_factory.getbasetemp().parent
    with FileLock(str(shared / f"hostile-run-{mode}.lock")):
        record = shared / f"hostile-run-{mode}.json"
        if not record.is_file():
            folder = shared / f"hostile-run-{mode}"
            folder.mkdir()
            record.write_text(json.dumps(_grade_corpus(assignment, student_template, folder, mode)))
        return json.loads(record.read_text())


def _skip_unless_available(mode: str) -> None:
    current = sandbox.current_mode()
    if mode == "root" and current.name != "root":
        pytest.skip("the root run needs root (as on CI)")
    if mode == "rootless" and current.name == "reduced":
        pytest.skip(f"no rootless isolation here: {current.reason}")
    if mode == "rootless" and current.name == "root":
        refused = user_namespaces_refused_as_user()
        if refused:
            pytest.skip(f"this kernel refuses unprivileged user namespaces: {refused}")


def user_namespaces_refused_as_user() -> str | None:
    from autograder.sandbox.modes import user_namespaces_refused

    outcome = as_user(lambda: {"refused": user_namespaces_refused()}, timeout=60)
    return outcome.problem or outcome.result["refused"]


def _grade_corpus(assignment, template: Path, folder: Path, mode: str) -> dict:
    if mode == "rootless":
        # Everything the TA's run touches must be theirs: a folder under /tmp (pytest's is root's alone).
        folder = Path(tempfile.mkdtemp(prefix="hostile-rootless-", dir="/tmp"))
        shutil.copytree(assignment.root, folder / "project", ignore=shutil.ignore_patterns(".venv"))
        assignment = Assignment.find(assignment.name, folder / "project")
        template = assignment.student_dir / template.name
    submissions, out = folder / "submissions", folder / "out"
    submissions.mkdir()
    marker = f"hostile-{uuid.uuid4().hex}"
    listeners = _Listeners(marker)
    neighbour = submissions / NEIGHBOUR_FILE
    nbformat.write(honest.build_notebook(honest.submission("correct_course_style"), template), neighbour)
    neighbour_bytes = neighbour.read_bytes()
    context = Context(
        template, neighbour, submissions, out, assignment.root, marker, listeners.port, listeners.abstract_name
    )
    for entry in HOSTILE:
        write_entry(entry, submissions, context)

    if mode == "root":
        ran = _grade_and_watch(submissions, assignment, out, marker, lambda: _root_processes(marker))
    else:
        give_tree(folder)
        delegated = DelegatedCgroup(f"hostile-{os.getpid()}-{uuid.uuid4().hex[:6]}")
        try:
            outcome = as_user(
                lambda: _grade_and_watch(
                    submissions, assignment, out, marker, lambda: _delegated_processes(delegated, marker)
                ),
                prepare=delegated.join,
                timeout=RUN_BUDGET_S + 120,
            )
        finally:
            delegated.remove()
        assert outcome.result is not None, f"the rootless run failed: {outcome.problem}"
        ran = outcome.result
        ran["memory_cap"] = bool(delegated)

    try:
        return _collect(ran, out, marker, assignment, listeners, neighbour, neighbour_bytes)
    finally:
        if mode == "rootless":
            shutil.rmtree(folder, ignore_errors=True)  # the TA's copy under /tmp: leave nothing behind


def _collect(ran: dict, out: Path, marker: str, assignment, listeners, neighbour: Path, neighbour_bytes: bytes) -> dict:
    """What the checks below need from a finished run."""
    rows = _gradebook(out / "final_grades.csv")
    pages = _pages(out)
    results = _results(out)
    return {
        **ran,
        "marker": marker,
        "rows": rows,
        "pages": {file: sorted(kinds) for file, kinds in pages.items()},
        "leaks": {file: _secrets_in(texts, _secrets(assignment)) for file, texts in _page_texts(out).items()},
        "connections": listeners.close(),
        "neighbour_intact": neighbour.is_file() and neighbour.read_bytes() == neighbour_bytes,
        "out_files": sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()),
        "marker_in_out": sorted(
            p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()
        ),
        "outputs": {file: data["extra_data"]["kit"]["output"] for file, data in results.items()},
        "public": {
            file: next((test for test in data["tests"] if test["name"] == "Public Tests"), None)
            for file, data in results.items()
        },
        "test_outputs": {file: [test["output"] for test in data["tests"]] for file, data in results.items()},
        "markup": {file: _foreign_markup(page) for file, page in _feedback_pages(out).items()},
        "gradebook_text": (out / "final_grades.csv").read_text(encoding="utf-8"),
        "ipc_left": _segments_left(marker),
    }


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _reset_peak_rss() -> int:
    """Start this process's peak RSS (VmHWM) over from its size now, and return that size in KB. ru_maxrss
    cannot be reset, so a worker that had loaded a model in an earlier test hid any growth below that peak."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return _status_kb("VmRSS")


def _grade_and_watch(submissions: Path, assignment, out: Path, marker: str, processes) -> dict:
    """Grade (as whoever runs this); return time, memory, the mode in force and what was left running."""
    size_before = _reset_peak_rss()
    started = time.monotonic()
    grade_paths([submissions], assignment, out, options=OPTIONS)
    elapsed = time.monotonic() - started
    peak_after = _status_kb("VmHWM")
    return {
        "mode": sandbox.current_mode().name,
        "elapsed": elapsed,
        "rss_growth_mb": (peak_after - size_before) / 1024,
        "left_running": _still_running(processes()),
        "memory_cap": True,
    }


def _results(out: Path) -> dict[str, dict]:
    found = {}
    for path in (out / "results").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["extra_data"]["kit"]["file"]] = data
    return found


def _feedback_pages(out: Path) -> dict[str, str]:
    pages = {}
    for path in (out / "results").glob("*.json"):
        file = json.loads(path.read_text(encoding="utf-8"))["extra_data"]["kit"]["file"]
        page = out / "feedback" / f"{path.stem}.html"
        if page.is_file():
            pages[file] = page.read_text(encoding="utf-8")
    return pages


def _foreign_markup(page: str) -> list[str]:
    """Tags no kit page writes: anything a submission smuggled in."""
    return sorted(
        set(re.findall(r"<(script|img|iframe|object|embed|a |form|input|base|link)", page, flags=re.IGNORECASE))
    )


def _shm_key(marker: str) -> int:
    return int(hashlib.sha1(marker.encode()).hexdigest()[:7], 16)  # as the corpus's IPC entries compute it


def _segments_left(marker: str) -> list[int]:
    keys = {_shm_key(marker), _shm_key(marker) + 1}
    with open("/proc/sysvipc/shm") as table:
        return sorted(int(line.split()[0]) for line in table.readlines()[1:] if int(line.split()[0]) in keys)


def _gradebook(path: Path) -> dict:
    with open(path, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    header, rows = table[0], table[2:]
    questions = header[1:-3]
    return {row[0]: {"status": row[-1], "scores": {q: float(v) for q, v in zip(questions, row[1:-3])}} for row in rows}


def _pages(out: Path) -> dict[str, set[str]]:
    """file → which of its pages exist, found through the name each results JSON carries."""
    pages: dict[str, set[str]] = {}
    for results in (out / "results").glob("*.json"):
        file = json.loads(results.read_text(encoding="utf-8"))["extra_data"]["kit"]["file"]
        found = pages.setdefault(file, set())
        found.add("results")
        if (out / "feedback" / f"{results.stem}.html").is_file():
            found.add("feedback")
    return pages


def _page_texts(out: Path) -> dict[str, list[str]]:
    """file → every string in its results JSON, and its feedback page unescaped."""
    texts: dict[str, list[str]] = {}
    for results in (out / "results").glob("*.json"):
        data = json.loads(results.read_text(encoding="utf-8"))
        strings = list(_strings(data))
        page = out / "feedback" / f"{results.stem}.html"
        if page.is_file():
            strings.append(html.unescape(page.read_text(encoding="utf-8")))
        texts.setdefault(data["extra_data"]["kit"]["file"], []).extend(strings)
    return texts


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _secrets(assignment) -> dict[str, list[str]]:
    """Strings only hidden material holds: nothing a fair run ever shows a student."""
    comments = [
        line.strip().lstrip("# ")
        for line in assignment.cases_file.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("# ") and len(line.strip()) > 30
    ]
    autograder = AutograderZip.read(assignment.zip_path)
    tests = [
        line.strip()
        for name in ("sigmoid", "train")
        for line in autograder.read_member(f"tests/{name}.py").decode().splitlines()
        if "grade_case(env" in line
    ]
    references = json.loads(autograder.read_member("files/references.json"))
    expected = sorted(
        {
            payload["data"]
            for case in references["cases"].values()
            for payload in case["expected"].values()
            if len(payload.get("data", "")) >= 40
        }
    )
    sources = [
        line.strip()
        for source in references["reference_functions"].values()
        for line in source.splitlines()[1:]
        if "clamp(min=" in line
    ]
    return {
        "cases.py comment": comments,
        "hidden test": tests,
        "expected output": expected,
        "reference source": sources,
    }


def _secrets_in(texts: list[str], secrets: dict[str, list[str]]) -> list[str]:
    """Kinds of secret found in ``texts``, also when printed through repr() or JSON, or with its
    spacing and punctuation changed (compared as letters and digits only)."""
    found = set()
    flat_texts = [_flat(text) for text in texts]
    for kind, values in secrets.items():
        for value in values:
            forms = {value, repr(value)[1:-1], json.dumps(value)[1:-1]}
            if any(form in text for text in texts for form in forms):
                found.add(kind)
            if (
                kind != "expected output"
                and len(_flat(value)) >= 12
                and any(_flat(value) in text for text in flat_texts)
            ):
                found.add(kind)
    return sorted(found)


def _flat(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum())


class _Listeners:
    """Loopback TCP (v4 and v6), UDP and an abstract AF_UNIX socket a sandbox must not reach."""

    def __init__(self, marker: str):
        self.sockets: dict[str, socket.socket] = {}
        tcp = socket.create_server(("127.0.0.1", 0))
        self.port = tcp.getsockname()[1]
        self.sockets["tcp4"] = tcp
        try:
            self.sockets["tcp6"] = socket.create_server(("::1", self.port), family=socket.AF_INET6)
        except OSError:
            pass  # no IPv6 here: the notebook's attempt fails either way
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", self.port))
        self.sockets["udp"] = udp
        self.abstract_name = marker
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.bind("\0" + marker)
        unix.listen()
        self.sockets["abstract unix"] = unix

    def close(self) -> list[str]:
        """Close every listener; return those that saw a connection or a datagram."""
        reached = []
        for name, listener in self.sockets.items():
            listener.setblocking(False)
            try:
                if listener.type == socket.SOCK_DGRAM:
                    listener.recvfrom(1024)
                else:
                    listener.accept()[0].close()
                reached.append(name)
            except BlockingIOError:
                pass
            listener.close()
        return reached


def _root_processes(marker: str) -> dict[int, str]:
    """Live processes this run's submissions started (as root).

    Those that exec'd carry the marker in their command line or environment;
    plain forks are told by a sandbox uid together with this process's sandbox
    cgroup (``sbx_<pid>_<slot>``, inherited by every descendant, setsid or not),
    so sandboxes of other test sessions on the machine do not count.
    """
    own_cgroup = f"/sbx_{os.getpid()}_"
    return _processes(
        lambda pid, uid, cmdline, environ, cgroups: (
            marker.encode() in cmdline or marker.encode() in environ or (uid in SANDBOX_UIDS and own_cgroup in cgroups)
        )
    )


def _delegated_processes(delegated: DelegatedCgroup, marker: str) -> dict[int, str]:
    """Live processes this run's submissions started (rootless): in a sandbox cgroup (``sbx_*``) under the
    run's delegated one, or carrying the marker. Without a cgroup, the marker alone."""
    ours = set(delegated.processes(sandboxes_only=True))
    return _processes(
        lambda pid, uid, cmdline, environ, cgroups: (
            pid in ours or marker.encode() in cmdline or marker.encode() in environ
        )
    )


def _processes(chosen) -> dict[int, str]:
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
            environ = (
                Path(entry.path, "environ").read_bytes() if os.access(Path(entry.path, "environ"), os.R_OK) else b""
            )
            cgroups = Path(entry.path, "cgroup").read_text()
            uid = next(
                int(line.split()[1])
                for line in Path(entry.path, "status").read_text().splitlines()
                if line.startswith("Uid:")
            )
        except (OSError, StopIteration, ValueError):
            continue  # gone while we looked
        if chosen(int(entry.name), uid, cmdline, environ, cgroups):
            found[int(entry.name)] = f"uid {uid}: " + cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]
    return found


def _still_running(processes: dict[int, str]) -> dict[str, str]:
    """Those of ``processes`` that do not exit within PROCESS_EXIT_WAIT_S."""
    return {str(pid): processes[pid] for pid in still_running(processes, deadline_s=PROCESS_EXIT_WAIT_S)}


# Every file, its row and its status -----------------------------------------------------------------


def test_every_input_file_gets_one_row(hostile_run):
    expected = {NEIGHBOUR_FILE} | {_gradebook_name(entry.file_name) for entry in HOSTILE}
    assert set(hostile_run["rows"]) == expected


def _kit_name(file_name: str) -> str:
    """The name results and pages carry for a file graded from a folder."""
    return os.fsencode(file_name).decode("utf-8", errors="backslashreplace")


def test_the_run_had_the_mode_it_claims(hostile_run, request):
    assert hostile_run["mode"] == request.node.callspec.params["hostile_run"]


@pytest.mark.parametrize("entry", HOSTILE, ids=lambda entry: entry.name)
def test_grading_ends_the_expected_way(hostile_run, entry):
    if entry.status == "memory" and not hostile_run["memory_cap"]:
        pytest.skip("no writable cgroup for this run: a sandbox's memory is capped per process only")
    status = hostile_run["rows"][_gradebook_name(entry.file_name)]["status"]
    if entry.status == COMPLETED:
        assert status == COMPLETED
    else:
        assert status.startswith(entry.status), f"{entry.attack}: status {status!r}"


@pytest.mark.parametrize("entry", HOSTILE, ids=lambda entry: entry.name)
def test_earns_only_what_it_solved(hostile_run, entry):
    scores = hostile_run["rows"][_gradebook_name(entry.file_name)]["scores"]
    assert scores == pytest.approx(dict(entry.expected)), entry.attack


@pytest.mark.parametrize("entry", HOSTILE, ids=lambda entry: entry.name)
def test_no_hidden_material_reaches_its_results_or_feedback(hostile_run, entry):
    assert hostile_run["leaks"].get(_gradebook_name(entry.file_name), []) == []


def test_status_classes_cover_every_failure_mode(hostile_run):
    statuses = {row["status"].split(":")[0] for row in hostile_run["rows"].values()}
    expected = {
        COMPLETED,
        "timeout",
        "memory",
        "crash",
        "killed by signal",
        "not a notebook",
        "not a zip or a notebook",
        "too large",
        "wrong assignment",
    }
    assert expected - ({"memory"} if not hostile_run["memory_cap"] else set()) <= statuses


@pytest.mark.parametrize("entry", [entry for entry in HOSTILE if entry.proof], ids=lambda entry: entry.name)
def test_each_attack_ran(hostile_run, entry):
    """An attack that died before attacking (an AttributeError, say) proves nothing: its proof must be in its
    results."""
    assert entry.proof in hostile_run["outputs"][_kit_name(entry.file_name)], f"{entry.name} never got to attack"


def test_no_markup_from_a_submission_reaches_a_page(hostile_run):
    assert {file: tags for file, tags in hostile_run["markup"].items() if tags} == {}


def test_the_gradebook_holds_no_formula_and_no_control_character(hostile_run):
    text = hostile_run["gradebook_text"]
    assert not [char for char in text if unicodedata.category(char) in ("Cc", "Cf") and char != "\n"]
    cells = [
        cell for row in list(csv.reader(text.splitlines()))[2:] for cell in row[:1] + row[-1:]
    ]  # past the header and points rows
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_results_repeat_no_public_test_outcome_from_the_submissions_process(hostile_run):
    """The public tests run in the student's process, which can rewrite what they report: the entry says so, for all
    alike."""
    public = hostile_run["public"]
    said = {"name": "Public Tests", "visibility": "visible", "output": PUBLIC_TESTS_NOT_REPEATED}
    for entry in (
        NEIGHBOUR_FILE,
        _kit_name(hostile("name_collides_with_neighbour").file_name),
        _kit_name(hostile("forge_public_tests").file_name),
    ):
        assert public[entry] == said, entry
    assert public[_kit_name(hostile("infinite_loop").file_name)] is None  # never ran to the end: no entry


def test_a_forged_public_test_state_makes_no_claim_of_passing(hostile_run):
    outputs = hostile_run["test_outputs"][_kit_name(hostile("forge_public_tests").file_name)]
    assert not [output for output in outputs if "All test cases passed" in output], outputs


def _probe_side(cases_file: Path) -> tuple[set[str], set[str]]:
    """The probes of cases.py's ``Case(...)`` declarations, and those with every module-level function they use."""
    tree = ast.parse(cases_file.read_text(encoding="utf-8"))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    probes = {
        call.args[3].id
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Case" and isinstance(call.args[3], ast.Name)
    }
    needed, todo = set(), list(probes)
    while todo:
        name = todo.pop()
        if name in functions and name not in needed:
            needed.add(name)
            todo.extend(node.id for node in ast.walk(functions[name]) if isinstance(node, ast.Name))
    return probes, needed


def test_the_sandbox_holds_no_function_of_the_hidden_cases_but_their_probes(hostile_run, assignment):
    """Judges, diagnoses, input builders and helpers such as _cross_entropy stay in the grader."""
    output = hostile_run["outputs"][_kit_name(hostile("sandbox_function_census").file_name)]
    census = json.loads(re.search(r"attack ran: sandbox_function_census (\[.*?\])", output).group(1))
    # Functions of the grading run's support folder: the hidden cases file and the modules beside it.
    held = {
        entry.rsplit(":", 1)[1]
        for entry in census
        if Path(entry.rsplit(":", 1)[0]).parent.name.startswith(SUPPORT_FOLDER_PREFIX)
    }
    probes, probe_side = _probe_side(assignment.cases_file)
    assert probes <= held, "the census does not see the probes the sandbox must hold"
    assert held <= probe_side, sorted(held - probe_side)


def test_no_ipc_object_outlives_the_run(hostile_run):
    assert hostile_run["ipc_left"] == []


# The neighbour and the grader ------------------------------------------------------------------------


def test_neighbour_keeps_full_marks_and_its_file(hostile_run):
    row = hostile_run["rows"][NEIGHBOUR_FILE]
    assert row["status"] == COMPLETED
    assert row["scores"] == pytest.approx(POINTS)
    assert hostile_run["neighbour_intact"], "a hostile notebook changed or removed the neighbour's submission"
    assert hostile_run["leaks"].get(NEIGHBOUR_FILE, []) == []


def test_every_file_keeps_its_own_results_and_feedback(hostile_run):
    expected = {NEIGHBOUR_FILE} | {_kit_name(entry.file_name) for entry in HOSTILE}
    assert hostile_run["pages"] == {file: ["feedback", "results"] for file in expected}


def test_no_process_started_by_the_corpus_is_left_running(hostile_run):
    assert hostile_run["left_running"] == {}


def test_no_network_connection_reached_the_host(hostile_run):
    assert hostile_run["connections"] == []


def test_forged_files_are_not_used(hostile_run):
    assert hostile_run["marker_in_out"] == []
    class_files = (
        "final_grades.csv",
        "students.csv",
        "summary.html",
        "index.html",
        "similarity.html",
        "class.json",
        "written_key.csv",
    )
    names = [name for name in hostile_run["out_files"] if name not in class_files]
    stray = [name for name in names if not name.startswith(("results/", "feedback/", "written/"))]
    assert stray == []
    written = [name for name in names if name.startswith("written/")]
    assert sorted(written) == ["written/why_clamp.csv", "written/why_clamp.html"], written
    assert len([n for n in names if n.startswith("results/")]) == len(hostile_run["pages"])


def test_run_takes_bounded_time_and_memory(hostile_run):
    assert hostile_run["elapsed"] < RUN_BUDGET_S
    assert hostile_run["rss_growth_mb"] < RSS_GROWTH_LIMIT_MB


# Forged messages in the result pipe --------------------------------------------------------------------


@pytest.fixture(scope="module")
def judge(assignment, tmp_path_factory) -> Judge:
    """A judge as the batch grader builds it, with the expected outputs."""
    support = tmp_path_factory.mktemp("judge")
    autograder = AutograderZip.read(assignment.zip_path)
    autograder.extract_support(support)
    return Judge(autograder, support)


@pytest.mark.parametrize("name", FORGED_REPORTS)
def test_forged_result_message_costs_only_its_own_grade(judge, name):
    forged = json.dumps(FORGED_REPORTS[name]).encode()
    grade = judge.grade("forged.ipynb", "digest", forged, forged)
    assert grade.total == 0
    feedback_page(grade, judge.autograder, assignment="logistic_regression", reference=judge.reference_variables)
    json.dumps(otter_results(grade, judge.autograder))


# Plain otter run, for contrast --------------------------------------------------------------------------

# entry → the scores `otter run` gives it with the released zip: the hidden tests
# run in the notebook's interpreter, so whatever they call can be patched.
OTTER_RUN = {
    # not fooled: the hidden tests compare plain NumPy data after a JSON round trip
    "patch_torch_allclose_zero_sigmoid": {"sigmoid": 0.0, "binary_loss": 0.0, "train": 0.0, "accuracy": 0.0},
    # fooled on sigmoid: checks.first_mismatch calls the patched numpy.isclose
    "patch_numpy_isclose_half_sigmoid": {"sigmoid": 2.0, "binary_loss": 0.0, "train": 0.0, "accuracy": 0.0},
    # fooled everywhere: autograder.authoring.otter.grade_case / suite.judge patched in sys.modules
    "patch_kit_judge": dict(POINTS),
}


def test_otter_run_is_fooled_where_the_kit_is_not(hostile_run, assignment, student_template, tmp_path, request):
    if request.node.callspec.params["hostile_run"] == "rootless":
        pytest.skip("otter run is compared once, with the root run (test_earns_only_what_it_solved covers rootless)")
    context = Context(
        student_template, tmp_path / "none.ipynb", tmp_path, tmp_path / "out", assignment.root, "unused", 9, "unused"
    )
    paths = []
    for name in OTTER_RUN:
        path = tmp_path / f"{name}.ipynb"
        path.write_bytes(hostile(name).build(context))
        paths.append(path)
    scores = dict(zip(OTTER_RUN, otter_scores_many(assignment.zip_path, paths, workers=len(paths))))
    assert scores == {name: pytest.approx(expected) for name, expected in OTTER_RUN.items()}
    for name in OTTER_RUN:
        assert hostile_run["rows"][_gradebook_name(hostile(name).file_name)]["scores"] == pytest.approx(
            hostile(name).expected
        )
