"""How every screen shows a string it did not write itself: as plain content, never as markup.

Textual parses a plain `str` given to `Static`, `Label`, `Button`, `Select`, `OptionList` or
`notify` as content markup, and Rich parses `str` cells of a `Table` or `DataTable` as Rich
markup: a pack title "Arrays [easy]" loses its "[easy]", and "[/]" or "[link=…]" raises
MarkupError and takes the app down. So text from a pack, the database, an import or a server
goes through `plain` (Textual widgets) or `plain_rich` (Rich tables and DataTable cells), which
run it through `safe_text` and wrap it so nothing parses it again. Notifications use `notify`
here, which does the same for the message.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.content import Content
from textual.dom import DOMNode

from mockint.safe_text import safe_text


def plain(text: object, style: str = "", *, one_line: bool = False) -> Content:
    """Untrusted text as Textual content: shown exactly as written, minus control bytes."""
    return Content.styled(safe_text(text, one_line=one_line), style)


def plain_rich(text: object, style: str = "", *, one_line: bool = False) -> Text:
    """Untrusted text as a Rich `Text`, for Rich tables and DataTable cells."""
    return Text(safe_text(text, one_line=one_line), style=style)


def notify(node: DOMNode, message: object, **kwargs: Any) -> None:
    """`node.notify` for a message that may carry untrusted text (an error, a grader note)."""
    kwargs.setdefault("markup", False)
    title = kwargs.pop("title", "")
    node.app.notify(safe_text(message), title=safe_text(title, one_line=True), **kwargs)
