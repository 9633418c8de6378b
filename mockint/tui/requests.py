"""What a screen (or the command line) asks the app to open: a new session or a stored one.

They live apart from `tui.app` so screens can build them without importing the app shell
(an import-linter contract keeps it so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the app shell imports this before the engine loads
    from mockint.interview import InterviewOptions
    from mockint.packs import Pack


@dataclass(frozen=True)
class NewSession:
    """Start a new interview on `pack` with `options`, graded by the grader named `grader`."""

    pack: Pack
    options: InterviewOptions
    grader: str
    pack_path: str | None = None


@dataclass(frozen=True)
class ResumeSession:
    """Continue a stored session at its open question, with its draft restored."""

    session_id: int


SessionRequest = NewSession | ResumeSession
