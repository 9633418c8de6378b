"""Review tests run in UTC, so dates on screen, in Markdown and in snapshots never move."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from mockint.store import Store


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def store(store: Store) -> Store:
    """The shared temporary store without an fsync per commit: these tests write hundreds of
    small transactions, and durability across power loss is not what they check."""
    store.db.execute("PRAGMA synchronous = OFF")
    return store
