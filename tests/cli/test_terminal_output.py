"""Terminal output (issue 20, item 4): full width when piped, colour only on a terminal, NO_COLOR.

Rich would wrap and cut to 80 columns whenever stdout is not a terminal (`lab list | cat`
printed "エグレス（ServiceEntry、エグレスゲートウェイ、REGISTRY_ON…"). These run the real console
entry in a subprocess, once with a pipe and once with a pseudo-terminal, as a user would.
NO_COLOR: https://no-color.org/ ("should prevent the addition of ANSI color").
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLOUR = re.compile(r"\x1b\[[0-9;]*?(?:3[0-7]|9[0-7]|38;[0-9;]+)m")  # a foreground colour SGR
ANY_ESCAPE = "\x1b["


def cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "istio_notebook", *argv]


def on_a_terminal(argv: list[str], **env: str) -> str:
    """Output of ``argv`` run with a pseudo-terminal as stdout (80 columns, like a fresh xterm)."""
    leader, follower = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(TERM="xterm-256color", COLUMNS="80", **env)
    process = subprocess.Popen(argv, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL, cwd=REPO, env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_piped_lab_list_prints_every_title_in_full_without_escape_codes() -> None:
    titles = [lab["title"] for lab in json.loads(subprocess.run(
        cli("lab", "list", "--format", "json"), capture_output=True, text=True, cwd=REPO, timeout=120, check=True).stdout)["labs"]]
    piped = subprocess.run(cli("lab", "list"), capture_output=True, text=True, cwd=REPO, timeout=120,
                           env={**os.environ, "COLUMNS": "80"}, check=True).stdout
    assert "…" not in piped and ANY_ESCAPE not in piped
    assert any(len(title) > 30 for title in titles)  # else nothing here would have been cut
    for title in titles:
        assert title in piped, title


@pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color_is_set() -> None:
    argv = cli("lab", "run", "traffic-shifting", "--backend", "sim")
    assert COLOUR.search(on_a_terminal(argv)), "a terminal gets coloured PASS marks"
    plain = on_a_terminal(argv, NO_COLOR="1")
    assert "PASS" in plain and not COLOUR.search(plain)


def test_piped_lab_run_has_no_escape_codes() -> None:
    done = subprocess.run(cli("lab", "run", "traffic-shifting", "--backend", "sim"), capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0 and "PASS" in done.stdout and ANY_ESCAPE not in done.stdout
