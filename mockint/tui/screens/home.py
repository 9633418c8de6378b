"""The home screen: pick a pack, the number of questions, timing, coach mode and grader; or
resume the interrupted session.

The active grader is always on screen: the LLM grader is offered only when a model is
configured, so a fresh install shows (and uses) the offline keyword grader.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from mockint import locations
from mockint.errors import UserError
from mockint.interview import InterviewOptions, session_position
from mockint.packs import Pack, discover_packs
from mockint.tui.plain import notify, plain
from mockint.tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from textual.content import Content

    from mockint.tui.app import MockintApp


class HomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start"),
        Binding("ctrl+r", "resume", "Resume"),
        Binding("ctrl+d", "practice_due", "Practise due"),
        Binding("ctrl+o", "history", "History"),
        Binding("ctrl+f", "search", "Search"),
        Binding("ctrl+g", "stats", "Stats"),
    ]

    def __init__(self) -> None:
        super().__init__()
        found, errors = discover_packs()
        self.packs: dict[str, tuple[Pack, str]] = {
            pack_id: (pack, str(path)) for pack_id, (pack, path) in sorted(found.items())
        }
        self.pack_errors = [str(error) for error in errors]
        self.resumable: dict | None = None

    @property
    def mockint(self) -> MockintApp:
        return cast("MockintApp", self.app)

    def compose(self) -> ComposeResult:
        settings = self.mockint.settings
        pack_options = [
            (
                plain(f"{pack.title} ({pack_id}) · {len(pack.questions)} questions", one_line=True),
                pack_id,
            )
            for pack_id, (pack, _) in self.packs.items()
        ]
        first_pack = pack_options[0][1] if pack_options else Select.NULL
        grader_options: list[tuple[str | Content, str]] = [
            ("offline — keywords and meaning", "offline"),
            ("keyword — words only", "keyword"),
        ]
        if settings.llm_configured:
            grader_options.append((plain(f"llm — {settings.model}", one_line=True), "llm"))
        with VerticalScroll(id="home-form"):
            yield Static("Rehearse a technical interview", id="home-title")
            with Horizontal(classes="field"):
                yield Label("Pack", classes="field-label")
                if len(pack_options) == 1:
                    # One pack to offer: plain text is clearer (and opens faster) than a menu.
                    yield Static(pack_options[0][0], id="pack")
                else:
                    yield Select(
                        pack_options, value=first_pack, allow_blank=False, compact=True, id="pack"
                    )
            with Horizontal(classes="field"):
                yield Label("Questions", classes="field-label")
                yield Input(str(settings.questions), type="integer", compact=True, id="questions")
                yield Static("", id="questions-hint", classes="hint")
            with Horizontal(classes="field"):
                yield Label("Timing", classes="field-label")
                yield Checkbox("Timed", value=True, compact=True, id="timed")
                yield Static("", id="timing-hint", classes="hint")
            with Horizontal(classes="field"):
                yield Label("Coach", classes="field-label")
                yield Checkbox("Coach mode", value=settings.coach, compact=True, id="coach")
                yield Static("grades after each answer", classes="hint")
            with Horizontal(classes="field"):
                yield Label("Grader", classes="field-label")
                if settings.llm_configured:
                    yield Select(
                        grader_options,
                        value=settings.active_grader,
                        allow_blank=False,
                        compact=True,
                        id="grader",
                    )
                else:
                    # One grader to offer: plain text is clearer (and opens faster) than a menu.
                    yield Static("offline — keywords and meaning", id="grader")
                    yield Static("no LLM configured", id="grader-hint", classes="hint")
            with Horizontal(id="home-buttons"):
                yield Button("Start interview", id="start", variant="primary", compact=True)
                yield Button("Resume", id="resume", compact=True)
            with Horizontal(id="home-review-buttons"):
                yield Button("Practise what's due", id="due", compact=True)
                yield Button("History", id="history", compact=True)
                yield Button("Search", id="search", compact=True)
                yield Button("Stats", id="stats", compact=True)
            yield Static("", id="home-message")
        yield KeyBar()

    def on_mount(self) -> None:
        if not self.packs:
            self.query_one("#start", Button).disabled = True
            self._message(f"No packs found. Put .toml packs in {locations.user_packs_dir()}")
        elif self.pack_errors:
            self._message("Skipped broken packs: " + "; ".join(self.pack_errors))
        self._update_hints()
        self._refresh_resume()
        # Enter starts an interview with the defaults; tab moves through the form.
        self.query_one("#start", Button).focus()

    def on_screen_resume(self) -> None:
        self._refresh_resume()

    # form state -------------------------------------------------------------------------------

    def _message(self, text: str) -> None:
        self.query_one("#home-message", Static).update(plain(text))

    def _pack_id(self) -> str | None:
        chooser = self.query_one("#pack")
        if isinstance(chooser, Select):
            return chooser.value if isinstance(chooser.value, str) else None
        return next(iter(self.packs), None)

    def _pack(self) -> Pack | None:
        value = self._pack_id()
        entry = self.packs.get(value) if isinstance(value, str) else None
        return entry[0] if entry else None

    def _update_hints(self) -> None:
        pack = self._pack()
        minutes = self.mockint.settings.question_minutes
        if pack is not None:
            self.query_one("#questions-hint", Static).update(
                f"of {len(pack.questions)}, drawn at random without repeats"
            )
            minutes = pack.pack.time_budget_minutes or minutes
            source = "pack" if pack.pack.time_budget_minutes else "default"
            self.query_one("#timing-hint", Static).update(
                f"{minutes:g} min per question ({source})"
            )

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "pack":
            self._update_hints()

    def _refresh_resume(self) -> None:
        store = self.mockint.store
        self.resumable = store.resumable_session()
        button = self.query_one("#resume", Button)
        if self.resumable is None:
            button.display = False
            return
        number, total = session_position(store, self.resumable["id"])
        title = self.resumable["pack_title"] or self.resumable["pack_id"]
        button.label = plain(
            f"Resume #{self.resumable['id']}: {title}, question {number} of {total}", one_line=True
        )
        button.display = True

    # starting ---------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "start": self.action_start,
            "resume": self.action_resume,
            "due": self.action_practice_due,
            "history": self.action_history,
            "search": self.action_search,
            "stats": self.action_stats,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def action_start(self) -> None:
        from mockint.tui.app import NewSession

        try:
            request = NewSession(
                pack=self._require_pack(),
                options=self._options(),
                grader=self._grader_name(),
                pack_path=self._pack_path(),
            )
        except UserError as exc:
            self._message(str(exc))
            notify(self, exc, severity="error")
            return
        self._message("")
        self.mockint.open_session(request)

    def action_resume(self) -> None:
        from mockint.tui.app import ResumeSession

        if self.resumable is None:
            self.notify("There is no interrupted session to resume.")
            return
        self.mockint.open_session(ResumeSession(self.resumable["id"]))

    def action_practice_due(self) -> None:
        """A session of the pack's questions that are due, the most-missed points first."""
        from mockint.review.scheduler import due_plan, nothing_due_message
        from mockint.tui.app import NewSession

        try:
            pack = self._require_pack()
            options = self._options()
        except UserError as exc:
            self._message(str(exc))
            return
        store = self.mockint.store
        question_ids, focus = due_plan(store, pack, limit=options.questions)
        if not question_ids:
            message = nothing_due_message(store, pack)
            self._message(message)
            notify(self, message)
            return
        options = replace(
            options, questions=len(question_ids), question_ids=tuple(question_ids), focus=focus
        )
        self.mockint.open_session(NewSession(pack, options, self._grader_name(), self._pack_path()))

    def action_history(self) -> None:
        self.mockint.open_history()

    def action_search(self) -> None:
        self.mockint.open_search()

    def action_stats(self) -> None:
        pack = self._pack()
        self.mockint.open_stats(pack.id if pack else None)

    def _grader_name(self) -> str:
        grader = self.query_one("#grader")
        return str(grader.value) if isinstance(grader, Select) else "keyword"

    def _require_pack(self) -> Pack:
        pack = self._pack()
        if pack is None:
            raise UserError("choose a pack first")
        return pack

    def _pack_path(self) -> str | None:
        value = self._pack_id()
        return self.packs[value][1] if isinstance(value, str) and value in self.packs else None

    def _options(self) -> InterviewOptions:
        pack = self._require_pack()
        raw = self.query_one("#questions", Input).value.strip()
        try:
            count = int(raw)
        except ValueError:
            count = 0
        if not 1 <= count <= len(pack.questions):
            raise UserError(f"questions: give a number from 1 to {len(pack.questions)}")
        settings = self.mockint.settings
        return InterviewOptions(
            questions=count,
            timed=self.query_one("#timed", Checkbox).value,
            question_minutes=settings.question_minutes,
            coach=self.query_one("#coach", Checkbox).value,
            max_follow_ups=settings.max_follow_ups,
        )
