"""From a file (or stdin) to checked text: the size limit, the encoding and stray control characters.

Every document and applicant is read through here, so a file that is too big, not a regular file, not
readable, binary, in another encoding (GBK / GB18030 is the Chinese Windows default) or carrying a NUL or
other control character is refused with the file named and, where there is one, the line and column of the
first bad byte, before a parser does any work that grows with the input.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from engine.core.errors import DocumentError, Problem

UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
# What YAML 1.2 calls non-printable (JSON forbids the same inside strings): C0 controls other than tab, line
# feed and carriage return, DEL, C1 controls other than NEL, lone surrogates and the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "backspace", 11: "vertical tab", 12: "form feed", 27: "ESC", 127: "DEL"}
_CJK = re.compile("[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
RESAVE = "re-save it as UTF-8"


def _fail(name: str, message: str, hint: str | None = None, line: int | None = None, column: int | None = None) -> DocumentError:
    return DocumentError([Problem(name, line, column, (), message, hint, code="PF001")])


def read_limited(path: Path, name: str, max_bytes: int) -> bytes:
    """The file's bytes; a located DocumentError when it is missing, not a regular file, unreadable or too big.

    The size is checked on the open file (not a path looked up twice) and at most max_bytes + 1 bytes are
    read, so a file that grows, or a device such as /dev/zero, cannot make the read unbounded."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _fail(name, "file not found") from None
    except PermissionError:
        raise _fail(name, "cannot read the file: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise _fail(name, f"cannot read the file ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise _fail(name, "is a directory, expected a file", "rename the folder, or move it out of the pack")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(name, "is not a regular file (a pipe, socket or device)", "give a file")
    if info.st_size > max_bytes:
        raise _too_big(name, info.st_size, max_bytes)
    try:
        # O_NONBLOCK: a file swapped for a pipe after the check cannot block the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise _fail(name, "cannot read the file: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise _fail(name, f"cannot read the file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _fail(name, "is not a regular file (a pipe, socket or device)", "give a file")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise _fail(name, f"cannot read the file ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes)
    return data


def read_stream(stream: BinaryIO, name: str, max_bytes: int) -> bytes:
    """At most max_bytes from a stream (stdin); more is refused rather than read."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(name, None, max_bytes)
    return data


def _too_big(name: str, size: int | None, max_bytes: int) -> DocumentError:
    shown = f"{size:,} bytes" if size is not None else f"more than {max_bytes:,} bytes"
    return _fail(name, f"the file is too large: {shown}; the limit is {max_bytes:,} bytes", "see docs/limits.md")


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped); a located DocumentError for anything else."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    else:
        for bom, encoding in _OTHER_BOMS:
            if data.startswith(bom):
                raise _fail(name, f"the file is {encoding} text, expected UTF-8", RESAVE, 1, 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, name, exc.start) from None
    check_characters(text, name)
    return text


def check_characters(text: str, name: str) -> None:
    """Refuse the first control character (a NUL, an ESC, ...) with its line and column."""
    found = _CONTROL.search(text)
    if found is None:
        return
    line, column = line_column(text, found.start())
    code = ord(found.group())
    label = f"U+{code:04X}" + (f" ({_CONTROL_NAMES[code]})" if code in _CONTROL_NAMES else "")
    if code == 0 and text.count("\x00") > 1:
        raise _fail(name, f"binary data, not a text document (NUL bytes, the first at line {line} column {column})",
                    "give a YAML or JSON text file", line, column)
    raise _fail(name, f"control character {label} at line {line} column {column}", "remove it; documents are plain text",
                line, column)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def _not_utf8(data: bytes, name: str, offset: int) -> DocumentError:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    where = f"line {line} column {column} (byte {offset})"
    if b"\x00" in data[:8192]:
        return _fail(name, f"binary data, not a text document (not UTF-8 at {where})", "give a YAML or JSON text file", line, column)
    try:
        legacy = data.decode("gb18030")
    except UnicodeDecodeError:
        legacy = ""
    if _CJK.search(legacy):
        return _fail(name, f"not UTF-8 text: the bytes at {where} look like GBK / GB18030 (the Chinese Windows default)",
                     RESAVE + " (in Notepad: Save As, encoding UTF-8)", line, column)
    return _fail(name, f"not UTF-8 text: invalid byte 0x{data[offset]:02X} at {where}", RESAVE, line, column)
