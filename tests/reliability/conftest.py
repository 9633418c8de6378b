"""The fault suite runs in UTC so dates printed by the CLI and the screens never move."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def in_utc(utc_clock: None) -> None:
    """Every test here: see `utc_clock` in tests/conftest.py."""
