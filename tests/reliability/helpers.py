"""What the fault suite shares: running the real `mockint` as a process, a tmux terminal of its
own, and sessions written through the real engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mockint.grading.base import Grade, PointVerdict, RedFlagHit, finalize
from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack, Question
from mockint.store import Store


class SimpleGrader:
    """Covered when a term appears in the answer; a fixed note (for hostile-note tests)."""

    name = "keyword"

    def __init__(self, note: str = "") -> None:
        self.note = note

    def grade(self, question: Question, answer: str) -> Grade:
        text = answer.lower()
        points = [
            PointVerdict(
                p.id,
                "covered" if any(t.lower() in text for t in p.terms) else "missed",
                p.weight,
                evidence=[t for t in p.terms if t.lower() in text][:1],
                description=p.description,
            )
            for p in question.rubric
        ]
        flags = [
            RedFlagHit(f.id, f.penalty, [t for t in f.terms if t in text][:1], f.description)
            for f in question.red_flags
            if any(t in text for t in f.terms)
        ]
        grade = Grade(question_id=question.id, grader=self.name, points=points, red_flags=flags)
        grade.note = self.note
        return finalize(grade)


def finished_session(store: Store, pack: Pack, answer: str, note: str = "") -> int:
    """One completed session of the pack's first question, answered with `answer`."""
    first = pack.questions[0].id
    options = InterviewOptions(questions=1, question_ids=(first,), max_follow_ups=0)
    interview = Interview.start(store, pack, SimpleGrader(note), options)
    turn_id = interview.submit(answer)
    interview.advance(interview.grade(turn_id))
    interview.finish()
    return interview.session_id


def mockint(
    *args: str,
    db: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The CLI as a separate process (`python -m mockint`), like a person at a shell."""
    prefix = ["--db", str(db)] if db else []
    return subprocess.run(
        [sys.executable, "-m", "mockint", *prefix, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=env,
        preexec_fn=preexec_fn,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, one `mockint:` line on stderr naming the problem, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr, result.stdout)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mockint: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def installed_mockint() -> str:
    beside_python = Path(sys.executable).parent / "mockint"
    found = str(beside_python) if beside_python.exists() else shutil.which("mockint")
    if not found:
        pytest.skip("the mockint command is not installed (pip install .)")
    return found


needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """A tmux server of our own (its own socket) running one command in one window."""

    def __init__(self, root: Path, env: dict[str, str], width: int = 120, height: int = 40):
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
        # remain-on-exit keeps the pane (and its exit status) after the command ends
        self.tmux(
            "new-session", "-d", "-s", self.target, "-x", str(width), "-y", str(height),
            f"{command}; echo EXIT=$?; sleep 30",
        )  # fmt: skip
        self.tmux("set-option", "-t", self.target, "allow-rename", "on", check=False)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.target, check=False).stdout

    def title(self) -> str:
        return self.tmux("display", "-p", "-t", self.target, "#{pane_title}").stdout.strip()

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


def terminal_env(tmp_path: Path, db: Path) -> dict[str, str]:
    """A clean environment for a terminal session: its own home, config and database."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCKINT_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        MOCKINT_DB=str(db),
        TERM="xterm-256color",
        LANG="C.UTF-8",
        TMUX_TMPDIR=str(tmp_path),
        TZ="UTC",
    )
    env.pop("TMUX", None)
    config = home / "config" / "mockint" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("autosave_seconds = 1\n")
    return env
