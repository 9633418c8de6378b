"""The app factory and the app shell: which screen comes first, theme, quitting safely.

`make_app` takes everything from outside (settings, an open store, a grader factory), so tests
hand it a temporary database and a test grader instead of patching globals. Screens hold no
business logic: they call the engine in `mockint.interview` and show what it returns.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from mockint.tui.requests import ResumeSession, SessionRequest
from mockint.tui.screens.home import HomeCommands, HomeScreen

if TYPE_CHECKING:
    from mockint.config import Settings
    from mockint.dberrors import StoreError
    from mockint.errors import UserError
    from mockint.grading.base import Grader
    from mockint.packs import Pack
    from mockint.store import Store
    from mockint.tui.host import AppHost
    from mockint.tui.screens.review_common import ReviewDeps

# Start-up: a bare `mockint` draws the home screen before it imports pydantic (config, packs),
# sqlite-utils (the store) or the engine: `make_lazy_app` takes a loader that the home screen
# runs in a worker after its first frame. The interview and scorecard screens (Markdown,
# TextArea) are imported when first shown.

# Builds the grader a session needs, by name ("keyword" or "llm") for a pack. Called in a worker
# thread, so a slow import (openai) or client set-up never freezes the screen.
GraderFactory = Callable[[str, "Pack"], "Grader"]

# What every screen but the first frame of home needs: settings, an open store, the graders.
AppParts = tuple["Settings", "Store", GraderFactory]
# Builds them; called once, in a worker thread, and may raise UserError (a bad config file, a
# database that cannot be opened) or sqlite3.Error.
Loader = Callable[[], AppParts]

NO_TERMINAL = (
    "the interview screens need a terminal, and standard input or output here is not one "
    "(a pipe, a file or /dev/null); to grade answers from a file use: mockint grade --batch FILE"
)

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class MockintApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "mockint"
    SUB_TITLE = "rehearse technical interviews"
    # Screens get "-narrow" below 70 columns and "-short" below 16 rows; app.tcss then stacks the
    # turn bar and drops the status line, so a tiny terminal still shows question and answer.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-normal")]  # noqa: RUF012 (App declares it)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (16, "-tall")]  # noqa: RUF012
    # the home screen's actions (start a pack, resume #N, history, ...) in the palette (ctrl+p)
    COMMANDS = App.COMMANDS | {HomeCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+t", "toggle_theme", "Theme"),
    ]

    def __init__(
        self,
        parts: AppParts | None,
        *,
        loader: Loader | None = None,
        start: SessionRequest | None = None,
        freeze_timer_at: float | None = None,
        cursor_blink: bool = True,
        command: str = "mockint",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        if parts is None and loader is None:
            raise ValueError("give the app its parts or a loader for them")
        self._parts = parts
        self._loader = loader
        self._load_lock = threading.Lock()
        self.start_request = start
        # Snapshot tests show this elapsed time instead of the real one, so the SVG is stable.
        self.freeze_timer_at = freeze_timer_at
        self.cursor_blink = cursor_blink
        # how the user runs mockint from their shell ("mockint", ".venv/bin/mockint"), for hints
        self.command = command
        # "now" for due counts, streaks and dates on screen; tests and snapshots fix it
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.theme = DARK_THEME
        # The in-progress session the user quit from, so the command line can say how to resume.
        self.left_session_id: int | None = None
        # An answer that could not be saved on the way out (a full disk, a locked database):
        # the command line prints it, so quitting never loses what was typed.
        self.unsaved_answer: str | None = None
        # A database fault that ended the app (damaged pages, a full disk): printed by the
        # command line as one `mockint:` line, exit 2, instead of a traceback.
        self.database_problem: StoreError | None = None
        # What kept the app from starting (a bad config file, a database that cannot be
        # opened), found by the loader after the first frame: printed like database_problem.
        self.startup_problem: UserError | None = None

    # settings, store, graders ---------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._parts is not None

    def _require_parts(self) -> AppParts:
        if self._parts is None:
            raise RuntimeError("the app is still loading its settings and store")
        return self._parts

    @property
    def settings(self) -> Settings:
        return self._require_parts()[0]

    @property
    def store(self) -> Store:
        return self._require_parts()[1]

    @property
    def grader_factory(self) -> GraderFactory:
        return self._require_parts()[2]

    def load(self) -> bool:
        """Build settings, store and graders with the loader, once; called from the home
        screen's worker. True when this call built them (the store is then the caller's alone
        until it returns)."""
        with self._load_lock:
            if self._parts is not None:
                return False
            assert self._loader is not None  # __init__ had one or the other
            self._parts = self._loader()
            return True

    def start_failed(self, problem: UserError) -> None:
        """The loader refused (bad config, unusable database): leave with one clear line."""
        self.startup_problem = problem
        self.exit(return_code=problem.exit_code)

    def run(self, *, headless: bool = False, **options: Any) -> None:
        """Refuse to draw into something that is not a terminal: with input from a file or
        /dev/null and output into a pipe, the screens would write escape codes nobody sees
        and wait for keys that never come."""
        if not headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
            from mockint.errors import UserError

            self.startup_problem = UserError(NO_TERMINAL)
            return None
        return super().run(headless=headless, **options)  # what exit() was given

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        if self.start_request is not None:
            self.open_session(self.start_request)

    # navigation -----------------------------------------------------------------------------

    def open_session(self, request: SessionRequest, *, replace: bool = False) -> None:
        from mockint.tui.screens.interview import InterviewScreen

        screen = InterviewScreen(request)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def resume_session(self, session_id: int) -> None:
        """Continue a stored session (screens call this instead of building the request)."""
        self.open_session(ResumeSession(session_id))

    def show_scorecard(self, session_id: int, pack: Pack) -> None:
        """Replace the interview screen by its scorecard."""
        from mockint.tui.screens.scorecard import ScorecardScreen

        self.switch_screen(ScorecardScreen(session_id, pack))

    def review_deps(self) -> ReviewDeps:
        from mockint.tui.screens.review_common import ReviewDeps

        return ReviewDeps(grader_factory=self.grader_factory, now=self.clock)

    def open_transcript(self, session_id: int, focus_turn: int | None = None) -> None:
        from mockint.tui.screens.transcript import TranscriptScreen

        self.push_screen(
            TranscriptScreen(self.store, session_id, deps=self.review_deps(), focus_turn=focus_turn)
        )

    def open_history(self) -> None:
        from mockint.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(self.store, deps=self.review_deps()))

    def open_search(self) -> None:
        from mockint.tui.screens.search import SearchScreen

        self.push_screen(SearchScreen(self.store, deps=self.review_deps()))

    def open_stats(self, pack_id: str | None = None) -> None:
        from mockint.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen(self.store, deps=self.review_deps(), pack_id=pack_id))

    def go_home(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    # grader naming ------------------------------------------------------------------------------

    def grader_label(self, name: str, model: str | None = None) -> str:
        """How the active grader is named on screen: 'keyword grader', 'llm grader · model'."""
        if name == "llm":
            return f"llm grader · {model or self.settings.model or '?'}"
        return f"{name} grader"

    # actions --------------------------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def _handle_exception(self, error: Exception) -> None:
        """A database fault met on the UI thread ends the app cleanly with a clear line (see
        `database_problem`); any other exception is a bug and gets Textual's report."""
        from mockint.dberrors import StoreError, explain

        problem = error if isinstance(error, StoreError) else None
        if isinstance(error, sqlite3.Error) and self._parts is not None:
            problem = explain(error, self.store.path, self.store.busy_timeout)
        if problem is None:
            super()._handle_exception(error)
            return
        self.database_problem = problem
        with contextlib.suppress(Exception):  # the draft, if the database still takes it
            self.leave_interviews()
        self.exit(return_code=problem.exit_code)

    async def action_quit(self) -> None:
        """Quit from anywhere; an answer being typed is saved first so `resume` finds it."""
        self.leave_interviews()
        self.exit()

    def leave_interviews(self) -> None:
        """Save the draft of any open interview and remember its session for the exit hint."""
        from mockint.tui.screens.interview import InterviewScreen

        for screen in self.screen_stack:
            if isinstance(screen, InterviewScreen) and screen.interview is not None:
                if not screen.save_draft() and screen.editor.text.strip():
                    self.unsaved_answer = screen.editor.text
                if screen.phase != "done":
                    self.left_session_id = screen.interview.session_id


