"""One writer per session: a second process opening a session another live process holds is
refused with a clear message, never overwrites an answer, and may take over once the first is
gone (kill -9 included). Real processes, real SQLite files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from cli_runner import assert_one_line_error
from cli_runner import run_cli as mockint
from helpers import SimpleGrader
from tmux_terminal import Terminal, installed_mockint, needs_tmux, terminal_env

from mockint.interview import Interview, InterviewOptions
from mockint.ownership import SessionInUse, check_free
from mockint.packs import Pack
from mockint.store import SessionTaken, Store

HOLDER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[3])
    from helpers import SimpleGrader
    from mockint.interview import Interview, InterviewOptions
    from mockint.packs import resolve_pack
    from mockint.store import Store

    store = Store(sys.argv[1])
    pack, _ = resolve_pack("service-mesh")
    if sys.argv[2] == "new":
        interview = Interview.start(
            store, pack, SimpleGrader(), InterviewOptions(questions=2, max_follow_ups=0)
        )
    else:
        interview = Interview.resume(store, pack, int(sys.argv[2]), SimpleGrader())
    interview.save_draft("typed in the first terminal")
    print(interview.session_id, flush=True)
    time.sleep(600)
    """
)


def hold(db: Path, which: str = "new") -> tuple[subprocess.Popen[str], int]:
    """A process that starts (or resumes) a session and keeps it open."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), which, str(Path(__file__).parent)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise AssertionError(proc.stderr.read() if proc.stderr else "holder died")
    return proc, int(line)


def test_a_second_process_is_refused_while_the_first_lives(
    tmp_path: Path, service_mesh: Pack
) -> None:
    db = tmp_path / "m.db"
    holder, session_id = hold(db)
    try:
        store = Store(db)
        with pytest.raises(SessionInUse, match=f"pid {holder.pid} on this machine"):
            Interview.resume(store, service_mesh, session_id, SimpleGrader())
        line = assert_one_line_error(mockint("resume", str(session_id), db=db), "open in another")
        assert f"session {session_id}" in line and "quit it first" in line
        # the holder's draft and open turn are untouched
        assert store.draft(session_id).text == "typed in the first terminal"
        assert len(store.turns(session_id)) == 1
    finally:
        holder.kill()
        holder.wait()
    # kill -9 frees the session at once for the next process on this machine
    check_free(store, session_id)
    resumed = Interview.resume(store, service_mesh, session_id, SimpleGrader())
    assert resumed.current is not None and resumed.current.draft == "typed in the first terminal"
    resumed.release()
    store.close()


def test_an_engine_that_lost_its_claim_cannot_overwrite(tmp_path: Path, service_mesh) -> None:
    """A claimed session taken over by another process (the first looked dead): every write
    of the first engine is refused, and what the second stored stays."""
    db = tmp_path / "m.db"
    store = Store(db)
    first = Interview.start(
        store, service_mesh, SimpleGrader(), InterviewOptions(questions=2, max_follow_ups=0)
    )
    session_id = first.session_id
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        # another live process on this host now owns the session
        store.db.execute(
            "UPDATE session_owners SET token = 'other', pid = ? WHERE session_id = ?",
            [sleeper.pid, session_id],
        )
        turn = first.current
        assert turn is not None
        with pytest.raises(SessionTaken, match="taken over"):
            first.submit("the first terminal's answer")
        with pytest.raises(SessionTaken):
            first.save_draft("more text")
        with pytest.raises(SessionTaken):
            first.finish()
        assert store.turn(turn.id).answer is None
        assert store.session(session_id).status == "in_progress"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_an_answered_turn_is_never_overwritten(tmp_path: Path, service_mesh) -> None:
    store = Store(tmp_path / "m.db")
    interview = Interview.start(
        store, service_mesh, SimpleGrader(), InterviewOptions(questions=1, max_follow_ups=0)
    )
    turn_id = interview.submit("first answer")
    with pytest.raises(SessionTaken, match="already answered"):
        store.submit_answer(turn_id, "second answer")
    assert store.turn(turn_id).answer == "first answer"


def test_a_question_is_never_opened_twice(tmp_path: Path, service_mesh) -> None:
    store = Store(tmp_path / "m.db")
    interview = Interview.start(
        store, service_mesh, SimpleGrader(), InterviewOptions(questions=2, max_follow_ups=0)
    )
    with pytest.raises(SessionTaken, match="already has an open question"):
        store.start_turn(
            interview.session_id,
            question_id="x",
            kind="main",
            prompt="?",
            seq=9,
            owner=interview.owner,
        )
    assert len(store.turns(interview.session_id)) == 1


def test_finishing_releases_the_session(tmp_path: Path, service_mesh) -> None:
    store = Store(tmp_path / "m.db")
    interview = Interview.start(
        store, service_mesh, SimpleGrader(), InterviewOptions(questions=1, max_follow_ups=0)
    )
    interview.advance(interview.grade(interview.submit("an answer")))
    interview.finish()
    assert store.db.execute("SELECT COUNT(*) FROM session_owners").fetchone()[0] == 0


def test_a_stale_owner_on_another_host_is_taken_over(tmp_path: Path, service_mesh) -> None:
    store = Store(tmp_path / "m.db")
    first = Interview.start(
        store, service_mesh, SimpleGrader(), InterviewOptions(questions=1, max_follow_ups=0)
    )
    store.db.execute(
        "UPDATE session_owners SET token = 't', pid = 1, host = 'elsewhere', "
        "seen_at = '2020-01-01T00:00:00.000Z'"
    )
    resumed = Interview.resume(store, service_mesh, first.session_id, SimpleGrader())
    assert resumed.owner and resumed.owner != "t"
    # a fresh one elsewhere is respected
    store.db.execute(
        "UPDATE session_owners SET token = 't', host = 'elsewhere', seen_at = ?",
        [time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())],
    )
    with pytest.raises(SessionInUse, match="host elsewhere"):
        Interview.resume(store, service_mesh, first.session_id, SimpleGrader())


def test_holder_killed_mid_session_then_resumed_by_the_cli_check(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    holder, session_id = hold(db)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    store = Store(db)
    check_free(store, session_id)  # no error: the owner is gone
    second, _ = hold(db, str(session_id))
    try:
        with pytest.raises(SessionInUse, match=f"pid {second.pid}"):
            check_free(store, session_id)
    finally:
        second.kill()
        second.wait()


@needs_tmux
def test_two_terminals_on_one_session(tmp_path: Path) -> None:
    """`run` in one terminal, `resume` in another: the second is told where the session is
    open; once the first quits, the second continues it with the first one's draft."""
    db = tmp_path / "e2e.db"
    env = terminal_env(tmp_path, db)
    first, second, third = (Terminal(tmp_path / name, env) for name in ("t1", "t2", "t3"))
    for name in ("t1", "t2", "t3"):
        (tmp_path / name).mkdir()
    mockint_bin = installed_mockint()
    try:
        first.start(f"{mockint_bin} run --pack service-mesh -n 2 --seed 3")
        first.wait_for_text("Question 1 of 2")
        first.type("the first terminal's answer")
        first.wait_for_text("first terminal's answer")
        second.start(f"{mockint_bin} resume")
        screen = second.wait_for_text("EXIT=2")
        assert "is open in another mockint" in screen and "on this machine" in screen
        first.keys("C-q")
        first.wait_for_text("EXIT=0")
        third.start(f"{mockint_bin} resume")
        third.wait_for_text("the first terminal's answer")
        third.keys("C-q")
        third.wait_for_text("EXIT=0")
    finally:
        for terminal in (first, second, third):
            terminal.close()


def test_a_killed_owner_not_yet_reaped_frees_the_session(tmp_path: Path) -> None:
    """kill -9 leaves a zombie until its parent reaps it (in a container PID 1 may never do
    it); a zombie owns nothing."""
    db = tmp_path / "m.db"
    holder, session_id = hold(db)
    os.kill(holder.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{holder.pid}").exists():
        stat = Path(f"/proc/{holder.pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    try:
        check_free(Store(db), session_id)  # not refused, though the pid still exists
    finally:
        holder.wait()
