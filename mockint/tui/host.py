"""What screens may ask of the app they run in, as a protocol.

Screens see the app as an `AppHost` rather than importing `tui.app`, so the app shell can import
every screen without a cycle, and what a screen needs from the app is listed here in one place.
`tui.app` has a type check that `MockintApp` keeps this promise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mockint.config import Settings
    from mockint.packs import Pack
    from mockint.review.regrade import GraderFactory
    from mockint.store import Store
    from mockint.tui.requests import SessionRequest
    from mockint.tui.screens.review_common import ReviewDeps


class AppHost(Protocol):
    settings: Settings
    store: Store
    grader_factory: GraderFactory
    clock: Callable[[], datetime]
    freeze_timer_at: float | None
    cursor_blink: bool
    command: str

    def grader_label(self, name: str, model: str | None = None) -> str: ...
    def open_session(self, request: SessionRequest, *, replace: bool = False) -> None: ...
    def show_scorecard(self, session_id: int, pack: Pack) -> None: ...
    def review_deps(self) -> ReviewDeps: ...
    def open_transcript(self, session_id: int, focus_turn: int | None = None) -> None: ...
    def open_history(self) -> None: ...
    def open_search(self) -> None: ...
    def open_stats(self, pack_id: str | None = None) -> None: ...
    def go_home(self) -> None: ...
    def leave_interviews(self) -> None: ...