def make_app(
    settings: Settings,
    store: Store,
    grader_factory: GraderFactory,
    *,
    start: SessionRequest | None = None,
    freeze_timer_at: float | None = None,
    cursor_blink: bool = True,
    command: str = "mockint",
    clock: Callable[[], datetime] | None = None,
) -> MockintApp:
    """The TUI, wired to a store and a grader factory; `start` opens an interview right away."""
    return MockintApp(
        (settings, store, grader_factory),
        start=start,
        freeze_timer_at=freeze_timer_at,
        cursor_blink=cursor_blink,
        command=command,
        clock=clock,
    )


def make_lazy_app(loader: Loader, *, command: str = "mockint") -> MockintApp:
    """The TUI of a bare `mockint`: the home screen is drawn first, then `loader` builds the
    settings, store and graders in a worker while the home screen fills in."""
    return MockintApp(None, loader=loader, command=command)


def default_grader_factory(settings: Settings) -> GraderFactory:
    """The real graders. `mockint.grading` is imported on first use, and openai only by the
    LLM grader, so a session with the keyword grader never loads it."""

    def build(name: str, pack: Pack) -> Grader:
        from mockint.grading import make_grader

        if name == "llm" and not settings.llm_configured:
            # The grader's own message names --model, which the commands have and the app
            # does not: here only the environment and the config file can set a model.
            from mockint.errors import UserError

            raise UserError(
                "the LLM grader needs a model: set MOCKINT_MODEL or `model` in the config file "
                "(`mockint paths` shows where)"
            )
        return make_grader(name, settings, pack=pack)

    return build


if TYPE_CHECKING:

    def _keeps_the_host_promise(app: MockintApp) -> AppHost:
        """mypy checks here that the app offers screens all that `AppHost` says."""
        return app
