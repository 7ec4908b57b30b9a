"""The kind backend's commands on timeout (issue 13, point 5): the whole process group dies.

``subprocess.run(timeout=...)`` kills only the direct child; a grandchild holding the output
pipes (here a backgrounded ``sleep``, in real life kubectl's or kind's helpers) kept the wait
hanging and survived. The runner kills the command's process group and reports the timeout.
"""

from __future__ import annotations

import os
import time

from istio_notebook.labs.runner import SubprocessRunner


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_a_timeout_kills_the_grandchildren_and_names_the_timeout():
    started = time.monotonic()
    done = SubprocessRunner().run(["sh", "-c", "sleep 300 & echo $!; wait"], timeout=1)
    assert time.monotonic() - started < 10
    assert (done.returncode, done.stderr) == (124, "timed out after 1s")
    assert done.summary() == "`sh -c sleep 300 & echo $!; wait` failed: timed out after 1s"
    grandchild = int(done.stdout.split()[0])
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


def test_a_command_that_finishes_keeps_its_output_and_status():
    done = SubprocessRunner().run(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=10)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")


def test_input_is_passed_and_a_missing_program_is_127():
    assert SubprocessRunner().run(["cat"], timeout=10, input="abc").stdout == "abc"
    assert SubprocessRunner().run(["/nonexistent/tool"], timeout=10).returncode == 127
    assert os.getpgrp() == os.getpgid(0)  # the runner never moved the test process itself
