"""The SLURM job array in deploy/ on a real one-node cluster: four shards merge to the single run's gradebook.

The test starts munged (if it is not running), slurmctld and slurmd for one node on localhost, with
a configuration of its own on ports of its own, submits deploy/slurm_grade.sh as a 4-task array (with
`autograder grade` options passed through, and its outputs and logs under one output folder) and
waits for it. ``.ci/run`` installs Debian's slurm-wlm; without it (or without root, which slurmd
needs to run jobs as their user) the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ASSIGNMENT, PROJECT
from tests.corpus.honest import write_corpus

pytestmark = pytest.mark.slow
CLI = Path(sys.executable).with_name("autograder")
SHARDS = 4
# One notebook per shard, each scoring differently: enough for the merge to show a lost or doubled row.
NAMES = ("correct_course_style", "loss_no_clamp", "sigmoid_wrong_sign", "train_no_zero_grad")

if not shutil.which("slurmctld") or not shutil.which("munged"):
    pytest.skip("SLURM is not installed (apt-get install slurm-wlm; .ci/run does it as root)", allow_module_level=True)
if os.geteuid() != 0:
    pytest.skip("slurmd must run as root to start jobs", allow_module_level=True)

CONFIG = """ClusterName=kit
SlurmctldHost=localhost
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldPort={controller}
SlurmdPort={node}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MinJobAge={min_job_age}
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
NodeName=localhost NodeHostname=localhost CPUs={cpus} RealMemory=16000 State=UNKNOWN
PartitionName=kit Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


# sbatch --wait polls every 2, 8, then 32 s while that is under MinJobAge / 2 (a finished job stays
# listed MinJobAge seconds): 16 s keeps its poll at 8 s, where 32 s cost up to half a minute.
MIN_JOB_AGE_S = 16


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A one-node cluster on localhost; yields the environment its commands need."""
    folder = tmp_path_factory.mktemp("slurm")
    (folder / "state").mkdir()
    (folder / "spool").mkdir()
    config = folder / "slurm.conf"
    config.write_text(
        CONFIG.format(
            folder=folder,
            controller=_free_port(),
            node=_free_port(),
            cpus=os.cpu_count() or 2,
            min_job_age=MIN_JOB_AGE_S,
        )
    )
    environment = {**os.environ, "SLURM_CONF": str(config)}
    started_munge = subprocess.run(["pgrep", "-x", "munged"], capture_output=True).returncode != 0
    if started_munge:
        Path("/run/munge").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        subprocess.run(["su", "-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged"], check=True, timeout=30)
    subprocess.run(["slurmctld", "-f", str(config)], check=True, env=environment, timeout=30)
    subprocess.run(["slurmd", "-f", str(config), "-N", "localhost"], check=True, env=environment, timeout=30)
    _wait_for(
        lambda: (
            "idle"
            in subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=environment).stdout
        ),
        what="the node to come up",
    )
    yield environment
    for daemon in ("slurmd", "slurmctld"):
        pid = folder / f"{daemon}.pid"
        if pid.is_file():
            try:
                os.kill(int(pid.read_text()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
    if started_munge:
        subprocess.run(["pkill", "-x", "munged"])


def _wait_for(condition, *, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def test_the_job_array_merges_to_the_single_runs_gradebook(cluster, assignment, student_template, tmp_path):
    submissions = tmp_path / "submissions"
    write_corpus(submissions, student_template, names=NAMES)
    roster = tmp_path / "roster.csv"
    roster.write_text("学号,姓名\n2023001,张三\n", encoding="utf-8")
    project = assignment.root
    before = sorted(project.iterdir())
    out = tmp_path / "graded"
    out.mkdir()
    job = [
        # One CPU a task (the script asks for two), so this 2-CPU node runs two shards at once.
        "sbatch",
        "--wait",
        f"--array=1-{SHARDS}",
        "--mem=1G",
        "--cpus-per-task=1",
        f"--output={out}/slurm-%A_%a.out",
        str(PROJECT / "deploy" / "slurm_grade.sh"),
        str(submissions),
        ASSIGNMENT,
        str(out),
        "--roster",
        str(roster),
        "--timeout",
        "300",
    ]
    done = subprocess.run(
        job, cwd=project, env={**cluster, "AUTOGRADER": str(CLI)}, capture_output=True, text=True, timeout=1200
    )
    logs = "\n".join(path.read_text() for path in sorted(out.glob("slurm-*.out")))
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{logs[-3000:]}"
    assert sorted(project.iterdir()) == before, "the job wrote into the folder it was submitted from"
    shards = sorted(out.glob("shard-*"))
    assert len(shards) == SHARDS and len(list(out.glob("slurm-*.out"))) == SHARDS
    # Options after OUT reach `autograder grade`: every shard saved the roster it was given.
    assert all(
        json.loads((shard / "class.json").read_text(encoding="utf-8"))["roster"] == str(roster) for shard in shards
    )
    merged, single = tmp_path / "merged", tmp_path / "single"
    subprocess.run(
        [str(CLI), "--root", str(project), "merge", *map(str, shards), "-a", ASSIGNMENT, "-o", str(merged)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    subprocess.run(
        [str(CLI), "--root", str(project), "grade", str(submissions), "-a", ASSIGNMENT, "-o", str(single)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    assert (merged / "final_grades.csv").read_text() == (single / "final_grades.csv").read_text()
    assert len((single / "final_grades.csv").read_text().splitlines()) == 2 + len(NAMES)


@pytest.mark.parametrize("option", ["-o", "--out=elsewhere", "--shard"])
def test_the_script_refuses_the_options_it_sets_itself(option, tmp_path):
    done = subprocess.run(
        [
            "bash",
            str(PROJECT / "deploy" / "slurm_grade.sh"),
            "submissions",
            ASSIGNMENT,
            str(tmp_path / "out"),
            option,
            "x",
        ],
        env={**os.environ, "SLURM_SUBMIT_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and f"sets {option} itself" in done.stderr
    assert not (tmp_path / "out").exists()
