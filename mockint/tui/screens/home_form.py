"""The home screen's form: pack, number of questions, timing, coach mode and grader.

`HomeForm` builds the form's rows once the packs are read, keeps the questions field within the
chosen pack (remembering what was asked for), and reads a new session's pack, options and
grader from it. `HomeScreen` (home.py) adds the loading, resume buttons, practice counts,
actions and palette; the split keeps each module to one job. No pack or setting is needed to
import this module: the home screen's first frame must not wait for pydantic or the store.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, cast

from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from mockint.errors import UserError
from mockint.marks import OFFLINE_GRADERS
from mockint.tui.plain import plain
from mockint.tui.widgets.on_off import OnOffCheckbox
from mockint.tui.widgets.select import QuitSafeSelect

if TYPE_CHECKING:
    from mockint.interview import InterviewOptions
    from mockint.packs import Pack
    from mockint.tui.host import AppHost


class HomeForm(Screen[None]):
    """The form's rows and state; the home screen is one (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        # filled in by the loading worker (see home.py's docstring)
        self.loaded = False
        self.packs: dict[str, tuple[Pack, str]] = {}
        self.last_pack_id: str | None = None
        # the questions asked for (typed, or the config's), and the value last put in the
        # field for a pack with fewer questions (see `_fit_questions`)
        self._questions_wanted: int | None = None
        self._questions_fitted: str | None = None

    @property
    def mockint(self) -> AppHost:
        return cast("AppHost", self.app)

    def _fields(self) -> list[Widget]:
        """The form's rows: pack, questions, timing, coach mode, grader."""
        settings = self.mockint.settings
        pack_options = [
            (
                plain(f"{pack.title} ({pack_id}) · {len(pack.questions)} questions", one_line=True),
                pack_id,
            )
            for pack_id, (pack, _) in self.packs.items()
        ]
        chosen = self.last_pack_id or (pack_options[0][1] if pack_options else None)
        pack_row: Widget
        if len(pack_options) == 1:
            # One pack to offer: plain text is clearer (and opens faster) than a menu.
            pack_row = Static(pack_options[0][0], id="pack")
        else:
            pack_row = QuitSafeSelect(
                pack_options,
                value=chosen if chosen is not None else Select.NULL,
                allow_blank=False,
                compact=True,
                id="pack",
            )
        grader_row: list[Widget]
        if settings.llm_configured:
            grader_options: list[tuple[str | Content, str]] = [
                *((_grader_label(name), name) for name in OFFLINE_GRADERS),
                (plain(f"llm — {settings.model}", one_line=True), "llm"),
            ]
            grader_row = [
                QuitSafeSelect(
                    grader_options,
                    value=settings.active_grader,
                    allow_blank=False,
                    compact=True,
                    id="grader",
                )
            ]
        else:
            # One grader to offer: plain text is clearer (and opens faster) than a menu.
            grader_row = [
                Static(_grader_label(settings.active_grader), id="grader"),
                Static("no LLM configured", id="grader-hint", classes="hint"),
            ]
        rows: list[tuple[str, list[Widget]]] = [
            ("Pack", [pack_row]),
            (
                "Questions",
                [
                    Input(str(settings.questions), type="integer", compact=True, id="questions"),
                    Static("", id="questions-hint", classes="hint"),
                ],
            ),
            (
                "Timing",
                [
                    OnOffCheckbox("Timed", value=True, compact=True, id="timed"),
                    Static("", id="timing-hint", classes="hint"),
                ],
            ),
            (
                "Coach",
                [
                    OnOffCheckbox("Coach mode", value=settings.coach, compact=True, id="coach"),
                    Static("grades after each answer", classes="hint"),
                ],
            ),
            ("Grader", grader_row),
        ]
        return [
            Horizontal(Label(label, classes="field-label"), *widgets, classes="field")
            for label, widgets in rows
        ]

    # form state -------------------------------------------------------------------------------

    def _message(self, text: str) -> None:
        self.query_one("#home-message", Static).update(plain(text))

    def _pack_id(self) -> str | None:
        if not self.loaded:
            return None
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
            self._fit_questions(len(pack.questions))
            self.query_one("#questions-hint", Static).update(
                f"of {len(pack.questions)}, drawn at random without repeats"
            )
            minutes = pack.pack.time_budget_minutes or minutes
            source = "pack" if pack.pack.time_budget_minutes else "default"
            self.query_one("#timing-hint", Static).update(
                f"{minutes:g} min per question ({source})"
            )

    def _fit_questions(self, available: int) -> None:
        """No more questions than the pack has: "5 of 2" would only be refused by Start. What
        was asked for is kept, so a bigger pack chosen next gets it back."""
        field = self.query_one("#questions", Input)
        if field.value.strip() != self._questions_fitted:  # typed, perhaps not yet seen
            with contextlib.suppress(ValueError):
                self._questions_wanted = int(field.value)
        if self._questions_wanted is None:
            self._questions_wanted = self.mockint.settings.questions
        shown = str(min(self._questions_wanted, available))
        if field.value.strip() != shown:
            self._questions_fitted = shown
            field.value = shown

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "questions" or event.value == self._questions_fitted:
            return
        self._questions_fitted = None
        with contextlib.suppress(ValueError):  # not a number (yet): Start says what it needs
            self._questions_wanted = int(event.value)

    # reading a session's choices --------------------------------------------------------------

    def _grader_name(self) -> str:
        grader = self.query_one("#grader")
        if isinstance(grader, Select):
            return str(grader.value)
        # the one grader on offer, as shown: the offline grader unless the config names another
        return self.mockint.settings.active_grader

    def _require_pack(self) -> Pack:
        pack = self._pack()
        if pack is None:
            raise UserError("choose a pack first")
        return pack

    def _pack_path(self) -> str | None:
        value = self._pack_id()
        return self.packs[value][1] if isinstance(value, str) and value in self.packs else None

    def _options(self) -> InterviewOptions:
        from mockint.interview import InterviewOptions

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
            timed=self.query_one("#timed", OnOffCheckbox).value,
            question_minutes=settings.question_minutes,
            coach=self.query_one("#coach", OnOffCheckbox).value,
            max_follow_ups=settings.max_follow_ups,
        )


def _grader_label(name: str) -> str:
    """'offline — keywords and meaning': a grader as the form's grader row names it."""
    what = OFFLINE_GRADERS.get(name)
    return f"{name} — {what}" if what else name
