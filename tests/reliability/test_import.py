"""Import validates everything before it writes, is idempotent under concurrency, and leaves no
partial session when killed or out of space. Real processes, real SQLite files."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_runner import assert_one_line_error, run_process
from cli_runner import run_cli as mockint
from faulty import FaultServer
from helpers import AT_THE_LINE, finished_session, race
from olddb import counts_of

from mockint.review import export
from mockint.store import Store


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A valid export of three finished sessions (the second has a follow-up and a draft-free
    open turn is not allowed in finished sessions, so all turns are answered)."""
    from mockint.packs import resolve_pack

    pack, _ = resolve_pack("service-mesh")
    store = Store(tmp_path_factory.mktemp("src") / "src.db")
    ids = [
        finished_session(store, pack, text)
        for text in ("mutual TLS between sidecars", "retries and circuit breaking", "the xDS API")
    ]
    data = json.loads(export.to_json(export.export_document(store, ids)))
    store.close()
    return data


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def second(data: dict[str, Any]) -> dict[str, Any]:
    return data["sessions"][1]


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    target: Any = second(data)
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value


BAD_VALUES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("bad date", lambda d: set_path(d, "started_at", "not-a-date"), "started_at: not a date"),
    ("date without zone", lambda d: set_path(d, "started_at", "2026-03-02T09:30:00"), "time zone"),
    ("year 1", lambda d: set_path(d, "turns.0.started_at", "0001-01-01T00:00:00Z"), "out of range"),
    ("session score 999", lambda d: set_path(d, "score", 999), "score: 999"),
    (
        "grade score -1",
        lambda d: set_path(d, "turns.0.grades.0.score", -1),
        "greater than or equal",
    ),
    ("unknown band", lambda d: set_path(d, "turns.0.grades.0.band", "superb"), "not a band"),
    (
        "duplicate turn ids",
        lambda d: second(d)["turns"].append(copy.deepcopy(second(d)["turns"][0])),
        "appears twice",
    ),
    (
        "point on a foreign turn",
        lambda d: set_path(d, "turns.0.grades.0.points.0.turn_id", 987654),
        "not a turn of this session",
    ),
    (
        "draft of a foreign turn",
        lambda d: set_path(
            d, "draft", {"turn_id": 987654, "text": "x", "saved_at": "2026-01-01T00:00:00Z"}
        ),
        "draft.turn_id",
    ),
    (
        "two open turns",
        lambda d: [
            set_path(d, "turns.0.submitted_at", None),
            second(d)["turns"].append(
                {**second(d)["turns"][0], "id": 424242, "grades": [], "submitted_at": None}
            ),
        ],
        "unanswered turns",
    ),
    ("negative budget", lambda d: set_path(d, "turns.0.budget_seconds", -5), "budget_seconds"),
    ("no questions", lambda d: set_path(d, "question_ids", []), "question_ids: empty"),
    ("long pack id", lambda d: set_path(d, "pack_id", "p" * 5000), "pack_id: 5,000 characters"),
    ("zero id", lambda d: set_path(d, "id", 0), "out of range"),
    ("duplicate session ids", lambda d: set_path(d, "id", d["sessions"][0]["id"]), "same id"),
    ("bad export date", lambda d: d.update(exported_at="yesterday"), "exported_at"),
]


@pytest.mark.parametrize(
    ("mutate", "needle"), [(m, n) for _, m, n in BAD_VALUES], ids=[b[0] for b in BAD_VALUES]
)
def test_an_invalid_session_writes_nothing(document, tmp_path: Path, mutate, needle) -> None:
    data = copy.deepcopy(document)
    mutate(data)
    db = tmp_path / "target.db"
    line = assert_one_line_error(mockint("import", str(write(tmp_path, data)), db=db), needle)
    assert "nothing was imported" in line
    if "exported_at" not in needle:
        assert f"session {second(data)['id']}" in line or "same id" in needle
    store = Store(db)
    assert counts_of(store.db.conn) == {"sessions": 0, "turns": 0, "grades": 0}
    store.close()


