"""Concurrency soak: N processes grade, import and regrade on one database for a while, then
every row is accounted for.

    .venv/bin/python bench/soak.py                          # N = 2, 4, 8; 60 s each
    .venv/bin/python bench/soak.py --processes 4 --seconds 20 --markdown /tmp/soak.md

Each worker is a separate process running the real code paths in a loop, picking at random:

- grade: start an interview with the keyword grader (2 questions, up to one follow-up each),
  submit every answer, grade it, advance, finish: the engine's own writes, claims included;
- import: import one of 40 export files (3 sessions each) that all workers share, so the same
  file is often imported by several processes at the same moment;
- regrade: regrade a random finished session with the keyword grader (new grades, new
  per-question results and session score, in one transaction);
- stats: compute stats (which writes summaries and practice cards).

Every operation that commits is written to the worker's journal (what it created: sessions,
turns, grades). At the end the database must hold exactly what the journals say, no more and
no less: every journalled session with its turns and grades (plus the grades its regrades
added), each imported session exactly once with the turns and grades of its file, and
nothing else; `PRAGMA integrity_check` and `foreign_key_check` clean; no worker may have
printed a traceback or failed an operation. Exit status 1 when any of that fails.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ANSWERS = [
    "The sidecar proxy terminates mutual TLS and retries idempotent calls with a budget.",
    "The control plane pushes configuration over xDS; the data plane keeps working without it.",
    "Circuit breaking and outlier detection eject a failing backend before it drags others down.",
    "Certificates are short-lived and rotated automatically; identities come from SPIFFE.",
    "Locality-aware load balancing prefers the same zone and fails over when it is unhealthy.",
]
EXPORT_FILES = 40
SESSIONS_PER_FILE = 3


# -- set-up -----------------------------------------------------------------------------------


def make_exports(folder: Path) -> list[Path]:
    """40 export files of 3 finished sessions each, with keys no other file shares."""
    from mockint.grading import make_grader
    from mockint.interview import InterviewOptions
    from mockint.packs import resolve_pack
    from mockint.review import export
    from mockint.store import Store

    pack, _ = resolve_pack("service-mesh")
    grader = make_grader("keyword", pack=pack)
    source = Store(folder / "source.db")
    rng = random.Random(7)
    files = []
    for number in range(EXPORT_FILES):
        ids = []
        for _ in range(SESSIONS_PER_FILE):
            options = InterviewOptions(questions=2, seed=rng.randrange(10_000), max_follow_ups=1)
            ids.append(run_interview(source, pack, grader, options, rng)[0])
        path = folder / f"export-{number:02d}.json"
        path.write_text(export.to_json(export.export_document(source, ids)))
        files.append(path)
        time.sleep(0.002)  # distinct start times (the session key has millisecond precision)
    source.close()
    return files


def run_interview(
    store: Any, pack: Any, grader: Any, options: Any, rng: random.Random
) -> tuple[int, int, int]:
    """A whole interview through the engine: (session id, turns, grades)."""
    from mockint.interview import Interview

    interview = Interview.start(store, pack, grader, options)
    turns = grades = 0
    while interview.current is not None:
        turn_id = interview.submit(rng.choice(ANSWERS) + " " + rng.choice(ANSWERS))
        outcome = interview.grade(turn_id)
        turns += 1
        grades += 1 + (outcome.grade.cross_check is not None)
        interview.advance(outcome)
    interview.finish()
    return interview.session_id, turns, grades


# -- a worker ---------------------------------------------------------------------------------


def worker(db: Path, journal: Path, seed: int, deadline: float, files: list[Path]) -> int:
    from mockint.grading import make_grader
    from mockint.interview import InterviewOptions
    from mockint.packs import resolve_pack
    from mockint.review.importer import import_file
    from mockint.review.regrade import regrade_session
    from mockint.review.stats import compute_stats
    from mockint.store import Store

    rng = random.Random(seed)
    pack, _ = resolve_pack("service-mesh")
    grader = make_grader("keyword", pack=pack)
    store = Store(db)
    failures = 0
    with journal.open("a", encoding="utf-8") as out:

        def note(entry: dict[str, Any]) -> None:
            out.write(json.dumps(entry) + "\n")
            out.flush()

        while time.time() < deadline:
            op = rng.choices(["grade", "import", "regrade", "stats"], weights=[4, 3, 2, 1])[0]
            started = time.perf_counter()
            try:
                if op == "grade":
                    options = InterviewOptions(
                        questions=2, seed=rng.randrange(10_000), max_follow_ups=1
                    )
                    session_id, turns, grades = run_interview(store, pack, grader, options, rng)
                    entry = {"op": op, "session": session_id, "turns": turns, "grades": grades}
                elif op == "import":
                    path = rng.choice(files)
                    report = import_file(store, path)
                    entry = {
                        "op": op,
                        "file": path.name,
                        "imported": report.imported,
                        "skipped": report.skipped,
                    }
                elif op == "regrade":
                    row = store.db.execute(
                        "SELECT id FROM sessions WHERE status = 'completed' "
                        "ORDER BY random() LIMIT 1"
                    ).fetchone()
                    if row is None:
                        continue
                    report = regrade_session(
                        store, row[0], "keyword", factory=lambda name, p: grader
                    )
                    entry = {"op": op, "session": row[0], "added": report.stored}
                else:
                    compute_stats(store, "service-mesh")
                    entry = {"op": op}
            except Exception:  # a failed operation is a failure of the soak, with its story
                failures += 1
                entry = {"op": op, "error": traceback.format_exc()}
            entry["seconds"] = round(time.perf_counter() - started, 4)
            note(entry)
    store.close()
    return 1 if failures else 0


# -- checking ---------------------------------------------------------------------------------


def verify(db: Path, journals: list[Path], files: list[Path]) -> dict[str, Any]:
    """Compare the database with the journals; every problem is listed."""
    import sqlite3

    problems: list[str] = []
    entries = [json.loads(line) for path in journals for line in path.read_text().splitlines()]
    errors = [e for e in entries if "error" in e]
    problems += [f"{e['op']} failed:\n{e['error']}" for e in errors[:3]]
    conn = sqlite3.connect(db)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append(f"foreign_key_check: {fk[:5]}")

    added: Counter[int] = Counter()
    for e in entries:
        if e["op"] == "regrade" and "error" not in e:
            added[e["session"]] += e["added"]
    expected: dict[int, tuple[int, int]] = {}  # session id -> (turns, grades)
    for e in entries:
        if e["op"] == "grade" and "error" not in e:
            expected[e["session"]] = (e["turns"], e["grades"])
    # imported sessions: from their files, each key exactly once
    by_key: dict[str, tuple[int, int]] = {}
    for path in files:
        for session in json.loads(path.read_text())["sessions"]:
            key = "\x1f".join((session["pack_id"], session["started_at"], session["grader"]))
            turns = len(session["turns"])
            grades = sum(len(t["grades"]) for t in session["turns"])
            by_key[key] = (turns, grades)
    imported_ids: dict[str, int] = {}
    for e in entries:
        if e["op"] != "import" or "error" in e:
            continue
        sessions = json.loads((files[0].parent / e["file"]).read_text())["sessions"]
        key_of = {
            s["id"]: "\x1f".join((s["pack_id"], s["started_at"], s["grader"])) for s in sessions
        }
        for old, new in e["imported"].items():
            key = key_of[int(old)]
            if key in imported_ids:
                problems.append(f"session {key!r} imported twice ({imported_ids[key]}, {new})")
            imported_ids[key] = new
    for key, new in imported_ids.items():
        expected[new] = by_key[key]

    rows = {
        sid: (turns, grades)
        for sid, turns, grades in conn.execute(
            "SELECT s.id, (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id), "
            "(SELECT COUNT(*) FROM grades g JOIN turns t ON t.id = g.turn_id "
            "WHERE t.session_id = s.id) FROM sessions s"
        )
    }
    for sid, (turns, grades) in expected.items():
        if sid not in rows:
            problems.append(f"session {sid} lost")
            continue
        want = (turns, grades + added[sid])
        if rows[sid] != want:
            problems.append(f"session {sid}: (turns, grades) {rows[sid]}, expected {want}")
    extra = sorted(set(rows) - set(expected))
    if extra:
        problems.append(f"{len(extra)} sessions nobody journalled (duplicates?): {extra[:10]}")
    keys = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT pack_id || char(31) || started_at || char(31) || grader) "
        "FROM sessions"
    ).fetchone()
    if keys[0] != keys[1]:
        problems.append(f"{keys[0] - keys[1]} sessions share a key (duplicated)")
    open_claims = conn.execute("SELECT COUNT(*) FROM session_owners").fetchone()[0]
    if open_claims:
        problems.append(f"{open_claims} sessions still claimed after every worker finished")
    seconds: dict[str, list[float]] = {}
    for e in entries:
        seconds.setdefault(e["op"], []).append(e["seconds"])
    conn.close()
    return {
        "operations": {op: len(values) for op, values in sorted(seconds.items())},
        "p50_ms": {op: round(statistics.median(v) * 1000, 1) for op, v in sorted(seconds.items())},
        "p95_ms": {
            op: round(sorted(v)[int(0.95 * (len(v) - 1))] * 1000, 1)
            for op, v in sorted(seconds.items())
        },
        "sessions": len(rows),
        "imported_sessions": len(imported_ids),
        "grades_added_by_regrades": sum(added.values()),
        "failed_operations": len(errors),
        "integrity_check": integrity,
        "problems": problems,
    }


def soak(processes: int, seconds: float, folder: Path, files: list[Path]) -> dict[str, Any]:
    db = folder / f"soak-{processes}.db"
    from mockint.store import Store

    Store(db).close()
    deadline = time.time() + 2 + seconds  # every worker starts, then all run together
    journals = [folder / f"journal-{processes}-{n}.jsonl" for n in range(processes)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                str(db),
                str(journal),
                str(1000 * processes + n),
                str(deadline),
                *map(str, files),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, journal in enumerate(journals)
    ]
    tracebacks = 0
    exit_codes = []
    for proc in procs:
        _, err = proc.communicate(timeout=seconds + 600)
        tracebacks += err.count("Traceback")
        exit_codes.append(proc.returncode)
    result = verify(db, journals, files)
    result.update(
        processes=processes,
        seconds=seconds,
        tracebacks_on_stderr=tracebacks,
        worker_exit_codes=exit_codes,
    )
    if tracebacks or any(exit_codes):
        result["problems"].append(f"workers: exit codes {exit_codes}, {tracebacks} tracebacks")
    return result


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| processes | seconds | grade | import | regrade | stats | p95 grade ms | sessions | "
        "tracebacks | problems | integrity |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ops = r["operations"]
        lines.append(
            f"| {r['processes']} | {r['seconds']:g} | {ops.get('grade', 0)} | "
            f"{ops.get('import', 0)} | {ops.get('regrade', 0)} | {ops.get('stats', 0)} | "
            f"{r['p95_ms'].get('grade', '–')} | {r['sessions']} | "
            f"{r['tracebacks_on_stderr'] + r['failed_operations']} | "
            f"{len(r['problems'])} | {r['integrity_check']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        db, journal, seed, deadline, *files = sys.argv[2:]
        return worker(Path(db), Path(journal), int(seed), float(deadline), [Path(f) for f in files])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="2,4,8", help="comma-separated counts")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--folder", type=Path, help="keep the databases and journals here")
    parser.add_argument("--markdown", type=Path, help="write the table here too")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="mockint-soak-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = make_exports(folder)
    results = []
    for count in (int(n) for n in args.processes.split(",")):
        result = soak(count, args.seconds, folder, files)
        results.append(result)
        print(json.dumps({k: v for k, v in result.items() if k != "problems"}), flush=True)
        for problem in result["problems"]:
            print("PROBLEM:", problem, flush=True)
    table = markdown(results)
    print(table)
    if args.markdown:
        args.markdown.write_text(table)
    failed = any(r["problems"] for r in results)
    if args.folder is None and not failed:
        shutil.rmtree(folder)  # a failed soak keeps its databases and journals to look at
    elif failed:
        print(f"databases and journals kept in {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
