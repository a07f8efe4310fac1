"""Bytes → text: UTF-8 decoding, binary and UTF-16/32 sniffing, and reading a file's bytes.

Text as read: the bytes decoded as UTF-8 (``--encoding-errors replace`` opts in to
U+FFFD replacement), a leading BOM removed, line ends (LF, CRLF, CR) untouched.
Every offset mtqa reports indexes that string.

A binary file is one with a known magic number (PNG, PDF, JPEG, GIF, zip, ELF, gzip,
OLE2, 7z, xz, zstd), or with more than a third of its first 8 KiB (64 bytes at least)
NUL, other C0 control bytes (not TAB, LF, VT, FF, CR, ESC) or bytes that are not UTF-8
(Perl's ``-B`` share): text has next to none, while UTF-16/32, executables and compressed
or random data have a third or more; the message names every input type
(:data:`SUFFIXES`). Anything else is text, so a stray NUL or bad byte
costs only its own unit: the line (.jsonl, .tsv), the record (.csv) or the file (.txt
is one article, as for any bad byte). ``--encoding-errors replace`` turns a NUL into
U+FFFD like a bad byte.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mtqa.errors import InputError, named_value
from mtqa.io import READERS

#: the input file types: mtqa's own, then the translators' exchange formats (:mod:`mtqa.io`);
#: the folder walk (:mod:`mtqa.readers.walk`) reads these, the binary-file message names them
SUFFIXES = (".txt", ".jsonl", ".tsv", ".csv", *READERS)

BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_BINARY_MAGIC: tuple[bytes, ...] = (b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8")
_BINARY_MAGIC += (b"PK\x03\x04", b"PK\x05\x06", b"\x7fELF", b"\x1f\x8b", b"\xd0\xcf\x11\xe0")
_BINARY_MAGIC += (b"7z\xbc\xaf", b"\xfd7zXZ", b"\x28\xb5\x2f\xfd")  # 7z, xz, zstd
_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in b"\t\n\x0b\x0c\r\x1b")
_SNIFF, _TINY = 8192, 64  # bytes sniffed; a smaller file is judged byte by byte
_KINDS = {
    "FIFO": "a FIFO",
    "SOCK": "a socket",
    "CHR": "a character device",
    "BLK": "a block device",
}


def line_of(data: bytes, pos: int) -> int:
    """1-based line of byte ``pos`` (a line ends at LF, CRLF or a lone CR, as when reading)."""
    head = data[:pos]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def bad_byte(data: bytes, path: str, pos: int, replace_option: bool = True) -> InputError:
    """The error for the NUL or invalid UTF-8 byte at ``pos``: line, byte offset, the fix.

    ``replace_option``: the command takes ``--encoding-errors replace`` (``mtqa check``), so
    the message offers it; the other commands (calibrate, synth, eval) read UTF-8 only.
    """
    what = "NUL byte" if data[pos] == 0 else "invalid UTF-8"
    if replace_option:
        fix = "remove it" if data[pos] == 0 else "convert the file to UTF-8"
        fix += f" or pass {named_value('encoding_errors', 'replace')}"
    else:
        fix = (
            "remove it"
            if data[pos] == 0
            else "convert the file to UTF-8 (`iconv -f CHARSET -t UTF-8`)"
        )
    return InputError(path, line_of(data, pos), f"{what} at byte {pos} (0x{data[pos]:02x}); {fix}")


def wide_unicode(data: bytes) -> str | None:
    """``"UTF-32"`` or ``"UTF-16"`` when ``data`` starts with that encoding's byte order
    mark (UTF-32's first: its little-endian one starts with UTF-16's) or, without one, has
    its pattern of NUL bytes (UTF-32: the two high bytes of every four and not the low one,
    as in text of the Basic Multilingual Plane; UTF-16: one byte in every two, as in text in
    a Latin script); else None."""
    if data.startswith(_UTF32_BOMS):
        return "UTF-32"
    if data.startswith(_UTF16_BOMS):
        return "UTF-16"
    sample = data[:_SNIFF]
    quarter, half = len(sample) // 4, len(sample) // 2
    by4 = [sample[i::4].count(0) for i in range(4)]
    low, high = (by4[0], min(by4[2:])), (by4[3], min(by4[:2]))  # little-, big-endian
    if quarter >= 2 and any(n > 0.9 * quarter > 9 * z for z, n in (low, high)):
        return "UTF-32"
    by2 = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    if half >= 2 and by2[1] > 0.7 * half > 14 * by2[0]:
        return "UTF-16"
    return None


def _sniff(data: bytes, path: str) -> None:
    """Refuse UTF-16/32 and binary files (the rule is in the module docstring)."""
    sample = data[:_SNIFF]
    odd = len(sample.translate(None, _TEXT_BYTES))
    odd += sum(1 for c in sample.decode("utf-8", "surrogateescape") if "\udc80" <= c <= "\udcff")
    binary = data.startswith(_BINARY_MAGIC) or odd * 3 > max(len(sample), _TINY)
    wide = wide_unicode(data)
    if wide and not data.startswith(_BINARY_MAGIC) and (binary or data.startswith(_UTF16_BOMS)):
        raise InputError(
            path,
            None,
            f"{wide} text, not UTF-8; convert it (e.g. `iconv -f {wide} -t UTF-8`) "
            "or save it as UTF-8",
        )
    if binary:
        types = f"{', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]}"
        raise InputError(path, None, f"binary file, not UTF-8 text; pass a {types} file")


def decode(data: bytes, path: str, errors: str = "strict", replace_option: bool = True) -> str:
    """Decode UTF-8 bytes (BOM dropped); refuse binary data; name the bad byte.

    ``errors``: ``strict`` (an :class:`InputError` naming line and byte offset of the
    first bad byte or NUL), ``replace`` (U+FFFD per bad byte or NUL) or
    ``surrogateescape`` (bad bytes kept as lone surrogates and NULs kept, for callers
    that report them one record at a time). A UTF-16 or binary file (module docstring)
    is an :class:`InputError` whatever ``errors`` is. ``replace_option``: whether the
    message may offer ``--encoding-errors replace`` (:func:`bad_byte`).
    """
    _sniff(data, path)
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        nul = data.find(b"\x00", 0, exc.start)
        raise bad_byte(data, path, nul if nul >= 0 else exc.start, replace_option) from None
    if errors == "strict" and "\x00" in text:
        raise bad_byte(data, path, data.index(b"\x00"), replace_option)
    if errors == "replace":
        text = text.replace("\x00", "\ufffd")
    return text[1:] if text.startswith(BOM) else text


def kind(mode: int) -> str:
    """What a file that is not a regular file is, in words (``a FIFO``...)."""
    return next((v for k, v in _KINDS.items() if getattr(stat, f"S_IS{k}")(mode)), "unknown")


def read_bytes(path: Path, fix: str = "pass a regular file") -> bytes:
    """A regular file's bytes; never blocks on a FIFO put in its place (InputError: a folder
    or not a regular file, with ``fix``)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):  # open() of its descriptor would raise IsADirectoryError
            raise InputError(str(path), None, f"is a folder, not a file; {fix}")
        if not stat.S_ISREG(mode):
            raise InputError(str(path), None, f"not a regular file ({kind(mode)}); {fix}")
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb") as f:
        return f.read()


def read_file(path: str, fix: str) -> bytes:
    """The bytes of a file a quality command reads (calibrate's and synth's clean text, a gold
    file, a run's segments.jsonl, a review sheet), or an :class:`InputError` saying what
    the path is instead, with ``fix``: no such file, a folder, not a regular file
    (``/dev/null``, a FIFO), a file that cannot be read."""
    try:
        return read_bytes(Path(path), fix)
    except FileNotFoundError:
        raise InputError(path, None, f"no such file; {fix}") from None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        fix = "check its permissions"
        raise InputError(path, None, f"cannot read the file ({why}); {fix}") from None