RAW_TEXT: list[tuple[str, Callable[[str], str], str]] = [
    ("NaN", lambda t: t.replace('"latency_ms": 0.0', '"latency_ms": NaN', 1), "NaN"),
    ("Infinity", lambda t: t.replace('"latency_ms": 0.0', '"latency_ms": Infinity', 1), "Infinity"),
    (
        "huge integer",
        lambda t: t.replace('"prompt_tokens": 0', '"prompt_tokens": ' + "9" * 40, 1),
        "too large",
    ),
    (
        "lone surrogate",
        lambda t: t.replace('"answer": "', '"answer": "\\ud800', 1),
        "lone surrogate",
    ),
    (
        "deep nesting",
        lambda t: t.replace(
            '"settings": {', '"settings": {"x": ' + "[" * 5000 + "]" * 5000 + ",", 1
        ),
        "nested too deeply",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "needle"), [(m, n) for _, m, n in RAW_TEXT], ids=[r[0] for r in RAW_TEXT]
)
def test_hostile_json_is_refused_before_anything_is_written(
    document, tmp_path: Path, mutate, needle
) -> None:
    text = json.dumps(document, indent=2)
    changed = mutate(text)
    assert changed != text, "the mutation did not apply"
    db = tmp_path / "target.db"
    line = assert_one_line_error(mockint("import", str(write(tmp_path, changed)), db=db), needle)
    assert "nothing was imported" in line
    store = Store(db)
    assert counts_of(store.db.conn)["sessions"] == 0
    store.close()


