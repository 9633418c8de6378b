"""One writer per session: which process has a session open, and refusing a second one.

The same session opened in two terminals (`run` in one, `resume` in the other) once meant two
engines writing one session: an answer overwritten, a question opened twice. Now an engine
that opens a session claims it in `session_owners` (schema 4): a random token, its pid and
host, and when it was last seen. Another process that opens the session while that owner is
alive is refused with a message saying where the session is open. Every write the engine makes
carries its token and is checked in the same transaction (see Store), so even a process that
lost its claim (the other took over a stale one) cannot overwrite anything: its write fails.

An owner is alive when it was seen in the last STALE_SECONDS, or, on this host, while its
process exists: a `kill -9` frees the session at once for the next process on the machine,
and a crashed process elsewhere (a network share) after STALE_SECONDS. The app refreshes its
claim every HEARTBEAT_SECONDS, whatever screen is open.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field

from mockint.errors import UserError
from mockint.store import OwnerRow, Store
from mockint.timestamps import now_iso, parse_iso

STALE_SECONDS = 120.0
HEARTBEAT_SECONDS = 30.0


class SessionInUse(UserError):
    """The session is open for writing in another live process."""


def _host() -> str:
    return socket.gethostname()


def _process_exists(pid: int) -> bool:
    """Is `pid` a running process? A zombie is not: a process killed with -9 whose parent
    has not reaped it (in a container, PID 1 often never does) still answers kill(pid, 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, alive
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            state = handle.read().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(pid, 0) is all we know
    return state not in ("Z", "X")


def _seconds_ago(value: str | None) -> float:
    moment = parse_iso(value)
    if moment is None:
        return float("inf")
    now = parse_iso(now_iso())
    assert now is not None
    return (now - moment).total_seconds()


def live_owner(row: OwnerRow | None, token: str | None = None) -> OwnerRow | None:
    """The owner row when it is another live process (not `token`, not this process).

    On this host: alive while its process exists and it was seen in the last
    10 x STALE_SECONDS (a pid the system reused for something else is not the owner; a
    suspended app gets its session taken after that). Elsewhere: seen in STALE_SECONDS.
    """
    if row is None or row.token == token:
        return None
    if row.host == _host():
        if row.pid == os.getpid():
            return None  # this process: a second engine here replaces the first
        alive = _process_exists(int(row.pid)) and _seconds_ago(row.seen_at) < (STALE_SECONDS * 10)
    else:
        alive = _seconds_ago(row.seen_at) < STALE_SECONDS
    return row if alive else None


def in_use_message(session_id: int, row: OwnerRow) -> str:
    where = "this machine" if row.host == _host() else f"host {row.host}"
    ago = _seconds_ago(row.seen_at)
    active = f"active {ago:.0f} s ago" if ago < 3600 else "active over an hour ago"
    return (
        f"session {session_id} is open in another mockint (pid {row.pid} on {where}, "
        f"{active}); continue it there, or quit it first"
    )


def check_free(store: Store, session_id: int) -> None:
    """Raise SessionInUse when another live process has the session open (read only)."""
    row = live_owner(store.owner(session_id))
    if row is not None:
        raise SessionInUse(in_use_message(session_id, row))


@dataclass
class Claim:
    """This process's hold on one session; `token` goes with every write the engine makes."""

    store: Store
    session_id: int
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    def acquire(self) -> Claim:
        """Take the session, or raise SessionInUse; checked and written in one transaction."""
        with self.store.atomic():
            row = live_owner(self.store.owner(self.session_id), self.token)
            if row is not None:
                raise SessionInUse(in_use_message(self.session_id, row))
            self.store.claim_session(self.session_id, self.token, os.getpid(), _host())
        return self

    def heartbeat(self) -> None:
        """Say this process is still here (the app does it every HEARTBEAT_SECONDS)."""
        with self.store.atomic():
            self.store.owner_seen(self.session_id, self.token)

    def release(self) -> None:
        """Let the session go (finished, abandoned, paused or quit)."""
        with self.store.atomic():
            self.store.release_session(self.session_id, self.token)
