"""Schema changes are atomic: a creation or an upgrade of a populated database killed at many
moments (real processes, SIGKILL, a file-size limit) leaves the previous version whole, and the
next run finishes it; files half-upgraded by older mockint versions are repaired; processes
creating or upgrading one file at the same moment all succeed."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from faulty import FaultServer
from helpers import AT_THE_LINE, race
from olddb import build, counts_of

from mockint.review.search import search
from mockint.schema import MIGRATIONS, SCHEMA_VERSION
from mockint.store import Store

SESSIONS = 300  # the case used 2,000; 300 keeps each of the many runs quick


def run_faulty(
    server: FaultServer, fault: str, db: Path, tmp_path: Path, *args: str
) -> tuple[int, dict, str]:
    counts_file = tmp_path / "counts.json"
    counts_file.unlink(missing_ok=True)
    result = server.run(fault, counts_file, "--db", str(db), *args)
    counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    return result.returncode, counts, result.stderr


def file_version(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def check_complete(db: Path, expected: dict[str, int]) -> None:
    """The file opens at the current version with every row and a working search index."""
    store = Store(db)
    try:
        assert store.version == SCHEMA_VERSION
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert counts_of(store.db.conn) == expected
        indexed = store.db.execute("SELECT COUNT(*) FROM turns_fts").fetchone()[0]
        assert indexed == expected["turns"]
        assert store.db.execute(
            "INSERT INTO turns_fts(turns_fts, rank) VALUES ('integrity-check', 1)"
        )
        if expected["turns"]:
            assert search(store, "sidecar", limit=1000)
            assert search(store, "服务网格", limit=1000)
        keys = store.db.execute("SELECT COUNT(*) FROM session_keys").fetchone()[0]
        assert keys == expected["sessions"]
    finally:
        store.close()


def spread(total: int, points: int) -> list[int]:
    """`points` kill moments spread over 1..total, first and last included."""
    if total <= points:
        return list(range(1, total + 1))
    return sorted({1 + round(i * (total - 1) / (points - 1)) for i in range(points)})


@pytest.fixture(scope="module")
def v2_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("template") / "v2.db"
    counts = build(path, version=2, sessions=SESSIONS)
    return path, counts


def fresh_copy(template: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(template) + suffix)
        if source.exists():
            shutil.copy(source, str(target) + suffix)
    return target


def test_killed_upgrade_of_a_populated_database_never_bricks_it(
    fault_server, v2_template, tmp_path
) -> None:
    template, counts = v2_template
    probe = fresh_copy(template, tmp_path, "probe.db")
    code, total, stderr = run_faulty(
        fault_server, "none", probe, tmp_path, "history", "--limit", "1"
    )
    assert code == 0, stderr
    statements, steps = total["stmt"], total["vm"]
    assert statements > 20 and steps > 20
    moments = [f"stmt:{k}" for k in spread(statements, 16)]
    moments += [f"vm:{k}" for k in spread(steps, 12)]
    versions_seen = set()
    for number, fault in enumerate(moments):
        db = fresh_copy(template, tmp_path, f"kill{number}.db")
        code, _, stderr = run_faulty(fault_server, fault, db, tmp_path, "history", "--limit", "1")
        assert code in (-9, 0), (fault, code, stderr)
        version = file_version(db)
        assert 2 <= version <= SCHEMA_VERSION, (fault, version)
        versions_seen.add(version)
        check_complete(db, counts)  # the next run finishes the upgrade, nothing lost
    assert len(versions_seen) >= 2, versions_seen  # the kills did land between steps


def test_killed_creation_of_a_new_database_never_bricks_it(fault_server, tmp_path) -> None:
    probe = tmp_path / "probe.db"
    code, total, stderr = run_faulty(fault_server, "none", probe, tmp_path, "history")
    assert code == 0, stderr
    empty = {"sessions": 0, "turns": 0, "grades": 0}
    for k in spread(total["stmt"], 14):
        db = tmp_path / f"new{k}.db"
        code, _, stderr = run_faulty(fault_server, f"stmt:{k}", db, tmp_path, "history")
        assert code in (-9, 0), (k, code, stderr)
        store = Store(db)
        assert store.version == SCHEMA_VERSION
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert counts_of(store.db.conn) == empty
        store.close()


def test_upgrade_on_a_full_disk_fails_cleanly_and_resumes(
    fault_server, v2_template, tmp_path
) -> None:
    template, counts = v2_template
    db = fresh_copy(template, tmp_path, "full.db")
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    code, _, stderr = run_faulty(fault_server, f"fsize:{size + 8192}", db, tmp_path, "history")
    assert code == 2, stderr
    assert "Traceback" not in stderr and stderr.startswith("mockint: ")
    assert "full" in stderr and "not a mockint database" not in stderr
    assert file_version(db) in range(2, SCHEMA_VERSION)
    check_complete(db, counts)


def test_files_half_upgraded_by_an_older_mockint_are_repaired(tmp_path) -> None:
    """Older versions ran each step as an executescript: its statements committed one by one
    and `user_version` was written last. Such a file held some of a step's changes under the
    previous version and refused to open ("duplicate column name", "table already exists")."""
    # version 1 with part of step 2's columns already added
    db1 = tmp_path / "half-v2.db"
    counts1 = build(db1, version=1, sessions=20)
    conn = sqlite3.connect(db1)
    conn.execute("ALTER TABLE sessions ADD COLUMN pack_title TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE sessions ADD COLUMN pack_path TEXT")
    conn.commit()
    conn.close()
    check_complete(db1, counts1)

    # version 2 with the search index of step 3 created and filled, the rest missing
    db2 = tmp_path / "half-v3.db"
    counts2 = build(db2, version=2, sessions=20)
    old = sqlite_utils_db(db2)
    old["turns"].enable_fts(
        ["prompt", "answer"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="porter unicode61 remove_diacritics 2",
    )
    old.execute("CREATE VIRTUAL TABLE turns_grams USING fts5(prompt, answer, tokenize='trigram')")
    old.conn.close()
    check_complete(db2, counts2)

    # version 0 with only the first table of step 1 (an interrupted first run)
    db0 = tmp_path / "half-v1.db"
    conn = sqlite3.connect(db0)
    conn.execute(
        "CREATE TABLE sessions (id INTEGER PRIMARY KEY, pack_id TEXT NOT NULL, started_at TEXT "
        "NOT NULL, ended_at TEXT, status TEXT NOT NULL DEFAULT 'in_progress', grader TEXT NOT "
        "NULL, question_ids TEXT NOT NULL DEFAULT '[]', settings TEXT NOT NULL DEFAULT '{}')"
    )
    conn.commit()
    conn.close()
    check_complete(db0, {"sessions": 0, "turns": 0, "grades": 0})


def sqlite_utils_db(path: Path):
    import sqlite_utils

    return sqlite_utils.Database(path)


def test_every_step_is_idempotent(tmp_path) -> None:
    """Running a step twice (as after an interrupted older upgrade) changes nothing."""
    db = tmp_path / "twice.db"
    counts = build(db, version=SCHEMA_VERSION - 1, sessions=10)
    import sqlite_utils

    handle = sqlite_utils.Database(db)
    for step in MIGRATIONS[: SCHEMA_VERSION - 1]:
        step(handle)
    handle.conn.close()
    check_complete(db, counts)


CONCURRENT_OPEN = (
    "import sys\nfrom mockint.store import Store\n"
    + AT_THE_LINE
    + "store = Store(sys.argv[1])\nprint(store.version)\n"
)


@pytest.mark.parametrize("kind", ["new", "upgrade"])
def test_processes_opening_one_file_at_once_all_succeed(kind, v2_template, tmp_path) -> None:
    for attempt in range(3):
        if kind == "new":
            db = tmp_path / f"race{attempt}.db"
        else:
            db = fresh_copy(v2_template[0], tmp_path, f"race{attempt}.db")
        for returncode, out, err in race(CONCURRENT_OPEN, str(db)):
            assert returncode == 0, err
            assert out.strip() == str(SCHEMA_VERSION)
        if kind == "upgrade":
            check_complete(db, v2_template[1])
