"""Where mockint keeps things.

Built-in packs and prompt templates live in the top-level `rubrics/` and `prompts/` folders of
the source tree; a wheel carries them as `mockint/_data/...`. Both layouts are looked up so that
a normal install and a source checkout behave the same.

What mockint writes about a candidate (the database, exports, caches) is private: folders it
creates are 0700 and files 0600, whoever creates them first (`private_dir`, `write_private`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "mockint"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(folder: str) -> Path:
    installed = _PACKAGE_DIR / "_data" / folder
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / folder


def builtin_packs_dir() -> Path:
    return _shipped("rubrics")


def prompts_dir() -> Path:
    return _shipped("prompts")


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def user_packs_dir() -> Path:
    return data_dir() / "packs"


def config_file() -> Path:
    override = os.environ.get("MOCKINT_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_db_path() -> Path:
    return data_dir() / "mockint.db"


def private_dir(path: Path) -> Path:
    """Create `path` and every missing parent as 0700 (owner only); existing folders are left
    as they are. `Path.mkdir(parents=True, mode=...)` would give the parents the default 0755."""
    missing: list[Path] = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, 0o700)  # whatever the umask says
    return path


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` as a 0600 file, all or nothing.

    The text goes to a temporary file beside `path` that replaces it once complete, so a full
    disk or an interruption leaves any earlier file intact. A target that exists and is not a
    regular file (a pipe, /dev/stdout) is written to directly. The folder must exist (a typo in
    `-o` should fail, not create folders). Raises OSError.
    """
    path = path.expanduser()
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISREG(path.stat().st_mode):
            with path.open("w", encoding="utf-8") as handle:
                handle.write(text)
            return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp files are 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
