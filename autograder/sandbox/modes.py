"""Which sandbox this process can give a submission, and why.

- ``root``: namespaces, a sandbox uid per slot, cgroups where writable.
- ``rootless``: not root, but the kernel allows unprivileged user namespaces
  (as rootless bubblewrap and nsjail need): the same namespaces and
  allow-listed root, inside a user namespace of the sandbox's own.
- ``reduced``: neither; a child process with rlimits and seccomp only.

``AUTOGRADER_SANDBOX=reduced`` forces the reduced mode (where namespaces
exist but must not be used, e.g. a container that forbids nesting them).
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass

from autograder.forking import run_forked
from autograder.sandbox import cgroups

FORCE = "AUTOGRADER_SANDBOX"


@dataclass(frozen=True)
class Mode:
    name: str  # root | rootless | reduced
    reason: str

    @property
    def isolated(self) -> bool:
        return self.name != "reduced"

    def describe(self) -> str:
        """A paragraph for the TA: the mode, why, and what it means."""
        if self.name == "reduced":
            return (
                f"sandbox: REDUCED MODE ({self.reason}). Each submission runs as your own user, "
                "with rlimits and seccomp but no namespaces: it can read every file you can read, the reference "
                "functions included, and a setsid daemon can outlive it. Grade only submissions you trust, or run as "
                "root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu "
                "kernel.apparmor_restrict_unprivileged_userns=0)."
            )
        return f"sandbox: {self.name} isolation ({self.reason}); {cgroups.describe()}"


@functools.lru_cache(maxsize=None)
def current_mode() -> Mode:
    """The mode sandboxes started by this process get (probed once)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return Mode("reduced", f"namespaces need Linux, this is {sys.platform}")
    if os.environ.get(FORCE) == "reduced":
        return Mode("reduced", f"{FORCE}=reduced is set")
    if os.geteuid() == 0:
        return Mode("root", "running as root: PID, mount, network, IPC and UTS namespaces and a sandbox uid per slot")
    refused = user_namespaces_refused()
    if refused is None:
        return Mode(
            "rootless",
            "not root, and this kernel allows unprivileged user namespaces: user, PID, mount, network, IPC and UTS "
            "namespaces per sandbox",
        )
    return Mode("reduced", f"not root, and this kernel refuses unprivileged user namespaces: {refused}")


def user_namespaces_refused() -> str | None:
    """None if a child can make the namespaces a rootless sandbox needs and mount in them; else why not."""
    [outcome] = run_forked([_try_user_namespace], workers=1, timeout=10)
    if outcome.result is None:
        return outcome.problem
    return outcome.result.get("refused")


def _try_user_namespace() -> dict:
    from autograder.sandbox.fs import MS_NODEV, MS_NOSUID, _mount
    from autograder.sandbox.namespaces import (
        CLONE_NEWIPC,
        CLONE_NEWNET,
        CLONE_NEWNS,
        CLONE_NEWPID,
        CLONE_NEWUSER,
        CLONE_NEWUTS,
        enter_user_namespace,
    )

    try:
        enter_user_namespace(
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS, os.geteuid()
        )
        # Refused where AppArmor restricts user namespaces.
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=4k")
    except OSError as error:
        return {"refused": str(error)}
    return {"refused": None}
