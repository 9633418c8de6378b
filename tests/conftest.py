"""Shared fixtures: every test runs with its own home, config and data folders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cli_runner
import pytest
from cli_runner import CliResult
from fixture_packs import fixture_pack

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
        "COLUMNS",  # pytest-xdist's workers set COLUMNS/LINES; a user's shell does not
        "LINES",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def run_cli(isolated_home: Path) -> Callable[..., CliResult]:
    """`mockint ARGS` in this process, in this test's home (see tests/cli_runner.py; test
    modules may also import `run_cli` from there)."""
    return cli_runner.run_cli


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mockint.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A temporary store without an fsync per commit: tests write many small transactions,
    and durability across power loss is not what they check (the fault tests that kill
    processes open their own stores)."""
    opened = Store(db_path)
    opened.db.execute("PRAGMA synchronous = OFF")
    yield opened
    opened.close()


@pytest.fixture
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, so dates printed by the CLI, on screens, in Markdown and in snapshots
    never move (tests/review and tests/reliability use it for every test)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def pack() -> Pack:
    """tests/packs/engine.toml: three small questions (a full one, a short one, one with only
    a reference answer) for the engine and scorecard tests."""
    return fixture_pack("engine")


@pytest.fixture(scope="session")
def service_mesh() -> Pack:
    pack, _ = resolve_pack("service-mesh")
    return pack


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n 3 --dist loadgroup`, see docs/development.md) a test module with
    a module-scoped fixture of its own runs on one worker, so that fixture (a graded data
    set, a database of hundreds of sessions) is built once, not once per worker. A module
    may name its own group (`pytest.mark.xdist_group`), as the real-model tests do."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        module = item.nodeid.split("::", 1)[0]
        fixtures = getattr(item, "_fixtureinfo", None)
        definitions = fixtures.name2fixturedefs.values() if fixtures is not None else ()
        if any(d.scope == "module" and d.baseid == module for defs in definitions for d in defs):
            item.add_marker(pytest.mark.xdist_group(module))
