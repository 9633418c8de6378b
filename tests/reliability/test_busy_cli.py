"""Writers wait for each other: `import`, `regrade` and `stats` (which writes summaries) run
while another process holds the write lock, wait for it, and succeed; a lock held longer than
the busy timeout is one clear line, exit 2. Real processes, real SQLite files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from cli_runner import assert_one_line_error
from cli_runner import run_cli as mockint
from helpers import finished_session
from test_busy_tui import hold_write_lock, released_at

from mockint.packs import Pack
from mockint.review import export
from mockint.store import Store


@pytest.fixture
def populated(tmp_path: Path, service_mesh: Pack) -> tuple[Path, Path]:
    """A database with three finished (not yet summarised) sessions and an export file."""
    db = tmp_path / "m.db"
    store = Store(db)
    ids = [
        finished_session(store, service_mesh, text)
        for text in ("mutual TLS everywhere", "sidecars proxy traffic", "control plane config")
    ]
    document = export.to_json(export.export_document(store, ids))
    store.close()
    exported = tmp_path / "export.json"
    exported.write_text(document)
    return db, exported


@pytest.mark.parametrize(
    "args",
    [("stats",), ("regrade", "1", "--grader", "keyword"), ("import", "EXPORT")],
    ids=["stats", "regrade", "import"],
)
def test_writers_wait_for_a_held_lock(populated, tmp_path: Path, args) -> None:
    db, exported = populated
    other = tmp_path / "other.db"
    Store(other).close()
    target = other if args[0] == "import" else db
    args = tuple(str(exported) if a == "EXPORT" else a for a in args)
    locker = hold_write_lock(target, 0.5)  # the command alone takes a few hundredths
    started = time.monotonic()
    try:
        result = mockint(*args, db=target)
    finally:
        ended = time.monotonic()
        released = released_at(locker)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert started < released <= ended  # it ran into the lock and finished once it was free


@pytest.mark.parametrize(
    "args",
    [("stats",), ("regrade", "1", "--grader", "keyword"), ("import", "EXPORT")],
    ids=["stats", "regrade", "import"],
)
def test_a_lock_held_too_long_is_one_clear_line(populated, tmp_path: Path, args) -> None:
    db, exported = populated
    if args[0] == "import":  # into a second database, where every session is new
        db = tmp_path / "other.db"
        Store(db).close()
    args = tuple(str(exported) if a == "EXPORT" else a for a in args)
    before = Store(db)
    counts = before.db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
    before.close()
    locker = hold_write_lock(db, 30)
    try:
        env = {**os.environ, "MOCKINT_BUSY_TIMEOUT": "0.5"}
        result = mockint(*args, db=db, env=env)
    finally:
        locker.kill()
        locker.wait()
    assert_one_line_error(result, "busy", "try again")
    after = Store(db)
    assert after.db.execute("SELECT COUNT(*) FROM grades").fetchone()[0] == counts
    assert after.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after.close()


def test_json_output_of_a_waiting_import(populated, tmp_path: Path) -> None:
    _, exported = populated
    other = tmp_path / "o.db"
    Store(other).close()
    locker = hold_write_lock(other, 0.5)
    started = time.monotonic()
    try:
        result = mockint("import", str(exported), "--json", db=other)
    finally:
        ended = time.monotonic()
        released = released_at(locker)
    assert started < released <= ended  # it waited for the lock
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["imported"]) == 3
