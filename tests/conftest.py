"""Shared fixtures: every test runs with its own home, config and data folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockint.packs import Pack, resolve_pack
from mockint.store import Store


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep the user's real config, packs and database out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for name in (
        "MOCKINT_DB",
        "MOCKINT_CONFIG",
        "MOCKINT_GRADER",
        "MOCKINT_MODEL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "MOCKINT_LLM_TIMEOUT",
        "MOCKINT_BUSY_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mockint.db"


@pytest.fixture
def store(db_path: Path) -> Store:
    opened = Store(db_path)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def service_mesh() -> Pack:
    pack, _ = resolve_pack("service-mesh")
    return pack
