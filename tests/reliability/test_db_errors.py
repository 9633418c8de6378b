"""Clear one-line errors (exit 2, `mockint:`, what to do next) for databases that are damaged,
read-only (reads still work), unreachable, or on a full disk — from the command line and from
the app. Real SQLite files, real processes; read-only is made by the operating system (a
read-only bind mount, an immutable file, or file modes when not root)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_runner import CliResult, assert_one_line_error, run_process
from cli_runner import run_cli as mockint
from faulty import FaultServer
from helpers import finished_session
from olddb import build
from tmux_terminal import Terminal, installed_mockint, needs_tmux, terminal_env

from mockint.packs import Pack
from mockint.review import export
from mockint.schema import SCHEMA_VERSION
from mockint.store import Store

ROOT = os.geteuid() == 0
Ran = CliResult | subprocess.CompletedProcess[str]
READS = [
    ("history",),
    ("history", "--json"),
    ("show", "1"),
    ("show", "1", "--json"),
    ("search", "sidecar"),
    ("stats",),
    ("stats", "--json"),
    ("export", "1", "--format", "json"),
    ("export", "1", "--format", "md"),
]
WRITES = [
    ("run", "--pack", "service-mesh"),
    ("resume",),
    ("import", "EXPORT"),
    ("regrade", "1", "--grader", "keyword"),
    ("dispute", "1", "sm-01", "definition", "--covered"),
]


@pytest.fixture
def populated(tmp_path: Path, service_mesh: Pack) -> tuple[Path, Path]:
    """A folder with a database of three finished, not yet summarised sessions, an
    unfinished one, and an export file elsewhere."""
    folder = tmp_path / "data"
    db = folder / "m.db"
    store = Store(db)
    for text in ("the sidecar does mTLS", "retries with budgets", "the control plane pushes"):
        finished_session(store, service_mesh, text)
    from helpers import SimpleGrader

    from mockint.interview import Interview, InterviewOptions

    open_one = Interview.start(store, service_mesh, SimpleGrader(), InterviewOptions(questions=1))
    open_one.save_draft("half")
    open_one.release()
    exported = tmp_path / "export.json"
    exported.write_text(export.to_json(export.export_document(store, [1, 2])))
    store.close()
    return db, exported


@contextlib.contextmanager
def read_only_fs(folder: Path, runs: Path) -> Iterator[Callable[..., Ran]]:
    """A runner of mockint commands in a mount namespace where `folder` is a read-only
    filesystem (root only; each command a real process forked by faulty.py's server, which
    `unshare` started there); not root: the folder and its files made read-only by their
    modes, and the commands run in this process."""
    if not ROOT:
        yield mockint
        return
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && shift && exec "$@"'
    runs.mkdir(exist_ok=True)
    server = FaultServer(runs, prefix=["unshare", "-m", "sh", "-c", script, str(folder), "_"])
    try:
        yield lambda *args: server.run("none", runs / "counts.json", *args)
    finally:
        server.close()


@pytest.fixture
def read_only_folder(populated) -> Iterator[tuple[Path, Path]]:
    db, exported = populated
    if ROOT and shutil.which("unshare") is None:
        pytest.skip("needs unshare to make a read-only filesystem as root")
    if not ROOT:
        for path in (db.parent, *db.parent.iterdir()):
            path.chmod(0o555 if path.is_dir() else 0o444)
    yield db, exported
    if not ROOT:
        for path in (db.parent, *db.parent.iterdir()):
            path.chmod(0o700 if path.is_dir() else 0o600)


def writable_stats(db: Path, tmp_path: Path) -> dict:
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    result = mockint("stats", "--json", db=copy)
    assert result.returncode == 0, result.stderr
    return without_clock(json.loads(result.stdout))


def without_clock(stats: dict) -> dict:
    return {key: value for key, value in stats.items() if key != "generated_at"}


def test_read_only_filesystem_reads_work_and_writes_say_so(read_only_folder, tmp_path) -> None:
    db, exported = read_only_folder
    expected_stats = writable_stats(db, tmp_path)
    with read_only_fs(db.parent, tmp_path / "runs") as run:
        for args in READS:
            result = run("--db", str(db), *args)
            assert result.returncode == 0, (args, result.stderr)
            assert "Traceback" not in result.stderr
            if args == ("stats", "--json"):  # the summaries are computed, just not written
                assert without_clock(json.loads(result.stdout)) == expected_stats
        out = tmp_path / "out.md"
        result = run("--db", str(db), "export", "1", "-o", str(out))
        assert result.returncode == 0 and out.read_text().startswith("# Interview")
        for args in WRITES:
            args = tuple(str(exported) if a == "EXPORT" else a for a in args)
            line = assert_one_line_error(run("--db", str(db), *args), "read-only")
            assert "history, show, search, stats and export still work" in line
        # a new database in a read-only folder cannot be created: one line
        assert_one_line_error(
            run("--db", str(db.parent / "new.db"), "history"), "cannot create the database"
        )


def test_read_only_file_in_a_writable_folder(populated, tmp_path) -> None:
    db, exported = populated
    if ROOT:
        if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
            pytest.skip("cannot make an immutable file here (chattr)")
    else:
        db.chmod(0o444)
    try:
        for args in READS:
            result = mockint(*args, db=db)
            assert result.returncode == 0, (args, result.stderr)
        for args in WRITES:
            args = tuple(str(exported) if a == "EXPORT" else a for a in args)
            assert_one_line_error(mockint(*args, db=db), "read-only")
    finally:
        if ROOT:
            subprocess.run(["chattr", "-i", str(db)], check=True)
        else:
            db.chmod(0o600)
    assert Store(db).db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_read_only_and_too_old_says_it_needs_an_upgrade(tmp_path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    db = folder / "v2.db"
    build(db, version=2, sessions=3)
    if ROOT and shutil.which("unshare") is None:
        pytest.skip("needs unshare")
    if not ROOT:
        db.chmod(0o444)
        folder.chmod(0o555)
    try:
        with read_only_fs(folder, tmp_path / "runs") as run:
            line = assert_one_line_error(run("--db", str(db), "history"), "read-only")
        assert "upgrade from schema 2" in line
    finally:
        folder.chmod(0o700)
        db.chmod(0o600)


def corrupt(db: Path, first_page: int, last_page: int | None = None) -> None:
    """Overwrite pages with garbage, the way a failing disk or a bad copy would."""
    size = db.stat().st_size
    page = 4096
    last = last_page if last_page is not None else size // page
    with db.open("r+b") as handle:
        for number in range(first_page, last):
            handle.seek(number * page)
            handle.write(bytes((number * 37 + i) % 251 for i in range(page)))


@pytest.fixture
def big_db(tmp_path: Path) -> Path:
    db = tmp_path / "big.db"
    build(db, version=SCHEMA_VERSION, sessions=400)
    Store(db).close()  # checkpointed into the main file
    return db


def test_damaged_pages_give_one_clear_line(big_db: Path) -> None:
    pages = big_db.stat().st_size // 4096
    corrupt(big_db, pages // 3, pages // 3 + 12)
    hit = 0
    for args in (
        ("history",),
        ("stats",),
        ("show", "200"),
        ("search", "sidecar"),
        ("export", "200"),
    ):
        result = mockint(*args, db=big_db)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        if result.returncode != 0:
            line = assert_one_line_error(result, "damaged", ".recover")
            assert str(big_db) in line
            hit += 1
    assert hit, "the damage was never read"


def test_a_damaged_header_is_not_a_database(big_db: Path) -> None:
    with big_db.open("r+b") as handle:
        handle.write(b"this is not sqlite" * 5)
    assert_one_line_error(mockint("history", db=big_db), "not a mockint database")


@needs_tmux
def test_the_app_on_a_damaged_database_exits_with_one_line(big_db: Path, tmp_path: Path) -> None:
    corrupt(big_db, 2)  # everything but the schema page
    terminal = Terminal(tmp_path, terminal_env(tmp_path, big_db))
    try:
        terminal.start(installed_mockint())
        screen = terminal.wait_for_text("EXIT=2")
        assert "mockint:" in screen and "damaged" in screen
        assert "Traceback" not in screen
    finally:
        terminal.close()


def test_a_full_disk_when_creating_a_database(tmp_path: Path) -> None:
    """RLIMIT_FSIZE in the child: the first write of the header fails as on a full disk."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

    line = assert_one_line_error(
        run_process("history", db=tmp_path / "new.db", preexec_fn=limit), "disk is full"
    )
    assert "not a mockint database" not in line


