"""HEAD and OPTIONS over HTTP against a real server: link checkers, uptime monitors and some proxies send
HEAD, and every page answered them 405. HEAD is answered as GET (same status, same headers, no body, the
same access checks); OPTIONS names the methods an address takes and opens nothing to other sites; and no
method tells a student which staff addresses exist."""

from __future__ import annotations

import pytest

from tests.course_server import STAFF, Visitor, plain_server

NAME = "logistic_regression"
STUDENT = "2026001"
STAFF_ADDRESSES = (
    "/staff",
    f"/staff/assignments/{NAME}",
    f"/staff/assignments/{NAME}/class/index.html",
    f"/staff/assignments/{NAME}/regrade",  # POST only
    "/staff/students/2026002",
    "/staff/accounts",
    "/staff/accounts/2026002/first-login",  # POST only
)


@pytest.fixture(scope="module")
def server(assignment, tmp_path_factory):
    with plain_server(assignment, tmp_path_factory.mktemp("methods-server")) as running:
        yield running


@pytest.mark.parametrize(
    "login, path",
    [
        (None, "/login"),
        (None, "/"),
        (None, "/staff"),
        (STUDENT, "/"),
        (STUDENT, f"/assignments/{NAME}"),
        (STUDENT, "/tokens"),
        (STUDENT, "/account/password"),
        (STUDENT, "/api/me"),
        (STUDENT, "/api/assignments"),
        (STUDENT, "/no-such-page"),
        (STAFF, "/staff"),
        (STAFF, f"/staff/assignments/{NAME}"),
        (STAFF, "/staff/accounts"),
    ],
)
def test_head_is_answered_as_get_without_a_body(server, login, path):
    visitor = Visitor.signed_in(server.url, login)
    got, head = visitor.http.get(path), visitor.http.head(path)
    assert head.status_code == got.status_code != 405, head.text
    assert head.content == b""
    for header in ("content-type", "content-length", "location", "content-security-policy"):
        assert head.headers.get(header) == got.headers.get(header), header


@pytest.mark.parametrize("path", STAFF_ADDRESSES)
def test_a_student_cannot_tell_a_staff_address_by_its_method(server, path):
    """Every method on a staff address answers a student as an address that does not exist does: before,
    HEAD, OPTIONS or a method it does not take answered 405 and listed what it takes."""
    student = Visitor.signed_in(server.url, STUDENT)
    nowhere = student.http.request("OPTIONS", "/staff/no-such-page")
    assert nowhere.status_code == 404
    for method in ("GET", "HEAD", "OPTIONS", "DELETE", "PUT"):
        answer = student.http.request(method, path)
        assert answer.status_code == 404 and "allow" not in answer.headers, (method, answer.headers)


@pytest.mark.parametrize(
    "login, path, allowed",
    [
        (STUDENT, f"/assignments/{NAME}", "GET, HEAD, OPTIONS"),
        (STUDENT, "/account/password", "GET, HEAD, OPTIONS, POST"),
        (STUDENT, "/logout", "OPTIONS, POST"),
        (None, "/login", "GET, HEAD, OPTIONS, POST"),
        (STUDENT, "/api/tokens/1", "DELETE, OPTIONS"),
        (STAFF, "/staff", "GET, HEAD, OPTIONS"),
        (STAFF, f"/staff/assignments/{NAME}/regrade", "OPTIONS, POST"),
    ],
)
def test_options_names_the_methods_and_opens_nothing_to_other_sites(server, login, path, allowed):
    visitor = Visitor.signed_in(server.url, login)
    answer = visitor.http.request(
        "OPTIONS", path, headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    )
    assert answer.status_code == 204 and answer.headers["allow"] == allowed
    assert not [name for name in answer.headers if name.startswith("access-control-")]


@pytest.mark.parametrize("login, path", [(STUDENT, "/logout"), (STAFF, f"/staff/assignments/{NAME}/regrade")])
def test_a_method_an_address_does_not_take_is_refused_in_both_languages(server, login, path):
    refused = Visitor.signed_in(server.url, login).http.get(path)
    assert refused.status_code == 405 and "POST" in refused.headers["allow"]
    assert "这个地址不接受这种请求 · this address does not take this kind of request" in refused.text


# HEAD runs the GET handler, and GET /assignments/NAME/download issues a new token and
# revokes the token of the previous download. A HEAD (a link checker, a prefetching proxy, `curl -I`) thus
# would silently kill the token in the student's notebook folder, and hand back no body holding the new one:
# the download does nothing for a HEAD.
def test_head_of_a_download_does_not_revoke_the_notebook_token(server):
    student = Visitor.signed_in(server.url, "2026001")
    assert student.http.get(f"/assignments/{NAME}/download").status_code == 200
    before = student.http.get("/api/tokens").json()
    assert [token["active"] for token in before] == [True]

    head = student.http.head(f"/assignments/{NAME}/download")
    assert head.status_code == 200 and head.content == b""

    after = student.http.get("/api/tokens").json()
    assert [token["id"] for token in after if token["active"]] == [before[0]["id"]], after


# The docs say a staff path answers anyone but staff 404 whatever the method, so that no one learns
# which staff addresses exist. A fresh review found anonymous visitors reading every staff route in
# /api/openapi.json, a student telling real staff addresses from made-up ones by their trailing-slash
# redirect (307 versus 404), and a stranger by the login redirect (303 versus 404).
def test_the_public_openapi_schema_names_no_staff_path(server):
    schema = Visitor(server.url).http.get("/api/openapi.json")
    assert schema.status_code == 200 and "/api/assignments" in schema.json()["paths"]
    assert not [path for path in schema.json()["paths"] if path.startswith("/staff")]


@pytest.mark.parametrize("real", ["/staff/accounts/", f"/staff/assignments/{NAME}/", "/staff/students/2026002/"])
def test_a_student_cannot_tell_a_staff_path_from_a_made_up_one_by_a_trailing_slash(server, real):
    student = Visitor.signed_in(server.url, "2026001")
    made_up = student.http.get("/staff/no-such-page/")
    answer = student.http.get(real)
    assert (answer.status_code, answer.headers.get("location")) == (made_up.status_code, None)


def test_an_anonymous_visitor_cannot_tell_a_staff_path_from_a_made_up_one(server):
    stranger = Visitor(server.url)
    answers = {
        (method, path): stranger.http.request(method, path)
        for method in ("GET", "POST", "PUT", "OPTIONS")
        for path in ("/staff/accounts", "/staff/accounts/add", f"/staff/assignments/{NAME}", "/staff/no-such-page")
    }
    assert {answer.status_code for answer in answers.values()} == {303}
    assert {answer.headers["location"].split("?")[0] for answer in answers.values()} == {"/login"}
