"""The installed `mockint` in a real terminal (tmux), driven as a person would: type answers,
submit, answer follow-ups, reach the scorecard; and kill -9 mid-answer, then resume.

Every wait polls `capture-pane` (or the database) against a deadline; nothing sleeps blindly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from tmux_terminal import Terminal, installed_mockint, needs_tmux
from tmux_terminal import terminal_env as make_terminal_env

pytestmark = [pytest.mark.tmux, needs_tmux]


@pytest.fixture
def terminal_env(tmp_path: Path) -> dict[str, str]:
    return make_terminal_env(tmp_path, tmp_path / "e2e.db")


@pytest.fixture
def terminal(tmp_path: Path, terminal_env: dict[str, str]):
    term = Terminal(tmp_path, terminal_env, width=100, height=30)
    yield term
    term.close()


def header(screen: str) -> str:
    """The turn bar, e.g. 'Question 1 of 2 · sm-08 · follow-up 1' (the clock cut off)."""
    for line in screen.splitlines():
        if line.strip().startswith("Question "):
            return line.split("time")[0].strip()
    return ""


def run_installed(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [installed_mockint(), *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


ANSWER = "The sidecar proxy handles mTLS and retries; the control plane pushes config."


def test_two_question_session_with_follow_ups(terminal: Terminal, terminal_env) -> None:
    terminal.start(
        f"{installed_mockint()} run --pack service-mesh --questions 2 --seed 5", show_exit=False
    )
    screen = terminal.wait_for_text("Question 1 of 2")
    assert "offline grader" in screen and "0 words" in screen
    seen: list[str] = []
    while "Scorecard" not in screen:
        current = header(screen)
        assert current, screen
        seen.append(current)
        assert len(seen) <= 6, seen  # 2 questions, at most 2 follow-ups each
        terminal.type(ANSWER)
        terminal.wait_for_text("pushes config.")
        terminal.keys("C-s")
        screen = terminal.wait_for(
            lambda s, before=current: "Scorecard" in s or (header(s) and header(s) != before),
            "the next question or the scorecard",
        )
    assert any("follow-up" in h for h in seen), seen
    screen = terminal.wait_for_text("Transcript")  # the scorecard's footer: fully drawn
    assert "Overall" in screen
    terminal.keys("C-q")
    terminal.wait_for(lambda s: not terminal.alive(), "mockint to exit", timeout=10)

    sessions = json.loads(run_installed(terminal_env, "history", "--json"))
    assert len(sessions) == 1 and sessions[0]["status"] == "completed"
    data = json.loads(run_installed(terminal_env, "show", str(sessions[0]["id"]), "--json"))
    assert data["questions"] == 2 and data["grader"] == "offline"
    assert len(data["turns"]) == len(seen)
    assert all(turn["answer"] == ANSWER for turn in data["turns"])
    assert {t["kind"] for t in data["turns"]} == {"main", "follow_up"}
    assert all(
        turn["grades"] and turn["grades"][0]["grader"] == "offline" for turn in data["turns"]
    )


def draft_in_db(db: str) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT text FROM drafts").fetchone()
    return row[0] if row else None


def test_kill_9_mid_answer_then_resume_restores_the_draft(terminal: Terminal, terminal_env) -> None:
    terminal.start(f"{installed_mockint()} run --pack service-mesh -n 2 --seed 9", show_exit=False)
    screen = terminal.wait_for_text("Question 1 of 2")
    question = header(screen)
    draft = "Half an answer about envoy sidecars"
    terminal.type(draft)
    deadline = time.monotonic() + 45
    while draft_in_db(terminal_env["MOCKINT_DB"]) != draft:  # autosave: every second here
        assert time.monotonic() < deadline, "the draft was never autosaved"
        time.sleep(0.1)
    os.kill(terminal.pid(), 9)
    terminal.wait_for(lambda s: not terminal.alive(), "the killed session to close", timeout=10)

    history = json.loads(run_installed(terminal_env, "history", "--json"))
    assert history[0]["status"] == "in_progress"

    terminal.start(f"{installed_mockint()} resume", show_exit=False)
    screen = terminal.wait_for_text(draft)
    assert header(screen) == question
    terminal.type(" and mTLS.")
    terminal.wait_for_text("and mTLS.")
    terminal.keys("C-q")
    terminal.wait_for(lambda s: not terminal.alive(), "mockint to exit", timeout=10)
    assert draft_in_db(terminal_env["MOCKINT_DB"]) == draft + " and mTLS."


def test_the_resume_hint_after_quitting_keeps_the_database_given(
    terminal: Terminal, terminal_env, tmp_path: Path
) -> None:
    other = tmp_path / "other place" / "practice.db"  # not MOCKINT_DB, and a space to quote
    other.parent.mkdir()
    terminal.start(
        f"{installed_mockint()} --db '{other}' run --pack service-mesh -n 1 --seed 2"
    )  # shows the exit, and what was printed before it
    terminal.wait_for_text("Question 1 of 1")
    terminal.keys("C-q")
    screen = terminal.wait_for_text("EXIT=0")
    hint = "".join(screen.splitlines())  # the hint wraps at the pane's width, mid-word
    assert f"--db '{other}' resume 1" in hint, screen
    # the hint, typed as printed, finds the session: the default database has none
    assert json.loads(run_installed(terminal_env, "history", "--json")) == []
    sessions = json.loads(run_installed(terminal_env, "--db", str(other), "history", "--json"))
    assert [s["status"] for s in sessions] == ["in_progress"]
