"""Databases as older mockint versions left them, populated, for upgrade and fault tests."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import sqlite_utils

from mockint.schema import MIGRATIONS

ANSWERS = [
    "The sidecar proxy terminates mutual TLS and retries idempotent calls.",
    "我们使用服务网格来管理微服务之间的通信。",
    "Circuit breaking sheds load before a slow backend drags everyone down 🚀",
    "Certificates rotate every day; the control plane pushes new ones.",
]


def build(path: Path, version: int, sessions: int, seed: int = 7) -> dict[str, int]:
    """A database at `version` (1 to 3) built by that version's steps, with `sessions`
    finished sessions of two answered questions and a grade each. Returns the row counts."""
    rng = random.Random(seed)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = WAL")
    for step in range(version):
        MIGRATIONS[step](db)
    db.execute(f"PRAGMA user_version = {version}")
    conn: sqlite3.Connection = db.conn
    conn.execute("BEGIN")
    extra = version >= 2
    for number in range(1, sessions + 1):
        started = f"2026-01-{1 + number % 28:02d}T09:{number % 60:02d}:00.{number % 1000:03d}Z"
        columns = "pack_id, started_at, ended_at, status, grader, question_ids"
        values = ["service-mesh", started, started, "completed", "keyword", '["sm-01","sm-02"]']
        if extra:
            columns += ", pack_title, score"
            values += ["Service meshes", round(rng.uniform(0, 10), 1)]
        marks = ", ".join("?" * len(values))
        session_id = conn.execute(
            f"INSERT INTO sessions ({columns}) VALUES ({marks})", values
        ).lastrowid
        for position, question in enumerate(("sm-01", "sm-02")):
            turn_columns = "session_id, question_id, kind, prompt, answer, started_at, submitted_at"
            turn_values = [
                session_id,
                question,
                "main",
                f"Question {question}?",
                rng.choice(ANSWERS),
                started,
                started,
            ]
            if extra:
                turn_columns += ", seq"
                turn_values.append(position)
            turn_id = conn.execute(
                f"INSERT INTO turns ({turn_columns}) VALUES ({', '.join('?' * len(turn_values))})",
                turn_values,
            ).lastrowid
            points = [{"id": "p1", "verdict": "covered", "weight": 1.0}]
            conn.execute(
                "INSERT INTO grades (turn_id, grader, score, band, points, created_at) "
                "VALUES (?, 'keyword', ?, 'hire', ?, ?)",
                [turn_id, round(rng.uniform(0, 10), 1), json.dumps(points), started],
            )
    conn.execute("COMMIT")
    counts = counts_of(conn)
    conn.close()
    return counts


def counts_of(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("sessions", "turns", "grades")
    }
