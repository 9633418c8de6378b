"""One writer per session, as the store keeps it: the `session_owners` row and the check that
guards every engine write.

When a process may hold a session (alive, stale, on which host) is mockint.ownership's
business; here a claim is a row, and a write that carries a token is refused in its own
transaction unless the token still holds the session. The check lives beside the claim so the
two cannot drift apart; the other parts of the store call `check_owner` inside their writes.
"""

from __future__ import annotations

from mockint.dberrors import StoreError
from mockint.rows import OwnerRow
from mockint.store.core import StoreCore
from mockint.timestamps import now_iso


class SessionTaken(StoreError):
    """A write by an engine whose claim on the session another process has since taken."""


class Owners(StoreCore):
    def check_owner(self, session_id: int, owner: str | None) -> None:
        """Inside a write: `owner` (a mockint.ownership token) must still hold the session;
        the write also counts as a sign of life. None: a writer outside any engine (import,
        regrade, tests), not checked."""
        if owner is None:
            return
        if not self.owner_seen(session_id, owner):
            raise SessionTaken(
                f"session {session_id} was taken over by another mockint; nothing more is "
                "saved from here (what you typed stays on screen: copy it before you quit)"
            )

    def owner(self, session_id: int) -> OwnerRow | None:
        rows = self.rows("SELECT * FROM session_owners WHERE session_id = ?", [session_id])
        return OwnerRow.from_row(rows[0]) if rows else None

    def claim_session(self, session_id: int, token: str, pid: int, host: str) -> None:
        """Record `token` (pid on host) as the session's owner, replacing any other."""
        now = now_iso()
        self.write(
            "INSERT OR REPLACE INTO session_owners "
            "(session_id, token, pid, host, claimed_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            [session_id, token, pid, host, now, now],
        )

    def owner_seen(self, session_id: int, token: str) -> bool:
        """A sign of life from the owner `token`; False when it no longer holds the session."""
        with self._lock:
            cursor = self.db.execute(
                "UPDATE session_owners SET seen_at = ? WHERE session_id = ? AND token = ?",
                [now_iso(), session_id, token],
            )
            return cursor.rowcount > 0

    def release_session(self, session_id: int, token: str) -> None:
        self.write(
            "DELETE FROM session_owners WHERE session_id = ? AND token = ?", [session_id, token]
        )
