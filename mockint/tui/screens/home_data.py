"""What the home screen shows that needs the pack files and the database: the packs, the
interrupted sessions to offer, and the pack used last.

Read in a worker thread after the home screen's first frame (pydantic validates the packs,
sqlite-utils reads the sessions), so none of it delays the first paint. No textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockint.packs import Pack
    from mockint.store import Store

RESUME_SHOWN = 3  # interrupted sessions offered on home; History lists them all


@dataclass
class Resumable:
    """The interrupted sessions offered, newest first: (session id, button label), and how
    many more History has."""

    sessions: list[tuple[int, str]] = field(default_factory=list)
    more: int = 0


@dataclass
class HomeData:
    # pack id -> (pack, the file it came from), sorted by id
    packs: dict[str, tuple[Pack, str]]
    pack_errors: list[str]
    resumable: Resumable
    # the pack of the most recent session, when it is still installed: home preselects it
    last_pack_id: str | None


def read_resumable(store: Store) -> Resumable:
    from mockint.review.history import HistoryFilter, count, page

    waiting = HistoryFilter(status="in_progress")
    rows = page(store, waiting, limit=RESUME_SHOWN)
    if not rows:
        return Resumable()
    from mockint.session_plan import session_position  # loaded only when there is one

    sessions: list[tuple[int, str]] = []
    for row in rows:
        number, total = session_position(store, row.id)
        title = row.pack_title or row.pack_id
        sessions.append((row.id, f"Resume #{row.id}: {title}, question {number} of {total}"))
    more = count(store, waiting) - len(rows) if len(rows) == RESUME_SHOWN else 0
    return Resumable(sessions, more)


def last_pack_used(store: Store) -> str | None:
    """The pack of the newest session (started last), whatever became of it."""
    from mockint.review.history import page

    newest = page(store, limit=1)
    return newest[0].pack_id if newest else None


def read_home_data(store: Store) -> HomeData:
    from mockint.packs import discover_packs

    found, errors = discover_packs()
    packs = {pack_id: (pack, str(path)) for pack_id, (pack, path) in sorted(found.items())}
    last = last_pack_used(store)
    return HomeData(
        packs=packs,
        pack_errors=[str(error) for error in errors],
        resumable=read_resumable(store),
        last_pack_id=last if last in packs else None,
    )
