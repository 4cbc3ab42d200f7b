"""A kernel that dies before it answers (two kernels started at once can race for a port) is started once
more by the release's solution run; a kernel that dies twice, or a failure of any other kind, is reported."""

from __future__ import annotations

import nbformat
import pytest

from autograder.release import solution_exec


class _Kernels:
    """Clients whose kernels fail to start the first ``deaths`` times with ``message``."""

    def __init__(self, deaths: int, message: str = "Kernel died before replying to kernel_info"):
        self.deaths, self.message, self.started = deaths, message, 0

    def __call__(self, notebook, **options):
        kernels = self

        class Client:
            def execute(self):
                kernels.started += 1
                if kernels.started <= kernels.deaths:
                    raise RuntimeError(kernels.message)
                notebook.metadata["ran_in"] = options["resources"]["metadata"]["path"]

        return Client()


def test_a_kernel_that_died_at_start_is_started_once_more(tmp_path):
    notebook, kernels = nbformat.v4.new_notebook(), _Kernels(deaths=1)
    solution_exec._execute(kernels, notebook, tmp_path)
    assert kernels.started == 2 and notebook.metadata["ran_in"] == str(tmp_path)


def test_a_kernel_that_dies_twice_is_reported(tmp_path):
    kernels = _Kernels(deaths=2)
    with pytest.raises(RuntimeError, match="Kernel died"):
        solution_exec._execute(kernels, nbformat.v4.new_notebook(), tmp_path)
    assert kernels.started == 2


def test_another_failure_is_not_tried_again(tmp_path):
    kernels = _Kernels(deaths=1, message="Kernel died while waiting for execute reply")
    with pytest.raises(RuntimeError, match="execute reply"):
        solution_exec._execute(kernels, nbformat.v4.new_notebook(), tmp_path)
    assert kernels.started == 1
