"""The server's access log keeps no first-login token: a link in it stays usable until its student sets a
password, for whoever reads the log (found by a fresh review). Logging is configured here as
``autograder serve`` has uvicorn configure it, after the filter is in place, as it is in the server."""

from __future__ import annotations

import logging

import uvicorn

from autograder.server.access_log import ACCESS_LOGGER, hide_secret_paths

ACCESS_LINE = '%s - "%s %s HTTP/%s" %d'


def _logged(path: str, capsys) -> str:
    hide_secret_paths()
    uvicorn.Config(app="unused:app", log_level="info")  # uvicorn's own logging set-up, as uvicorn.run makes it
    logging.getLogger(ACCESS_LOGGER).info(ACCESS_LINE, "127.0.0.1:50000", "GET", path, "1.1", 200)
    return capsys.readouterr().out


def test_a_first_login_link_is_logged_without_its_token(capsys):
    logged = _logged("/first-login/Qm9va3MgYW5kIGNvZmZlZQ?next=/", capsys)
    assert '"GET /first-login/…?next=/ HTTP/1.1" 200' in logged
    assert "Qm9va3MgYW5kIGNvZmZlZQ" not in logged


def test_other_paths_are_logged_as_they_are(capsys):
    assert '"GET /assignments/kmeans HTTP/1.1" 200' in _logged("/assignments/kmeans", capsys)
