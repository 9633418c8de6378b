"""The fault suite runs in UTC so dates printed by the CLI and the screens never move; the
kill and full-disk tests share a fork server of real mockint processes (faulty.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faulty import FaultServer


@pytest.fixture(autouse=True)
def in_utc(utc_clock: None) -> None:
    """Every test here: see `utc_clock` in tests/conftest.py."""


@pytest.fixture(scope="session")
def fault_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServer]:
    """One `faulty.py --serve` per test process: each run is a fresh forked process."""
    server = FaultServer(tmp_path_factory.mktemp("faulty"))
    yield server
    server.close()
