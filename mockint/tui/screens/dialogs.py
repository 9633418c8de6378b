"""Small modal dialogs: a yes/no question, the pause menu, the coach's grade panel, and
the dispute picker."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from mockint.review.disputes import DisputablePoint
from mockint.safe_text import safe_text
from mockint.tui.widgets.grade_view import Report, ReportView
from mockint.tui.widgets.key_bar import KeyBar


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; y/enter on Yes answers yes, n or escape answers no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes_label} (y)", id="yes", variant="primary")
                yield Button(f"{self.no_label} (n)", id="no")
        yield KeyBar()  # over the screen's below: its keys do not work while this is open

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


# (id, label) of the pause menu's choices; the interview screen acts on the id.
PAUSE_CHOICES: tuple[tuple[str, str], ...] = (
    ("continue", "Continue answering"),
    ("skip", "Skip this question"),
    ("pause", "Pause: back to the home screen (resume later)"),
    ("quit", "Quit mockint (resume later with `{command} resume`)"),
    ("abandon", "Abandon this session"),
)


class PauseMenu(ModalScreen[str]):
    """What escape opens during an interview; the draft is saved whatever is chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss('continue')", "Continue")]

    def __init__(self, is_follow_up: bool = False, command: str = "mockint") -> None:
        super().__init__()
        self.is_follow_up = is_follow_up
        self.command = command

    def compose(self) -> ComposeResult:
        options = []
        for choice, label in PAUSE_CHOICES:
            if choice == "skip" and self.is_follow_up:
                label = "Skip this follow-up (go to the next question)"
            options.append(Option(Content(label.format(command=self.command)), id=choice))
        with Vertical(classes="dialog"):
            yield Static("Interview paused · the clock is stopped", classes="dialog-title")
            yield OptionList(*options, id="pause-choices")
        yield KeyBar()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id or "continue")


class FeedbackPanel(ModalScreen[None]):
    """Coach mode: the grade and its coaching right after an answer, before the next turn
    starts its clock."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,ctrl+s,escape", "dismiss", "Continue", priority=True),
    ]

    def __init__(self, report: Report, next_step: str) -> None:
        super().__init__()
        self.report = report
        self.next_step = next_step

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            # The hint sits above the report so a long report never pushes it off screen.
            yield Static(f"Coach · next: {self.next_step} — press enter", classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll", id="feedback-scroll"):
                yield ReportView(self.report, id="feedback-report")
        yield KeyBar()  # over the interview's: its keys do not work while this is open

    def on_mount(self) -> None:
        # focused, so up/down and page keys scroll a report longer than the screen
        self.query_one("#feedback-scroll").focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class DisputeDialog(ModalScreen[DisputablePoint | None]):
    """Pick a rubric point whose verdict you disagree with; picking a disputed one withdraws
    the dispute. The grade is never changed: the dispute is kept beside it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, points: list[DisputablePoint]) -> None:
        super().__init__()
        self.points = points

    def compose(self) -> ComposeResult:
        options = []
        for index, point in enumerate(self.points):
            if point.claim is None:
                action = "I covered this" if point.proposed == "covered" else "not covered"
            else:
                action = "withdraw my dispute"
            label = (
                f"{point.question_id} · {point.description} — grader: {point.verdict} → {action}"
            )
            options.append(Option(Content(safe_text(label, one_line=True)), id=str(index)))
        with Vertical(classes="dialog wide"):
            yield Static(
                "Dispute a verdict (enter) · the grade stays as the grader gave it",
                classes="dialog-title",
            )
            yield OptionList(*options, id="dispute-choices")
        yield KeyBar()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.points[int(event.option.id or 0)])

    async def action_dismiss(self, result: DisputablePoint | None = None) -> None:
        self.dismiss(result)
