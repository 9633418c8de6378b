"""Search lists answers newest first by when their session started, not by when the session
was stored: a session imported today from last year's export comes after this week's."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cli_runner import CliResult, run_cli
from review_factory import T0, mtls_session
from screen_app import ScreenApp, settle
from textual.widgets import DataTable

from mockint.review.search import search
from mockint.store import Store
from mockint.tui.screens.search import SearchScreen

OLD = T0 - timedelta(days=300)


def mockint(db: Path, *args: str) -> CliResult:
    return run_cli(*args, db=db)


def import_old_session(db: Path, tmp_path: Path) -> None:
    """`mockint import` of an export holding one session that started long ago."""
    elsewhere = Store(tmp_path / "laptop.db")
    mtls_session(elsewhere, OLD)
    elsewhere.close()
    export = tmp_path / "old.json"
    done = mockint(tmp_path / "laptop.db", "export", "1", "--format", "json", "-o", str(export))
    assert done.returncode == 0, done.stderr
    imported = mockint(db, "import", str(export))
    assert imported.returncode == 0, imported.stderr


def test_an_imported_older_session_comes_after_newer_ones(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    recent = mtls_session(store, T0)
    import_old_session(db_path, tmp_path)
    later = mtls_session(store, T0 - timedelta(days=30))  # stored last, started in between
    old = next(s.id for s in store.sessions() if s.id not in (recent, later))
    assert store.session(old).started_at < store.session(later).started_at  # type: ignore[union-attr]

    hits = search(store, "spiffe")
    assert [h.session_id for h in hits] == [recent, later, old]
    # a page of them: the newest two, then the next ones, each with its snippet
    assert [h.session_id for h in search(store, "spiffe", limit=2)] == [recent, later]
    page = search(store, "spiffe", limit=2, offset=1)
    assert [h.session_id for h in page] == [later, old]
    assert all("\ue000SPIFFE\ue001" in h.snippet for h in page)
    assert [h.session_id for h in search(store, "spiffe", since="2026-01-01")] == [recent, later]

    listed = mockint(db_path, "search", "spiffe", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [hit["session_id"] for hit in json.loads(listed.stdout)] == [recent, later, old]
    text = mockint(db_path, "search", "spiffe").stdout
    positions = [text.index(f"session {session} ·") for session in (recent, later, old)]
    assert positions == sorted(positions)


def test_at_one_start_time_the_later_session_comes_first_then_the_later_turn(
    store: Store,
) -> None:
    first = mtls_session(store, T0)
    second = mtls_session(store, T0)  # the same start time: the higher id first
    hits = search(store, "mesh")  # several turns of each session
    assert {h.session_id for h in hits} == {first, second}
    sessions = [h.session_id for h in hits]
    assert sessions == sorted(sessions, reverse=True)
    turns = [h.turn_id for h in hits]
    assert turns == sorted(turns, reverse=True)


async def test_the_search_screen_lists_by_start_time_too(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    recent = mtls_session(store, T0)
    import_old_session(db_path, tmp_path)
    old = next(s.id for s in store.sessions() if s.id != recent)
    app = ScreenApp(lambda: SearchScreen(store))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"spiffe", "enter")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        shown = [str(table.get_row_at(row)[1]) for row in range(table.row_count)]
        assert shown == [f"#{recent}", f"#{old}"]


def test_an_import_written_in_another_time_zone_is_ordered_by_its_real_moment(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    """Start times sort as text only in the form mockint writes (UTC, ending in Z): a session
    that started at 09:30+08:00 (01:30 UTC) comes after one that started at 03:30 UTC."""
    morning = mtls_session(store, T0.replace(hour=3))
    elsewhere = Store(tmp_path / "laptop.db")
    mtls_session(elsewhere, T0.replace(hour=1))
    elsewhere.close()
    export = tmp_path / "east.json"
    done = mockint(tmp_path / "laptop.db", "export", "1", "--format", "json", "-o", str(export))
    assert done.returncode == 0, done.stderr
    data = json.loads(export.read_text())
    session = data["sessions"][0]
    assert session["started_at"] == "2026-03-02T01:30:00.000Z"
    session["started_at"] = "2026-03-02T09:30:00+08:00"  # the same moment, as written there
    session["turns"][0]["started_at"] = "2026-03-02T09:30:00+08:00"
    export.write_text(json.dumps(data))
    imported = mockint(db_path, "import", str(export))
    assert imported.returncode == 0, imported.stderr
    east = next(s.id for s in store.sessions() if s.id != morning)

    assert store.session(east).started_at == "2026-03-02T01:30:00.000Z"  # type: ignore[union-attr]
    assert store.turns(east)[0].started_at == "2026-03-02T01:30:00.000Z"
    assert [s.id for s in store.sessions()] == [morning, east]
    assert [h.session_id for h in search(store, "spiffe")] == [morning, east]
    listed = mockint(db_path, "history").stdout
    assert listed.index(f"\n {morning} ") < listed.index(f"\n {east} ")
    # imported again, the file is recognised as the session already here
    again = mockint(db_path, "import", str(export), "--json")
    assert json.loads(again.stdout) == {"imported": {}, "skipped": {"1": east}}
