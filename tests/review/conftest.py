"""Review tests run in UTC, so dates on screen, in Markdown and in snapshots never move."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def in_utc(utc_clock: None) -> None:
    """Every test here: see `utc_clock` in tests/conftest.py."""
