"""Where mockint keeps things.

Built-in packs and prompt templates live in the top-level `rubrics/` and `prompts/` folders of
the source tree; a wheel carries them as `mockint/_data/...`. Both layouts are looked up so that
a normal install and a source checkout behave the same.
"""

from __future__ import annotations

import os
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