def test_unreachable_database_paths(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert_one_line_error(
        mockint("history", db=blocker / "sub" / "m.db"), "cannot create the database"
    )
    assert_one_line_error(mockint("history", db=tmp_path), "is a directory")


@needs_tmux
def test_the_app_on_a_full_disk_keeps_the_answer(tmp_path: Path) -> None:
    """A file-size limit on the app: autosave fails with a notice (once), the text stays in
    the editor (also what is typed after the failure), and on quit the answer that could not
    be saved is printed, exit 1."""
    db = tmp_path / "m.db"
    assert mockint("history", db=db).returncode == 0
    env = terminal_env(tmp_path, db)
    config = Path(env["XDG_CONFIG_HOME"]) / "mockint" / "config.toml"
    autosave = 0.1
    config.write_text(f"autosave_seconds = {autosave}\n")
    # Every autosave writes the draft (two pages, ~8 KB, to the write-ahead log) even when
    # unchanged; starting the session writes ~60 KB. A limit just above the database file
    # (never written beyond its size before a checkpoint) is reached after a dozen autosaves.
    limit = db.stat().st_size + 16_384
    limited = (
        f"{sys.executable} -c 'import resource, os, sys; "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
        f"os.execv(sys.argv[1], sys.argv[1:])' {installed_mockint()} run --pack service-mesh -n 1"
    )
    terminal = Terminal(tmp_path, env, width=110)
    try:
        terminal.start(limited)
        terminal.wait_for_text("Question 1 of 1")
        for number in range(20):
            terminal.type(f"sidecars handle mtls, line {number}. ")
            time.sleep(0.05)
        terminal.wait_for_text("disk is full")
        for number in range(20, 40):  # typed while every autosave fails
            terminal.type(f"sidecars handle mtls, line {number}. ")
        terminal.wait_for_text("line 39.")
        time.sleep(10 * autosave)  # ten more failed autosaves at least
        screen = terminal.screen()
        assert "Not saved" in screen
        assert screen.count("disk is full") == 1  # one notice, not one per autosave
        terminal.keys("C-q")
        screen = terminal.wait_for_text("EXIT=1")
        assert "could not be saved" in screen and "line 39." in screen
    finally:
        terminal.close()
    assert Store(db).db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
