"""``autograder serve COURSE_DIR``: the course server in this process, with uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from autograder.server.access_log import hide_secret_paths
from autograder.server.app import create_app
from autograder.server.course import Course
from autograder.server.download import check_downloads
from autograder.server.settings import readable_password

log = logging.getLogger("autograder.server")


def serve(
    folder: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    database_url: str | None = None,
    queue_url: str | None = None,
) -> None:
    """Serve ``folder``'s course until stopped (SIGINT or SIGTERM); jobs still running go back to the queue.
    With ``queue_url``, workers on other machines grade (``autograder worker``)."""
    course = Course(folder, database_url=database_url)
    warning = readable_password(course.folder, course.settings)
    if warning:
        log.warning(warning)
    check_downloads(offered.assignment for offered in course.offered.values())
    # X-Forwarded-For names the client only when a proxy the operator trusts sent it: from anyone
    # else it is a header they chose, and the login rate limit would count each forged address apart.
    proxies = list(course.settings.trusted_proxies)
    hide_secret_paths()
    # One process: the grading pools and the queue's heartbeat live in it. Scale out with more workers, not more
    # servers.
    uvicorn.run(
        create_app(course, queue_url=queue_url),
        host=host,
        port=port,
        log_level="info",
        timeout_graceful_shutdown=10,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
