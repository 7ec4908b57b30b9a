"""Where bytes come from (issue 13, point 2): regular files and bounded streams only.

A FIFO blocks a reader forever, a device never ends, a pipe can be any size: each is refused
with one line (file:1, exit 2) or read with the same limit as a file. The CLI cases run the
real console entry in a subprocess with a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from istio_notebook.cli.check import check_paths
from istio_notebook.config import load_paths
from istio_notebook.config.source import decode, read_stream, read_text

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 99999999}]\n"


def run_cli(*args: str, stdin: bytes | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "istio_notebook", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "ISTIO_NOTEBOOK_DEBUG": ""},
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    lines = (result.stdout + result.stderr).decode().splitlines()
    assert "Traceback" not in "\n".join(lines)
    return "\n".join(lines)


def assert_one_line(output: str, error: str) -> None:
    # The text format may follow the message with the catalogue's " (hint: ...)" on the same line.
    assert "\n" not in output
    assert output == error or output.startswith(error + " (hint: ")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_check_refuses_a_fifo_instead_of_blocking(fifo):
    result = run_cli("check", str(fifo))
    assert result.returncode == 2
    assert_one_line(one_error_line(result), f"Error [INB1011] ({fifo}:1) cannot read: a FIFO (named pipe), not a regular file")


def test_a_fifo_inside_a_directory_is_refused_and_the_other_files_are_checked(tmp_path, fifo):
    (tmp_path / "svc.yaml").write_text(SERVICE)
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 2
    output = one_error_line(result)
    assert f"({fifo}:1) cannot read: a FIFO" in output
    assert "port number 99999999 must be in the range" in output  # svc.yaml was still read


def test_a_character_device_is_refused_not_read_whole():
    # /dev/zero never ends: before this, `check /dev/zero` read 7.6 GB in 10 s.
    result = run_cli("check", "/dev/zero")
    assert result.returncode == 2
    assert_one_line(one_error_line(result), "Error [INB1011] (/dev/zero:1) cannot read: a character device, not a regular file")


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        [diagnostic] = read_text(path)[1]
    finally:
        server.close()
    assert (diagnostic.code, diagnostic.message) == ("INB1011", "cannot read: a socket, not a regular file")


def test_a_symlink_to_a_fifo_is_refused(tmp_path, fifo):
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    [diagnostic] = load_paths([link]).diagnostics
    assert diagnostic.message == "cannot read: a FIFO (named pipe), not a regular file"


def test_a_markdown_page_that_is_a_fifo_is_refused(tmp_path):
    page = tmp_path / "page.md"
    os.mkfifo(page)
    result = run_cli("check", str(page))
    assert result.returncode == 2
    assert "cannot read: a FIFO (named pipe)" in one_error_line(result)


def test_a_stream_is_read_with_the_size_limit_and_no_further():
    class Endless(io.RawIOBase):
        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            buffer[:] = b"a" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    stream = Endless()
    text, [diagnostic] = read_stream(stream, "<stdin>", max_bytes=1000)
    assert text is None and diagnostic.code == "INB1012" and diagnostic.file == "<stdin>"
    assert stream.served == 1001  # read one byte past the limit to know there was more, no more
    assert diagnostic.message == "file is more than 1000 bytes; the limit is 1000"


def test_a_stream_within_the_limit_is_decoded():
    assert read_stream(io.BytesIO(SERVICE.encode()), "<stdin>") == (SERVICE, [])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded_with_its_lines(tmp_path, encoding):
    # kubectl decodes through unicode.BOMOverride (k8s.io/cli-runtime pkg/resource/visitor.go),
    # so a UTF-16 file that Windows editors save is valid input there and must not be "binary".
    raw = SERVICE.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    path = tmp_path / "svc.yaml"
    path.write_bytes(raw)
    [diagnostic] = [d for d in check_paths([path]) if d.code == "IST0106"]
    assert diagnostic.line == 5  # the line of the port in the decoded text


def test_utf16_cut_in_the_middle_of_a_character_is_reported_as_bad_utf16():
    raw = "\ufeffkind: a\nb".encode("utf-16-le")[:-1]  # an odd number of bytes
    text, [diagnostic] = decode(raw, "f.yaml")
    assert text is None and (diagnostic.code, diagnostic.line) == ("INB1008", 2)
    assert diagnostic.message == "file is not valid UTF-16-LE (bad byte at offset 18)"


def test_nul_without_a_byte_order_mark_is_still_binary():
    _, [diagnostic] = decode(b"kind: a\x00b", "f.yaml")
    assert diagnostic.code == "INB1009" and diagnostic.message == "binary file (NUL byte at offset 7); not read"
