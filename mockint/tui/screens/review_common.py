"""What the history, search, transcript and stats screens share: the dependencies they pass
on to each other, and Rich text helpers (in the theme's colours, see `tui.tones`).

Cells and blocks showing what a candidate typed are built as `rich.text.Text`, never as markup
strings: a DataTable parses plain strings as markup, and an answer with "[b]" in it must show
as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.dom import DOMNode

from mockint import locations
from mockint.review.regrade import GraderFactory, PackResolver
from mockint.review.search import snippet_parts
from mockint.safe_text import safe_text
from mockint.session_plan import session_pack
from mockint.store import Store
from mockint.tui.tones import MATCH_STYLE, band_style, rich_style


@dataclass
class ReviewDeps:
    """Everything the review screens need from outside, passed from screen to screen.

    - `pack_resolver`: the pack a stored session was run with (regrading needs its questions).
    - `grader_factory`: builds a grader by name ("llm" / "offline" / "keyword") for a pack,
      called in the regrade worker; None hides nothing but makes regrading say it is not
      available.
    - `export_dir`: where the transcript screen writes exports (default: <data dir>/exports).
    - `now`: a fixed clock for tests and snapshots.
    """

    pack_resolver: PackResolver = session_pack
    grader_factory: GraderFactory | None = None
    export_dir: Path | None = None
    now: Callable[[], datetime] | None = None

    def exports(self) -> Path:
        return self.export_dir or locations.data_dir() / "exports"


@contextmanager
def worker_store(store: Store) -> Iterator[Store]:
    """A connection of its own for a worker thread.

    A sqlite3 connection shared between threads shares its transaction: a read on the UI thread
    while a worker's write transaction is open on the same connection ends in "no such
    savepoint". A second connection to the same file (WAL, busy timeout) keeps them apart.
    """
    own = Store(store.path)
    try:
        yield own
    finally:
        own.close()


def band_text(node: DOMNode, score: float | None, band: str | None) -> Text:
    """The score in its band's tone (theme colours), '–' when there is none."""
    if score is None or band is None:
        return Text("–", style="dim")
    return Text(f"{score:.1f}", style=rich_style(node, band_style(band)))


def snippet_text(node: DOMNode, snippet: str, width: int | None = None) -> Text:
    """The snippet with matches highlighted, cut to `width` cells around the first match."""
    text = Text(no_wrap=True, overflow="ellipsis")
    match_style = rich_style(node, MATCH_STYLE)
    first_match: int | None = None
    for chunk, hit in snippet_parts(safe_text(snippet, one_line=True)):
        if hit and first_match is None:
            first_match = len(text.plain)
        text.append(chunk, style=match_style if hit else "")
    if width is None or len(text.plain) <= width:
        return text
    start = max(0, min((first_match or 0) - width // 3, len(text.plain) - width))
    if start > 0:
        text = Text("…", no_wrap=True, overflow="ellipsis") + text[start + 1 :]
    text.truncate(width, overflow="ellipsis")
    return text
