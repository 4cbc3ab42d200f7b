"""The server's access log without the secrets some addresses carry.

A first-login link holds its token in the path (it is a link a TA hands out, so it cannot travel in a
form). The access log would keep each one, usable until its student sets a password, for whoever reads
the log. ``SecretPathsHidden`` writes such a path with its token cut out.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
SECRET_PATHS = re.compile(r"^(/first-login/)[^/?#\s]+")
HIDDEN = "…"


class SecretPathsHidden(logging.Filter):
    """Cuts the token out of a first-login path in uvicorn's access log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client, method, path with query, HTTP version, status)
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            path = SECRET_PATHS.sub(rf"\g<1>{HIDDEN}", record.args[2])
            record.args = (*record.args[:2], path, *record.args[3:])
        return True


def hide_secret_paths() -> None:
    """Keep first-login tokens out of this process's access log, however uvicorn configures it."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, SecretPathsHidden) for existing in logger.filters):
        logger.addFilter(SecretPathsHidden())
