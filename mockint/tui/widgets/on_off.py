"""A checkbox whose state shows in its shape, not only its colour."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class OnOffCheckbox(Checkbox):
    """✓ when on, an empty box when off: readable without colour (a monochrome terminal, a
    colour-blind user, a screenshot in a bug report)."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "✓" if self.value else " "
        return super()._button
