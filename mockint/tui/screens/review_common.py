"""What the history, search, transcript and stats screens share: the dependencies they pass
on to each other, and Rich text helpers.

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

from mockint import locations
from mockint.interview import session_pack
from mockint.review.regrade import GraderFactory, PackResolver
from mockint.review.search import snippet_parts
from mockint.safe_text import safe_text
from mockint.store import Store

BAND_COLOURS = {
    "strong hire": "bold green",
    "hire": "green",
    "lean hire": "yellow",
    "no hire": "red",
    "strong no hire": "bold red",
}
VERDICT_STYLES = {"covered": "green", "partial": "yellow", "missed": "red"}


@dataclass
class ReviewDeps:
    """Everything the review screens need from outside, passed from screen to screen.

    - `pack_resolver`: the pack a stored session was run with (regrading needs its questions).
    - `grader_factory`: builds a grader by name ("llm" / "keyword") for a pack; None hides
      nothing but makes regrading say it is not available.
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


def band_text(score: float | None, band: str | None) -> Text:
    if score is None or band is None:
        return Text("–", style="dim")
    return Text(f"{score:.1f}", style=BAND_COLOURS.get(band, ""))


def snippet_text(snippet: str, width: int | None = None) -> Text:
    """The snippet with matches in bold, cut to `width` cells around the first match."""
    text = Text(no_wrap=True, overflow="ellipsis")
    first_match: int | None = None
    for chunk, hit in snippet_parts(safe_text(snippet, one_line=True)):
        if hit and first_match is None:
            first_match = len(text.plain)
        text.append(chunk, style="bold yellow" if hit else "")
    if width is None or len(text.plain) <= width:
        return text
    start = max(0, min((first_match or 0) - width // 3, len(text.plain) - width))
    if start > 0:
        text = Text("…", no_wrap=True, overflow="ellipsis") + text[start + 1 :]
    text.truncate(width, overflow="ellipsis")
    return text
