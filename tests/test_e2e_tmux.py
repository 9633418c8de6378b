"""The installed `mockint` in a real terminal (tmux), driven as a person would: type answers,
submit, answer follow-ups, reach the scorecard; and kill -9 mid-answer, then resume.

Every wait polls `capture-pane` (or the database) against a deadline; nothing sleeps blindly.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def installed_mockint() -> str:
    beside_python = Path(sys.executable).parent / "mockint"
    found = str(beside_python) if beside_python.exists() else shutil.which("mockint")
    if not found:
        pytest.skip("the mockint command is not installed (pip install .)")
    return found


class Terminal:
    """One tmux server of our own (its own socket), one window running a command."""

    def __init__(self, root: Path, env: dict[str, str], width: int = 100, height: int = 30):
        self.socket = str(root / "tmux.sock")
        self.env = env
        self.size = (width, height)
        self.target = "mockint"

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-S", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=10,
            check=check,
        )

    def start(self, command: str) -> None:
        width, height = self.size
        self.tmux(
            "new-session", "-d", "-s", self.target, "-x", str(width), "-y", str(height),
            f"exec {command}",
        )  # fmt: skip

    def screen(self) -> str:
        result = self.tmux("capture-pane", "-p", "-t", self.target, check=False)
        return result.stdout

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.target, check=False).returncode == 0

    def pid(self) -> int:
        return int(self.tmux("display", "-p", "-t", self.target, "#{pane_pid}").stdout)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.target, *keys)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 45) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")

    def wait_for_text(self, text: str, timeout: float = 45) -> str:
        return self.wait_for(lambda screen: text in screen, repr(text), timeout)

    def close(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def terminal_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCKINT_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        MOCKINT_DB=str(tmp_path / "e2e.db"),
        TERM="xterm-256color",
        LANG="C.UTF-8",
        TMUX_TMPDIR=str(tmp_path),
    )
    env.pop("TMUX", None)
    config = home / "config" / "mockint" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("autosave_seconds = 1\n")
    return env


@pytest.fixture
def terminal(tmp_path: Path, terminal_env: dict[str, str]):
    term = Terminal(tmp_path, terminal_env)
    yield term
    term.close()


def header(screen: str) -> str:
    """The turn bar, e.g. 'Question 1 of 2 · sm-08 · follow-up 1' (the clock cut off)."""
    for line in screen.splitlines():
        if line.strip().startswith("Question "):
            return line.split("time")[0].strip()
    return ""


def run_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [installed_mockint(), *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


ANSWER = "The sidecar proxy handles mTLS and retries; the control plane pushes config."


def test_two_question_session_with_follow_ups(terminal: Terminal, terminal_env) -> None:
    terminal.start(f"{installed_mockint()} run --pack service-mesh --questions 2 --seed 5")
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

    sessions = json.loads(run_cli(terminal_env, "history", "--json"))
    assert len(sessions) == 1 and sessions[0]["status"] == "completed"
    data = json.loads(run_cli(terminal_env, "show", str(sessions[0]["id"]), "--json"))
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
    terminal.start(f"{installed_mockint()} run --pack service-mesh -n 2 --seed 9")
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

    history = json.loads(run_cli(terminal_env, "history", "--json"))
    assert history[0]["status"] == "in_progress"

    terminal.start(f"{installed_mockint()} resume")
    screen = terminal.wait_for_text(draft)
    assert header(screen) == question
    terminal.type(" and mTLS.")
    terminal.wait_for_text("and mTLS.")
    terminal.keys("C-q")
    terminal.wait_for(lambda s: not terminal.alive(), "mockint to exit", timeout=10)
    assert draft_in_db(terminal_env["MOCKINT_DB"]) == draft + " and mTLS."
