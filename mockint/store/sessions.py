"""Sessions: starting one under a key no other session has, reading them back, ending them.

The key (pack, start, grader; see mockint.schema) is what an export carries to recognise a
session on import, so it is made unique here, in the transaction that creates the session.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mockint.rows import SessionRow
from mockint.schema import SESSION_KEY_SQL
from mockint.store.core import inserted_id
from mockint.store.owners import Owners
from mockint.timestamps import iso, now_iso, parse_iso

STATUSES = ("in_progress", "completed", "abandoned")


class Sessions(Owners):
    def create_session(
        self,
        *,
        pack_id: str,
        pack_title: str,
        grader: str,
        question_ids: list[str],
        settings: dict[str, Any],
        pack_path: str | None = None,
        model: str | None = None,
        endpoint: str | None = None,
        started_at: str | None = None,
    ) -> int:
        with self.atomic():
            started_at = self._unique_start(pack_id, grader, started_at or now_iso())
            table = self.db.table("sessions").insert(
                SessionRow.columns(
                    {
                        "pack_id": pack_id,
                        "pack_title": pack_title,
                        "pack_path": pack_path,
                        "started_at": started_at,
                        "status": "in_progress",
                        "grader": grader,
                        "model": model,
                        "endpoint": endpoint,
                        "question_ids": question_ids,
                        "settings": settings,
                    }
                )
            )
            session_id = inserted_id(table)
            self.add_session_key(session_id)
            return session_id

    def add_session_key(self, session_id: int) -> None:
        """Record the key an export of the session carries (see mockint.schema); fails with
        IntegrityError when another session already has it."""
        self.write(
            f"INSERT INTO session_keys (key, session_id) "
            f"SELECT {SESSION_KEY_SQL}, id FROM sessions WHERE id = ?",
            [session_id],
        )

    def _unique_start(self, pack_id: str, grader: str, started_at: str) -> str:
        """`started_at`, or a millisecond later while another session already has that key.

        Two processes starting a session of one pack and grader in the same millisecond would
        share a key, and an import would take the second for the first. Inside the write
        transaction (BEGIN IMMEDIATE) the check cannot race.
        """
        moment = parse_iso(started_at)
        while self.db.execute(
            "SELECT 1 FROM session_keys WHERE key = ? || char(31) || ? || char(31) || ?",
            [pack_id, started_at, grader],
        ).fetchone():
            if moment is None:  # not a timestamp mockint wrote: leave it to the caller
                raise ValueError(f"a session of {pack_id} started at {started_at} exists")
            moment += timedelta(milliseconds=1)
            started_at = iso(moment)
        return started_at

    def session(self, session_id: int) -> SessionRow | None:
        rows = self.rows("SELECT * FROM sessions WHERE id = ?", [session_id])
        return SessionRow.from_row(rows[0]) if rows else None

    def sessions(self, limit: int | None = None) -> list[SessionRow]:
        sql = "SELECT * FROM sessions ORDER BY started_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [SessionRow.from_row(row) for row in self.rows(sql)]

    def resumable_session(self) -> SessionRow | None:
        rows = list(
            self.rows(
                "SELECT * FROM sessions WHERE status = 'in_progress' "
                "ORDER BY started_at DESC, id DESC LIMIT 1"
            )
        )
        return SessionRow.from_row(rows[0]) if rows else None

    def finish_session(
        self, session_id: int, status: str, score: float | None, *, owner: str | None = None
    ) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.atomic():
            self.check_owner(session_id, owner)
            self.db.table("sessions").update(
                session_id, {"status": status, "score": score, "ended_at": now_iso()}
            )

    def update_session(self, session_id: int, **fields: Any) -> None:
        with self.atomic():
            self.db.table("sessions").update(session_id, SessionRow.columns(fields))
