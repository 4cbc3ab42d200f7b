"""The /etc a sandbox gets: the few files a notebook's run reads, not the host's folder.

A trace of an honest submission's whole run in a sandbox (``strace -f`` of ``autograder grade``,
every path opened after ``pivot_root``) found one read of /etc: ``ld.so.cache``, which the dynamic
loader reads when a library is loaded. The host's /etc also holds what no submission needs and
some it must not read: the host's users and groups, its name and network (``hostname``,
``hosts``), ``shadow`` wherever the grading user may read it through a group, and whatever an
administrator keeps there. So a sandbox's /etc holds, read-only:

- copied from the host: the loader's cache and the time zone (``localtime``, the file it names),
  copies so that no inode of the host's is shared (its page cache is every sandbox's);
- written by the kit: a ``passwd`` and ``group`` naming only root and the sandbox's user
  ("student", as ``USER`` says), so ``pwd.getpwuid(os.getuid())`` and ``~`` work; ``nsswitch.conf``
  pointing lookups at those files; a ``hostname`` and ``hosts`` for the sandbox's own name.
"""

from __future__ import annotations

import os

COPIED = ("ld.so.cache", "localtime")
HOSTNAME = "sandbox"  # as the sandbox's UTS namespace is named (autograder.sandbox.isolated)


def written(uid: int, home: str) -> dict[str, str]:
    """The files the kit writes, by name, for a sandbox whose student process is ``uid``."""
    return {
        "passwd": f"root:x:0:0:root:/:/usr/sbin/nologin\nstudent:x:{uid}:{uid}:student:{home}:/usr/sbin/nologin\n",
        "group": f"root:x:0:\nstudent:x:{uid}:\n",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
        "hostname": f"{HOSTNAME}\n",
        "hosts": f"127.0.0.1\tlocalhost {HOSTNAME}\n::1\tlocalhost {HOSTNAME}\n",
    }


def populate(root: str, *, uid: int, home: str) -> None:
    """Make ``root``/etc: copies of the host's ``COPIED`` files, and the kit's own. Runs before pivot_root."""
    etc = os.path.join(root, "etc")
    os.makedirs(etc, exist_ok=True)
    files = {name: text.encode() for name, text in written(uid, home).items()}
    for name in COPIED:
        try:
            with open(os.path.join("/etc", name), "rb") as host_file:  # follows localtime's link
                files[name] = host_file.read()
        except OSError:
            continue  # a host without it: the loader and the time zone have defaults
    for name, content in files.items():
        with open(os.path.join(etc, name), "wb") as handle:
            handle.write(content)
        os.chmod(os.path.join(etc, name), 0o444)
    os.chmod(etc, 0o555)
