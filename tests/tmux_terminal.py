"""The installed `mockint` in a real terminal: a tmux server of our own (its own socket) running
one command in one window, read with capture-pane. Every wait polls against a deadline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

EXITED = re.compile(r"^EXIT=\d+\s*$", re.MULTILINE)  # what start(show_exit=True) prints last
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def installed_mockint() -> str:
    """The `mockint` script of this environment (what `pip install .` put beside python)."""
    beside_python = Path(sys.executable).parent / "mockint"
    found = str(beside_python) if beside_python.exists() else shutil.which("mockint")
    if not found:
        pytest.skip("the mockint command is not installed (pip install .)")
    return found


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
    # the terminal decides the size: COLUMNS/LINES (pytest-xdist's workers set 80x24) would
    # make the app lay out at 80 columns in a wider window
    for name in ("TMUX", "COLUMNS", "LINES"):
        env.pop(name, None)
    config = home / "config" / "mockint" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("autosave_seconds = 1\n")
    return env


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

    def start(self, command: str, *, show_exit: bool = True) -> None:
        """Run `command` in a window of exactly `self.size`.

        The window is sized (and the size checked) before the command starts: an app that
        read the size while tmux was still settling it drew at 80 columns on a busy machine.
        With `show_exit`, the pane stays after the command and shows `EXIT=<status>`;
        without, the command replaces the shell and the session ends when it exits.
        """
        width, height = self.size
        self.tmux(
            "new-session", "-d", "-s", self.target, "-x", str(width), "-y", str(height),
            "sleep 600",
        )  # fmt: skip
        self.tmux("set-option", "-t", self.target, "window-size", "manual")
        self.tmux("resize-window", "-t", self.target, "-x", str(width), "-y", str(height))
        self.tmux("set-option", "-t", self.target, "allow-rename", "on", check=False)
        deadline = time.monotonic() + 10
        while (shown := self.pane_size()) != self.size:
            assert time.monotonic() < deadline, f"the pane stayed at {shown}, not {self.size}"
            time.sleep(0.05)
        # the pane stays until close() (kill-server), so a late look still finds the exit line
        shell = f"{command}; echo EXIT=$?; sleep 600" if show_exit else f"exec {command}"
        self.tmux("respawn-pane", "-k", "-t", self.target, shell)

    def pane_size(self) -> tuple[int, int]:
        shown = self.tmux("display", "-p", "-t", self.target, "#{pane_width} #{pane_height}")
        width, height = shown.stdout.split()
        return int(width), int(height)

    def screen(self, history: int = 0) -> str:
        """What the pane shows, with `history` lines of scrollback above it."""
        start = ["-S", str(-history)] if history else []
        return self.tmux("capture-pane", "-p", *start, "-t", self.target, check=False).stdout

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
        last = ""  # the last screen that showed anything: what a failure reports
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            if EXITED.search(screen):  # the command ended: nothing more will come
                everything = self.screen(history=2000)  # a traceback scrolls off the screen
                raise AssertionError(f"waiting for {what}, the command ended:\n{everything}")
            last = screen if screen.strip() else last
            time.sleep(0.1)
        state = "running" if self.alive() else "closed (its command ended)"
        raise AssertionError(
            f"timed out waiting for {what}; the terminal is {state}; its last screen was:\n{last}"
        )

    def wait_for_text(self, text: str, timeout: float = 45) -> str:
        return self.wait_for(lambda screen: text in screen, repr(text), timeout)

    def close(self) -> None:
        self.tmux("kill-server", check=False)
