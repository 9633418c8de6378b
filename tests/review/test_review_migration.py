"""Store step 3 on a version-2 database: the search indexes take in what was already there."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from mockint.review.results import refresh
from mockint.review.search import search
from mockint.store import MIGRATIONS, SCHEMA_VERSION, Store


def test_upgrade_from_version_2_indexes_existing_turns(db_path: Path) -> None:
    old = sqlite_utils.Database(db_path)
    MIGRATIONS[0](old)
    MIGRATIONS[1](old)
    old.execute("PRAGMA user_version = 2")
    old.execute(
        "INSERT INTO sessions (pack_id, started_at, ended_at, status, grader, question_ids, score)"
        " VALUES ('p', '2026-01-01T00:00:00Z', '2026-01-01T00:10:00Z', 'completed', 'keyword',"
        " '[\"q1\"]', 6.5)"
    )
    for text in ("mutual TLS everywhere", "我们使用服务网格"):
        old.execute(
            "INSERT INTO turns (session_id, question_id, kind, prompt, answer, started_at, "
            "submitted_at) VALUES (1, 'q1', 'main', 'Why?', ?, '2026-01-01T00:00:01Z', "
            "'2026-01-01T00:02:01Z')",
            [text],
        )
    old.conn.commit()
    old.conn.close()

    store = Store(db_path)
    assert store.version == SCHEMA_VERSION >= 3
    assert [h.turn_id for h in search(store, "mutual tls")] == [1]
    assert [h.turn_id for h in search(store, "服务网格")] == [2]
    assert refresh(store) == 1  # the finished session gets its per-question results
    assert store.db.execute("SELECT score, seconds FROM question_results").fetchall() == [
        (0.0, 240.0)  # no grades stored: 0, like the scorecard; two answers of 2 minutes
    ]
    assert refresh(store) == 0
    store.close()


def test_new_database_has_the_review_tables(store: Store) -> None:
    names = set(store.db.table_names())
    assert {
        "turns_fts",
        "turns_grams",
        "question_results",
        "point_results",
        "rubric_points",
        "question_reviews",
        "session_summaries",
    } <= names
    indexes = {row[1] for row in store.db.execute("SELECT type, name FROM sqlite_master")}
    assert {"sessions_pack_started", "sessions_score", "turns_needs_regrade"} <= indexes
