"""Where input bytes come from: regular files and standard input, never more than a limit.

Every reader in the project that takes a path from the user (the loader, Markdown pages,
fixtures, lab files) reads through :func:`read_text`, and a command that accepts ``-`` reads
standard input through :func:`read_stdin`. Both read at most ``max_bytes`` + 1 bytes, so a
huge pipe or ``/dev/zero`` costs no more memory than a file at the limit; only regular files
are opened for reading at all (a FIFO would block forever, a device never ends), and a file
is opened without blocking and checked with ``fstat`` on the open descriptor, so a path
swapped for a FIFO between the check and the read cannot hang us either.

Problems are diagnostics (INB1008/1009/1011/1012), never exceptions.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from istio_notebook.diagnostics import Diagnostic, Position, report

MAX_FILE_BYTES = 32 * 1024 * 1024
STDIN_NAME = "<stdin>"
_CHUNK = 1 << 20

# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
# kubectl reads files through unicode.BOMOverride(UTF8 decoder) (k8s.io/cli-runtime
# pkg/resource/visitor.go), so a UTF-16 file with a BOM is valid input there; so it is here.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def file_kind(mode: int) -> str | None:
    """``None`` for a regular file, else what it is in words (for the one-line error)."""
    if stat.S_ISREG(mode):
        return None
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes → text: UTF-8 (with or without BOM), or UTF-16/32 when a BOM says so.

    Without a BOM, a NUL byte means binary (INB1009) and anything not UTF-8 is INB1008.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _decode_as(raw, len(bom), encoding, file)
    nul = raw.find(b"\x00")
    if nul >= 0:
        return None, [report("INB1009", Position(file), offset=nul)]
    return _decode_as(raw, 0, "utf-8", file)


def _decode_as(raw: bytes, start: int, encoding: str, file: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        text = raw[start:].decode(encoding)
    except UnicodeDecodeError as error:
        offset = start + error.start
        line = raw[start:offset].decode(encoding, errors="replace").count("\n") + 1
        return None, [report("INB1008", Position(file, line), encoding=encoding.upper(), offset=offset)]
    if "\x00" in text:
        return None, [report("INB1009", Position(file), offset=text.index("\x00"))]
    return text, []


def read_bounded(stream: BinaryIO, max_bytes: int) -> tuple[bytes, bool]:
    """At most ``max_bytes`` bytes of ``stream``, and whether there was more."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)[:max_bytes], True


def read_file_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of a regular file within the limit, or the one diagnostic why not."""
    file = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        return None, [report("INB1011", Position(file), reason=_open_failure(path, error))]
    with os.fdopen(fd, "rb", buffering=0) as stream:
        try:
            info = os.fstat(fd)
            kind = file_kind(info.st_mode)
            if kind is not None:
                return None, [report("INB1011", Position(file), reason=f"{kind}, not a regular file")]
            if info.st_size > max_bytes:
                return None, [report("INB1012", Position(file), size=info.st_size, limit=max_bytes)]
            raw, more = read_bounded(stream, max_bytes)  # the file may grow while we read
        except OSError as error:
            return None, [report("INB1011", Position(file), reason=error.strerror or str(error))]
    if more:
        return None, [report("INB1012", Position(file), size=f"more than {max_bytes}", limit=max_bytes)]
    return raw, []


def _open_failure(path: Path, error: OSError) -> str:
    """Why a path could not be opened: what it is when that is the reason (a socket: ENXIO)."""
    try:
        kind = file_kind(os.stat(path).st_mode)
    except OSError:
        kind = None
    return f"{kind}, not a regular file" if kind else error.strerror or str(error)


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """The text of a regular file (see :func:`decode`), or the one diagnostic why not."""
    raw, problems = read_file_bytes(Path(path), max_bytes=max_bytes)
    if raw is None:
        return None, problems
    return decode(raw, str(path))


def read_stream(
    stream: BinaryIO, name: str = STDIN_NAME, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[str | None, list[Diagnostic]]:
    """The text of a binary stream (a pipe, a terminal), read with the same limit as files."""
    try:
        raw, more = read_bounded(stream, max_bytes)
    except OSError as error:
        return None, [report("INB1011", Position(name), reason=error.strerror or str(error))]
    if more:
        return None, [report("INB1012", Position(name), size=f"more than {max_bytes}", limit=max_bytes)]
    return decode(raw, name)


def read_stdin(name: str = STDIN_NAME, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """Standard input as text (``-`` on the command line); diagnostics name it ``name``."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        return None, [report("INB1011", Position(name), reason="standard input is closed")]
    return read_stream(stream, name, max_bytes=max_bytes)