def test_files_that_are_not_regular_or_too_large(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: no disk used
        handle.truncate(600 * 1024 * 1024)
    for path, needle in (
        (fifo, "not a regular file"),
        (zero, "not a regular file"),
        (big, "too large"),
    ):
        started = time.monotonic()
        assert_one_line_error(
            run_process("import", str(path), db=tmp_path / "t.db", timeout=30), needle
        )
        assert time.monotonic() - started < 20


def test_a_valid_file_imports_and_a_second_time_skips(document, tmp_path: Path) -> None:
    path = write(tmp_path, document)
    db = tmp_path / "target.db"
    first = json.loads(mockint("import", str(path), "--json", db=db).stdout)
    assert len(first["imported"]) == 3 and not first["skipped"]
    again = json.loads(mockint("import", str(path), "--json", db=db).stdout)
    assert not again["imported"] and len(again["skipped"]) == 3


CONCURRENT_IMPORT = (
    "import sys\n"
    "from mockint.cli import main\n"
    "import mockint.cli.review_cmd\n"  # what `import` would load lazily: loaded before the line
    + AT_THE_LINE
    + 'main(["--db", sys.argv[1], "import", sys.argv[2], "--json"])\n'
)


def test_concurrent_imports_of_one_file_never_duplicate(document, tmp_path: Path) -> None:
    path = write(tmp_path, document)
    for attempt in range(3):
        db = tmp_path / f"race{attempt}.db"
        Store(db).close()
        imported = skipped = 0
        for returncode, out, err in race(CONCURRENT_IMPORT, str(db), str(path)):
            assert returncode == 0 and "Traceback" not in err, err
            report = json.loads(out)
            imported += len(report["imported"])
            skipped += len(report["skipped"])
        assert (imported, skipped) == (3, 9)
        store = Store(db)
        assert counts_of(store.db.conn)["sessions"] == 3
        assert store.db.execute("SELECT COUNT(*) FROM question_results").fetchone()[0] == 3
        store.close()


def run_faulty(
    server: FaultServer, fault: str, db: Path, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return server.run(fault, tmp_path / "counts.json", "--db", str(db), *args)


def complete_sessions_only(db: Path, expected: dict[str, tuple[int, int]]) -> int:
    """Every session in the database has all its turns and grades; returns how many."""
    store = Store(db)
    try:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = 0
        for session in store.sessions():
            turns = store.turns(session.id)
            grades = sum(len(store.grades(t.id)) for t in turns)
            assert (len(turns), grades) == expected[session.started_at]
            count += 1
        return count
    finally:
        store.close()


def test_import_killed_at_many_moments_leaves_whole_sessions(
    fault_server, document, tmp_path: Path
) -> None:
    path = write(tmp_path, document)
    expected = {
        s["started_at"]: (len(s["turns"]), sum(len(t["grades"]) for t in s["turns"]))
        for s in document["sessions"]
    }
    probe = tmp_path / "probe.db"
    Store(probe).close()
    run_faulty(fault_server, "none", probe, tmp_path, "import", str(path))
    total = json.loads((tmp_path / "counts.json").read_text())["stmt"]
    survived: set[int] = set()  # how many whole sessions a killed import left
    for k in sorted({max(1, round(total * i / 12)) for i in range(1, 12)}):
        db = tmp_path / f"kill{k}.db"
        Store(db).close()
        result = run_faulty(fault_server, f"stmt:{k}", db, tmp_path, "import", str(path))
        assert result.returncode in (-9, 0), result.stderr
        survived.add(complete_sessions_only(db, expected))
        again = mockint("import", str(path), db=db)
        assert again.returncode == 0, again.stderr
        assert complete_sessions_only(db, expected) == 3  # finished, nothing doubled
    assert len(survived) >= 2, survived  # the kills landed before, between and after sessions


def test_import_into_a_full_disk_is_one_line_and_leaves_no_partial_session(
    fault_server, document, tmp_path: Path
) -> None:
    big = copy.deepcopy(document)
    for session in big["sessions"]:
        session["turns"][0]["answer"] = "long answer " * 20_000  # 240 KB per session
    path = write(tmp_path, big)
    db = tmp_path / "full.db"
    Store(db).close()
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    result = run_faulty(fault_server, f"fsize:{size + 400_000}", db, tmp_path, "import", str(path))
    assert_one_line_error(result, "disk is full or a file-size limit")
    expected = {
        s["started_at"]: (len(s["turns"]), sum(len(t["grades"]) for t in s["turns"]))
        for s in big["sessions"]
    }
    assert complete_sessions_only(db, expected) < 3


def test_sessions_with_bad_dates_from_older_versions_still_read(document, tmp_path: Path) -> None:
    """An older mockint accepted "not-a-date": such a database must not break history, stats,
    show or the Markdown export."""
    db = tmp_path / "old.db"
    assert mockint("import", str(write(tmp_path, document)), db=db).returncode == 0
    store = Store(db)
    store.db.execute("UPDATE sessions SET started_at = 'not-a-date' WHERE id = 2")
    store.db.execute(
        "UPDATE turns SET started_at = 'garbage', submitted_at = '' WHERE session_id = 2"
    )
    store.close()
    for args in (("history",), ("history", "--json"), ("stats",), ("show", "2"), ("export", "2")):
        result = mockint(*args, db=db)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_regrade_killed_at_many_moments_never_leaves_a_stale_score(
    fault_server, document, tmp_path: Path
) -> None:
    """A regrade's new grades, the per-question results and the session score change
    together: kill -9 at any moment leaves either the old state or the new one."""
    from mockint.review.results import session_outcomes, session_score

    source = tmp_path / "source.db"
    assert mockint("import", str(write(tmp_path, document)), db=source).returncode == 0
    # the stored grades say "missed" everywhere: a regrade is bound to change the score
    store = Store(source)
    store.db.execute(
        "UPDATE grades SET score = 0, band = 'strong no hire', "
        "points = replace(replace(points, '\"covered\"', '\"missed\"'), "
        "'\"partial\"', '\"missed\"')"
    )
    store.db.execute("UPDATE sessions SET score = 0")
    for table in ("session_summaries", "question_results", "point_results"):
        store.db.execute(f"DELETE FROM {table}")  # summarised again below, from these grades
    store.close()
    assert mockint("stats", db=source).returncode == 0  # summarised
    probe = tmp_path / "probe.db"
    probe.write_bytes(source.read_bytes())
    run_faulty(fault_server, "none", probe, tmp_path, "regrade", "2", "--grader", "keyword")
    total = json.loads((tmp_path / "counts.json").read_text())["stmt"]
    changed: set[float] = set()
    moments = {max(1, round(total * i / 10)) for i in range(1, 10)}
    moments |= set(range(max(1, total - 12), total + 2))  # around the commit; total+1: none
    for k in sorted(moments):
        db = tmp_path / f"regrade{k}.db"
        db.write_bytes(source.read_bytes())
        result = run_faulty(
            fault_server, f"stmt:{k}", db, tmp_path, "regrade", "2", "--grader", "keyword"
        )
        assert result.returncode in (-9, 0), result.stderr
        store = Store(db)
        session = store.session(2)
        outcomes = session_outcomes(store, session)
        stored = dict(
            store.db.execute(
                "SELECT question_id, score FROM question_results WHERE session_id = 2"
            ).fetchall()
        )
        assert stored == {o.question_id: o.score for o in outcomes}, k
        assert session.score == session_score(outcomes), k
        changed.add(session.score)
        store.close()
    assert len(changed) == 2, changed  # some kills came before the commit, some after


def test_sessions_started_in_the_same_millisecond_keep_distinct_keys(tmp_path: Path) -> None:
    """Two processes may start a session of one pack in the same millisecond; their keys must
    differ, or importing both elsewhere would drop the second as "already here"."""
    store = Store(tmp_path / "m.db")
    same = "2026-03-02T09:30:00.000Z"
    first = store.create_session(
        pack_id="p", pack_title="P", grader="keyword", question_ids=["q"], settings={},
        started_at=same,
    )  # fmt: skip
    second = store.create_session(
        pack_id="p", pack_title="P", grader="keyword", question_ids=["q"], settings={},
        started_at=same,
    )  # fmt: skip
    assert store.session(first).started_at == same
    assert store.session(second).started_at == "2026-03-02T09:30:00.001Z"
    other = tmp_path / "other.db"
    document = export.export_document(store, [first, second])
    (tmp_path / "both.json").write_text(export.to_json(document))
    report = json.loads(mockint("import", str(tmp_path / "both.json"), "--json", db=other).stdout)
    assert len(report["imported"]) == 2
