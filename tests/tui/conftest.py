"""Fixtures for the pilot and snapshot tests: a tiny pack, a temporary store, an app builder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_grader import TermGrader, factory
from tui_helpers import TINY_PACK

from mockint import locations
from mockint.config import Settings
from mockint.packs import Pack, load_pack
from mockint.store import Store
from mockint.tui.app import MockintApp, make_app
from mockint.tui.requests import SessionRequest


@pytest.fixture
def tiny_pack(isolated_home: Path) -> Pack:
    """The tiny pack, installed in the (temporary) user pack folder so the home screen lists it."""
    folder = locations.user_packs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.toml"
    path.write_text(TINY_PACK)
    return load_pack(path)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(db=db_path, autosave_seconds=0.2)


AppBuilder = Callable[..., MockintApp]


@pytest.fixture
def build_app(settings: Settings, store: Store) -> AppBuilder:
    def build(
        start: SessionRequest | None = None, grader: TermGrader | None = None, **kwargs: Any
    ) -> MockintApp:
        kwargs.setdefault("cursor_blink", False)
        return make_app(settings, store, factory(grader), start=start, **kwargs)

    return build
