"""The answer box: a multi-line editor that keeps a live word count in its border."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from mockint.safe_text import safe_text


def word_count(text: str) -> int:
    return len(text.split())


def words_label(count: int) -> str:
    return f"{count} word{'' if count == 1 else 's'}"


class AnswerEditor(TextArea):
    """A soft-wrapping TextArea; tab moves focus (answers are prose, not code)."""

    DEFAULT_CSS = """
    AnswerEditor {
        height: 1fr;
        min-height: 4;
    }
    """

    def __init__(self, *, cursor_blink: bool = True, id: str | None = None) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", id=id)
        self.cursor_blink = cursor_blink
        self.border_title = "your answer"
        self.border_subtitle = words_label(0)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # The message still bubbles, but nothing above listens: the screen saves the draft on a
        # timer (and on pause, quit and submit) whether or not the text changed.
        self.border_subtitle = words_label(word_count(self.text))

    async def _on_paste(self, event: events.Paste) -> None:
        # A paste from another terminal can carry escape sequences; the editor would send them
        # to the terminal as they are. An answer is prose: they go. Only the text is changed:
        # Textual then calls TextArea's own handler (every class's handler runs, subclass
        # first), which inserts it; calling it from here too pasted everything twice.
        event.text = safe_text(event.text)

    def load_answer(self, text: str) -> None:
        """Replace the text (a new turn or a restored draft) and put the cursor at its end."""
        text = safe_text(text)
        self.load_text(text)
        self.move_cursor(self.document.end)
        self.border_subtitle = words_label(word_count(text))
