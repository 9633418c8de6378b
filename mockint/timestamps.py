"""Moments as mockint stores them and as it shows them, defined once.

Stored: UTC, ISO 8601 to the millisecond with a Z ('2026-03-20T13:05:09.123Z'), so timestamps
sort as text and SQLite compares them without parsing. Shown: the local time to the minute
('2026-03-20 13:05'), the same on every screen, command and export.
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """The stored form of an aware moment."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(datetime.now(UTC))


def parse_iso(value: str | None) -> datetime | None:
    """A stored timestamp as an aware datetime; None when missing or not a date.

    Readers must survive what older versions let in (an import once accepted "not-a-date"):
    a bad value reads as unknown instead of breaking every screen that lists the session.
    A timestamp without a zone is UTC, which is how mockint writes them.
    """
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_minute(moment: datetime, *, with_time: bool = True) -> str:
    """'2026-03-20 13:05' (or '2026-03-20') in the local time zone. Formatted by hand:
    strftime is a tenth of `mockint history`'s time on 10,000 sessions."""
    m = moment.astimezone()
    day = f"{m.year:04d}-{m.month:02d}-{m.day:02d}"
    return f"{day} {m.hour:02d}:{m.minute:02d}" if with_time else day


def format_when(value: str | None, *, with_time: bool = True, missing: str = "–") -> str:
    """A stored timestamp as `local_minute` shows it; `missing` when there is none."""
    moment = parse_iso(value)
    return missing if moment is None else local_minute(moment, with_time=with_time)
