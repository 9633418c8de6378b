"""The screens need a terminal: without one, one clear line and exit 2, never a hang."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("command", [[], ["run", "--pack", "service-mesh"]])
def test_without_a_terminal_the_app_says_so_and_exits(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "m.db"
    done = subprocess.run(
        [sys.executable, "-m", "mockint", "--db", str(db), *command],
        capture_output=True,
        text=True,
        timeout=60,  # it used to draw into the pipe and wait for keys forever
        stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TERM": "xterm"},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("mockint: the interview screens need a terminal")
    assert "Traceback" not in done.stderr
    assert "\x1b" not in done.stdout and "\x1b" not in done.stderr
