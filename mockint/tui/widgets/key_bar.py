"""A one-line bar of the keys that work on the current screen.

Textual's Footer builds one widget per key and rebuilds them all whenever focus moves, which
cost a third of the app's start-up time. This bar is a single Static that redraws its text on
the same signal: the same information, at a fraction of the cost.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


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

    def _bindings_changed(self, screen: object) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh_keys()

    def refresh_keys(self) -> None:
        """Every shown binding once per action, in the order the screen reports them."""
        parts: list[Content] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            style = "bold $footer-key-foreground" if enabled else "dim"
            parts.append(Content.assemble((key, style), " ", binding.description))
        self.update(Content("  ").join(parts))
