"""The app never dies on a busy database: while another process holds the write lock, autosave
and submit wait, say so, keep the text, and go through once the lock is free. A crashed app
exits non-zero. Real app (App.run_test), real lock holder in another process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from helpers import SimpleGrader
from textual.pilot import Pilot

from mockint.config import Settings
from mockint.interview import InterviewOptions
from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.app import make_app
from mockint.tui.requests import NewSession
from mockint.tui.screens.interview import InterviewScreen
from mockint.tui.widgets.answer_editor import AnswerEditor

LOCKER = textwrap.dedent(
    """
    import select, sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    select.select([sys.stdin], [], [], float(sys.argv[2]))  # a line on stdin: release now
    conn.execute("COMMIT")
    print("released", time.monotonic(), flush=True)
    """
)


def hold_write_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the write lock of `db` for `seconds`, or until `release`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(db), str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def released_at(locker: subprocess.Popen[str]) -> float:
    """When the lock was released (time.monotonic(), one clock for every process here)."""
    assert locker.stdout is not None
    word, moment = locker.stdout.readline().split()
    assert word == "released"
    locker.wait(timeout=30)
    return float(moment)


def release(locker: subprocess.Popen[str]) -> float:
    assert locker.stdin is not None
    locker.stdin.write("\n")
    locker.stdin.flush()
    return released_at(locker)


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def wait_until(pilot: Pilot, check, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


async def test_autosave_and_submit_wait_out_a_busy_database(
    tmp_path: Path, store: Store, db_path: Path, service_mesh: Pack
) -> None:
    options = InterviewOptions(questions=2, question_ids=("sm-01", "sm-02"), max_follow_ups=0)
    app = make_app(
        Settings(db=db_path, autosave_seconds=0.2),
        store,
        lambda name, pack: SimpleGrader(),
        start=NewSession(service_mesh, options, "keyword"),
        cursor_blink=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        session_id = screen.interview.session_id
        locker = hold_write_lock(db_path, 60)  # until the checks below are done
        try:
            screen.query_one(AnswerEditor).insert("typed while another process writes")
            await wait_until(pilot, lambda: "database is busy" in status(app))
            assert screen.query_one(AnswerEditor).text == "typed while another process writes"
            assert getattr(store.draft(session_id), "text", None) != "typed while another…"
            await pilot.press("ctrl+s")  # submit while the lock is still held
            await pilot.pause(0.3)
            assert screen.phase == "saving" and "busy" in status(app)
            assert screen.query_one(AnswerEditor).text == "typed while another process writes"
        finally:
            release(locker)
        await wait_until(
            pilot, lambda: "Question 2 of 2" in str(screen.query_one("#progress").render())
        )
        assert app.is_running
    turns = store.turns(session_id)
    assert turns[0].answer == "typed while another process writes"
    assert store.grades(turns[0].id)
    assert app.return_code in (0, None)


CRASHING_APP = textwrap.dedent(
    """
    import sys
    from mockint.tui.screens import home

    def broken(self):
        raise RuntimeError("a bug in a screen")

    home.HomeScreen.on_mount = broken
    from mockint.tui.app import MockintApp

    run = MockintApp.run  # headless: the test has no terminal
    MockintApp.run = lambda self, **kwargs: run(self, headless=True, size=(80, 24))
    from mockint.cli import main
    main(["--db", sys.argv[1]])
    """
)


def test_a_crashed_app_exits_non_zero(tmp_path: Path) -> None:
    """The real entry point with a screen that raises: Textual reports the error and the
    shell sees a failure (it used to see 0)."""
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_APP, str(tmp_path / "m.db")],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={"TERM": "xterm", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode != 0, (result.stdout[-500:], result.stderr[-500:])
    assert "a bug in a screen" in result.stdout + result.stderr
