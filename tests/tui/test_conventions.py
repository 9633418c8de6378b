"""Conventions of the TUI package that a reviewer would otherwise have to remember."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.screen import Screen

import mockint.tui.screens


def screen_classes() -> list[type[Screen]]:
    found: list[type[Screen]] = []
    for info in pkgutil.iter_modules(mockint.tui.screens.__path__):
        module = importlib.import_module(f"mockint.tui.screens.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_screens_keep_their_layout_in_app_tcss() -> None:
    classes = screen_classes()
    assert len(classes) >= 8  # home, interview, scorecard, history, search, stats, transcript, ...
    with_css = [cls.__name__ for cls in classes if "DEFAULT_CSS" in vars(cls)]
    assert with_css == []


def test_workers_report_back_with_messages_only() -> None:
    """Thread workers post a message (fire and forget, safe while the app shuts down); none
    waits on the UI thread with `call_from_thread`."""
    package = Path(mockint.tui.__file__).parent
    users = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if "call_from_thread" in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_the_home_screen_is_split_into_modules_of_one_job() -> None:
    """home.py (loading, resume, counts, starting), home_form.py (the form), home_palette.py
    (ctrl+p) and home_data.py (what is read behind the first frame): each a few hundred lines
    at most, so the home screen does not grow back into one module that does everything."""
    screens = Path(mockint.tui.screens.__file__).parent
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(screens.glob("home*.py"))
    }
    assert set(sizes) == {"home.py", "home_data.py", "home_form.py", "home_palette.py"}
    assert max(sizes.values()) <= 400, sizes


def test_the_transcript_screen_keeps_its_drawing_apart() -> None:
    """transcript.py (placing, scrolling, keys, regrading) and transcript_view.py (what each
    part looks like): each a few hundred lines at most."""
    screens = Path(mockint.tui.screens.__file__).parent
    sizes = {
        name: len((screens / name).read_text(encoding="utf-8").splitlines())
        for name in ("transcript.py", "transcript_view.py")
    }
    assert max(sizes.values()) <= 400, sizes


def test_the_interview_screen_is_split_into_modules_of_one_job() -> None:
    """interview.py (opening, keys, pause menu), interview_turns.py (question, answer, grading,
    coach feedback, next turn) and interview_base.py (widgets, phase, clock, drafts, writes that
    wait out a busy database): each a few hundred lines at most, so the interview screen does
    not grow back into one module that does everything."""
    screens = Path(mockint.tui.screens.__file__).parent
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(screens.glob("interview*.py"))
    }
    assert set(sizes) == {"interview.py", "interview_base.py", "interview_turns.py"}
    assert max(sizes.values()) <= 400, sizes
