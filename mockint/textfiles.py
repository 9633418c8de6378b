"""Reading a text file a user points mockint at (a pack, the config, an export) without hanging
on it, running out of memory on it, or misreading it.

A FIFO in the pack folder blocked `packs list` and the home screen forever; a link to
/dev/zero never ended; a 2 GB file would be read whole; a UTF-16 config gave a traceback.
`read_text` checks that the path is a regular file, caps what it reads, and says in one line
what is wrong (UserError), naming the file. A file the user names on the command line (a guide
to draft from, answers to grade) may also be a pipe such as `<(...)`: asked for by name, waiting
for it is what the user wants.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from mockint.errors import UserError

MB = 1024 * 1024


def _size(limit: int) -> str:
    return f"{limit // MB} MB" if limit >= MB else f"{limit // 1024} KB"


def read_text(path: Path, *, limit: int, what: str = "file", pipes: bool = False) -> str:
    """The file's text (UTF-8, a BOM allowed). Raises UserError when the path is missing, a
    folder, not a regular file (a pipe, a device, a socket; with `pipes`, only a folder is
    refused), larger than `limit` bytes, unreadable, or not UTF-8 text."""
    try:
        info = path.stat()  # follows links: a link to /dev/zero is a device
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UserError(f"{path}: is a folder, not a {what}")
    if not pipes and not stat.S_ISREG(info.st_mode):
        raise UserError(f"{path}: not a regular file (a pipe or a device?); a {what} must be one")
    if info.st_size > limit:
        size = f"{info.st_size / MB:.1f} MB"
        raise UserError(f"{path}: too large for a {what} ({size}; the limit is {_size(limit)})")
    try:
        # O_NONBLOCK: if the path was swapped for a pipe since the check, opening does not wait
        fd = os.open(path, os.O_RDONLY | (0 if pipes else os.O_NONBLOCK))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not pipes and not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UserError(f"{path}: not a regular file; a {what} must be one")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise UserError(f"{path}: too large for a {what} (the limit is {_size(limit)})")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(data) >= 2 and (data[0] == 0 or data[1] == 0)
    ):
        raise UserError(f"{path}: UTF-16 text; save the {what} as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 text (byte {exc.start} cannot be read); save the {what} as UTF-8"
        ) from None
