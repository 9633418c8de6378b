"""The SQLite store on real files: round trips, privacy, upgrades and unusable files."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from mockint.grading.base import Grade, PointVerdict, RedFlagHit, Usage, finalize
from mockint.store import SCHEMA_VERSION, Store, StoreError, _v1


def sample_grade() -> Grade:
    return finalize(
        Grade(
            question_id="q1",
            grader="llm",
            model="tiny",
            endpoint="http://127.0.0.1:1/v1",
            points=[
                PointVerdict("a", "covered", 2.0, evidence=["sidecar proxy"]),
                PointVerdict("b", "missed", 1.0),
            ],
            red_flags=[RedFlagHit("f", 1.0, evidence=["no overhead"])],
            usage=Usage(prompt_tokens=120, completion_tokens=30, latency_ms=812.5),
        )
    )


def test_round_trip_session_turn_grade_draft(store: Store) -> None:
    session_id = store.create_session(
        pack_id="p", pack_title="P", grader="llm", question_ids=["q1"], settings={"coach": True}
    )
    turn_id = store.start_turn(session_id, question_id="q1", kind="main", prompt="Why?", seq=0)
    store.save_draft(session_id, turn_id, "half an ans")
    assert store.draft(session_id).text == "half an ans"
    store.submit_answer(turn_id, "a full answer")
    assert store.draft(session_id) is None  # the submitted answer replaces the draft
    store.add_grade(turn_id, sample_grade())
    store.add_grade(turn_id, sample_grade())  # a regrade adds, never overwrites

    session = store.session(session_id)
    assert session.settings == {"coach": True} and session.question_ids == ("q1",)
    turn = store.turns(session_id)[0]
    assert turn.answer == "a full answer" and turn.submitted_at >= turn.started_at
    grades = store.grades(turn_id)
    assert len(grades) == 2
    first = grades[0]
    assert first.model == "tiny" and first.endpoint.startswith("http://127.0.0.1")
    assert first.prompt_tokens == 120 and first.completion_tokens == 30
    assert first.points[0].evidence == ["sidecar proxy"]
    assert first.red_flags[0].flag_id == "f"
    assert first.score == pytest.approx(10 * 2 / 3 - 1, abs=0.05)


def test_pragmas_and_private_file(store: Store, db_path: Path) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert store.version == SCHEMA_VERSION


def test_upgrade_from_version_1(db_path: Path) -> None:
    import sqlite_utils

    old = sqlite_utils.Database(db_path)
    _v1(old)
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO sessions (pack_id, started_at, status, grader, question_ids) "
        "VALUES ('p', '2026-01-01T00:00:00Z', 'completed', 'keyword', '[\"q1\"]')"
    )
    old.execute(
        "INSERT INTO turns (session_id, question_id, kind, prompt, answer, started_at) "
        "VALUES (1, 'q1', 'main', 'Why?', 'because', '2026-01-01T00:00:01Z')"
    )
    old.conn.commit()
    old.conn.close()

    store = Store(db_path)
    assert store.version == SCHEMA_VERSION
    session = store.session(1)
    assert session.pack_id == "p" and session.score is None
    turn = store.turns(1)[0]
    assert turn.answer == "because" and turn.needs_regrade is False
    store.save_draft(1, turn.id, "new table works")  # drafts arrived in version 2
    assert store.draft(1).text == "new table works"


def test_newer_database_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer mockint"):
        Store(db_path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a mockint database"):
        Store(junk)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.close()
    with pytest.raises(StoreError, match="not a mockint database"):
        Store(other)


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.start_turn(999, question_id="q", kind="main", prompt="x", seq=0)
