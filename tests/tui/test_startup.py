"""A bare `mockint` draws its home screen first and loads the rest behind it.

The first frame needs neither pydantic (config, packs) nor sqlite-utils (the store): the real
entry point is run in a fresh process and what it had imported is read when the home screen
mounts, and again once the form is filled in. Then, in process: the filled-in home (packs,
resume buttons, the pack used last), a key pressed before the form is filled, and the one-line
errors a bad config or database still gets.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fake_grader import TermGrader
from textual.widgets import Button, Select
from tui_helpers import settle

from mockint.cli.launch import load_parts, plain_launch
from mockint.interview import Interview, InterviewOptions
from mockint.packs import resolve_pack
from mockint.store import Store
from mockint.tui.app import AppParts, make_lazy_app
from mockint.tui.screens.home import HomeScreen

HEAVY = ("pydantic", "sqlite_utils", "mockint.store", "mockint.config", "mockint.packs", "click")

# Runs the real entry point (headless, so no terminal is needed), records what was imported
# when the home screen mounted and when its form was filled in, then quits.
PROBE = """
import json, sys
from mockint.tui.app import MockintApp
from mockint.tui.screens import home

HEAVY = {heavy!r}
seen = {{}}
on_mount = home.HomeScreen.on_mount

def mounted(self):
    seen["first_frame"] = [name for name in HEAVY if name in sys.modules]
    on_mount(self)

fill = home.HomeScreen._fill

async def filled(self, data):
    await fill(self, data)
    seen["filled"] = [name for name in HEAVY if name in sys.modules]
    seen["packs"] = sorted(self.packs)
    seen["resume"] = [label for _, label in self.resumable]
    self.app.exit()

home.HomeScreen.on_mount = mounted
home.HomeScreen._fill = filled
run = MockintApp.run
MockintApp.run = lambda self, **kwargs: run(self, headless=True, size=(80, 24))
from mockint.cli import main
main(sys.argv[1:])
print(json.dumps(seen))
"""


def probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def interrupted_session(db: Path, pack_id: str) -> int:
    store = Store(db)
    try:
        pack, _ = resolve_pack(pack_id)
        interview = Interview.start(store, pack, TermGrader(), InterviewOptions(questions=2))
        return interview.session_id
    finally:
        store.close()


def test_plain_launch_shows_home_before_importing_pydantic_or_the_store(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    session = interrupted_session(db, "kubernetes")
    result = probe("--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["first_frame"] == [], f"imported before the home screen: {seen['first_frame']}"
    # the probe can see them: the filled-in form needed them
    assert {"pydantic", "sqlite_utils", "mockint.store"} <= set(seen["filled"])
    assert {"service-mesh", "kubernetes", "distributed-systems"} <= set(seen["packs"])
    assert seen["resume"] == [f"Resume #{session}: Kubernetes in production, question 1 of 2"]


def lazy_app(db: Path, gate: threading.Event | None = None):
    def loader() -> AppParts:
        if gate is not None:
            assert gate.wait(30)
        return load_parts(db)

    return make_lazy_app(loader, command="mockint")


async def test_lazy_home_fills_in_packs_resume_buttons_and_the_pack_used_last(
    tmp_path: Path,
) -> None:
    db = tmp_path / "m.db"
    session = interrupted_session(db, "kubernetes")
    app = lazy_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.loaded
        chooser = home.query_one("#pack", Select)
        assert chooser.value == "kubernetes"  # not the alphabetically first pack
        resume = home.query_one("#resume", Button)
        assert str(resume.label).startswith(f"Resume #{session}: Kubernetes")
        assert "(" in str(home.query_one("#due", Button).label)  # the due count came in
        assert app.store.path == db and app.settings.db == db


async def test_a_key_pressed_before_the_form_is_filled_runs_once_it_is(tmp_path: Path) -> None:
    from mockint.tui.screens.interview import InterviewScreen

    gate = threading.Event()
    app = lazy_app(tmp_path / "m.db", gate)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen) and not home.loaded
        await pilot.press("enter")  # Start interview has the focus
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Loading" in str(home.query_one("#home-message").render())
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, InterviewScreen)
        assert app.screen.request.pack.id == "distributed-systems"  # no session yet: the first


async def test_the_form_arriving_while_the_app_quits_is_ignored(tmp_path: Path) -> None:
    """ctrl+q while the worker loads: the form that arrives after it must not be mounted
    (it used to fail looking for the fields of a closing screen)."""
    from mockint.tui.screens.home_data import read_home_data

    gate = threading.Event()
    app = lazy_app(tmp_path / "m.db", gate)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        await pilot.press("ctrl+q")
        data = read_home_data(load_parts(tmp_path / "m.db")[1])
        await home._fill(data)  # what the worker would hand over now
        assert not home.loaded and not home.query("#pack")
        gate.set()
    assert app.return_code in (0, None)


def test_a_bad_config_file_on_plain_launch_is_one_line_and_exit_2(
    isolated_home: Path, tmp_path: Path
) -> None:
    config = isolated_home / "config" / "mockint" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("questions = [oops\n")
    result = probe("--db", str(tmp_path / "m.db"))
    assert result.returncode == 2, (result.stdout[-500:], result.stderr[-500:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mockint: "), result.stderr
    assert "config.toml: not valid TOML" in lines[0]


def test_a_database_that_is_not_one_on_plain_launch_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    db = tmp_path / "m.db"
    db.write_bytes(b"this is not a database, " * 100)
    result = probe("--db", str(db))
    assert result.returncode == 2, (result.stdout[-500:], result.stderr[-500:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mockint: "), result.stderr
    assert db.read_bytes().startswith(b"this is not a database")  # nothing lost


def test_db_that_is_a_folder_is_refused_before_the_app_opens(tmp_path: Path) -> None:
    result = probe("--db", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"mockint: Invalid value for '--db': File '{tmp_path}' is a directory. "
        "(see: mockint --help)"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], (True, None)),
        (["--db", "m.db"], (True, "m.db")),
        (["--db=m.db"], (True, "m.db")),
        (["--db"], (False, None)),  # click says what is missing
        (["--db", "--version"], (False, None)),
        (["--db", "m.db", "history"], (False, None)),
        (["--version"], (False, None)),
        (["history"], (False, None)),
        (["--help"], (False, None)),
    ],
)
def test_only_a_bare_launch_skips_click(args: list[str], expected: tuple[bool, str | None]) -> None:
    assert plain_launch(args) == expected
