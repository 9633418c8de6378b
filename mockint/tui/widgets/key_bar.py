"""A one-line bar of the keys that work on the current screen.

Textual's Footer builds one widget per key and rebuilds them all whenever focus moves, which
cost a third of the app's start-up time. This bar is a single Static that redraws its text on
the same signal: the same information, at a fraction of the cost.

When the keys do not fit the width, whole entries are left out rather than one cut in the
middle ("^q Qui…"): first the ones marked below as least needed, then from the end, never quit.
Every key is still listed by the command palette (ctrl+p, "Keys").
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

# actions dropped first when the bar is too narrow, least needed first
LEAST_NEEDED = ("toggle_theme",)
ALWAYS_SHOWN = ("quit",)
GAP = Content("  ")


def fit_keys(entries: list[tuple[str, Content]], width: int) -> list[Content]:
    """The (action, text) entries that fit in `width` cells, in their order."""
    kept = list(entries)

    def length() -> int:
        return sum(text.cell_length for _, text in kept) + GAP.cell_length * max(0, len(kept) - 1)

    for action in LEAST_NEEDED:
        if length() <= width:
            break
        kept = [entry for entry in kept if entry[0] != action]
    while length() > width:
        droppable = [i for i, (action, _) in enumerate(kept) if action not in ALWAYS_SHOWN]
        if not droppable:
            break
        del kept[droppable[-1]]
    return [text for _, text in kept]


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $footer-background;
        color: $footer-description-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.refresh_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self.refresh_keys()

    def _bindings_changed(self, screen: object) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh_keys()

    def refresh_keys(self) -> None:
        """Every shown binding once per action, in the order the screen reports them."""
        entries: list[tuple[str, Content]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            style = "bold $footer-key-foreground" if enabled else "dim"
            entries.append(
                (binding.action, Content.assemble((key, style), " ", binding.description))
            )
        width = self.content_region.width or self.app.size.width - 2
        self.update(GAP.join(fit_keys(entries, width)))
