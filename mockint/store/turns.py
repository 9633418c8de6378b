"""Turns — a question shown and the answer typed — and the draft of an answer not yet sent.

The draft lives here, not apart, because it and the answer are one thing at two moments:
sending the answer drops the draft in the same transaction, so a crash between the two can
neither lose the answer nor leave a stale draft that would be offered again on resume.
"""

from __future__ import annotations

from mockint.rows import DraftRow, TurnRow
from mockint.store.core import inserted_id
from mockint.store.owners import Owners, SessionTaken
from mockint.timestamps import now_iso


class Turns(Owners):
    def start_turn(
        self,
        session_id: int,
        *,
        question_id: str,
        kind: str,
        prompt: str,
        seq: int,
        probes: list[str] | tuple[str, ...] = (),
        budget_seconds: float | None = None,
        started_at: str | None = None,
        owner: str | None = None,
    ) -> int:
        """Open a turn. For an engine (`owner` given) the session must have no open turn:
        a question is never opened twice, whatever another process did meanwhile."""
        with self.atomic():
            self.check_owner(session_id, owner)
            if (
                owner is not None
                and self.db.execute(
                    "SELECT 1 FROM turns WHERE session_id = ? AND submitted_at IS NULL",
                    [session_id],
                ).fetchone()
            ):
                raise SessionTaken(
                    f"session {session_id} already has an open question (opened by another "
                    "mockint); resume the session to continue it"
                )
            table = self.db.table("turns").insert(
                TurnRow.columns(
                    {
                        "session_id": session_id,
                        "question_id": question_id,
                        "kind": kind,
                        "prompt": prompt,
                        "seq": seq,
                        "probes": list(probes),
                        "budget_seconds": budget_seconds,
                        "started_at": started_at or now_iso(),
                    }
                )
            )
            return inserted_id(table)

    def submit_answer(
        self,
        turn_id: int,
        answer: str,
        *,
        skipped: bool = False,
        submitted_at: str | None = None,
        owner: str | None = None,
    ) -> None:
        """Store the answer and drop the draft in one transaction: the answer is never lost.

        Only an open turn takes an answer: one already answered (by another process, say) is
        never overwritten; that is an error the caller shows, keeping the text.
        """
        with self.atomic():
            row = self.db.execute("SELECT session_id FROM turns WHERE id = ?", [turn_id]).fetchone()
            if row is None:
                raise ValueError(f"no turn {turn_id}")
            self.check_owner(row[0], owner)
            cursor = self.db.execute(
                "UPDATE turns SET answer = ?, skipped = ?, submitted_at = ? "
                "WHERE id = ? AND submitted_at IS NULL",
                [answer, int(skipped), submitted_at or now_iso(), turn_id],
            )
            if cursor.rowcount == 0:
                raise SessionTaken(
                    f"this question was already answered (turn {turn_id}, perhaps in another "
                    "mockint); your answer was not stored: it stays on screen"
                )
            self.db.execute("DELETE FROM drafts WHERE turn_id = ?", [turn_id])

    def set_turn_started(self, turn_id: int, started_at: str, *, owner: str | None = None) -> None:
        """Move a turn's start (on resume) so the time spent away is not counted."""
        with self.atomic():
            row = self.db.execute("SELECT session_id FROM turns WHERE id = ?", [turn_id]).fetchone()
            if row is not None:
                self.check_owner(row[0], owner)
            self.db.table("turns").update(turn_id, {"started_at": started_at})

    def turn(self, turn_id: int) -> TurnRow | None:
        rows = self.rows("SELECT * FROM turns WHERE id = ?", [turn_id])
        return TurnRow.from_row(rows[0]) if rows else None

    def turns(self, session_id: int) -> list[TurnRow]:
        rows = self.rows("SELECT * FROM turns WHERE session_id = ? ORDER BY seq, id", [session_id])
        return [TurnRow.from_row(row) for row in rows]

    def mark_needs_regrade(self, turn_id: int, needed: bool = True) -> None:
        with self.atomic():
            self.db.table("turns").update(turn_id, {"needs_regrade": int(needed)})

    def turns_needing_regrade(self) -> list[TurnRow]:
        rows = self.rows("SELECT * FROM turns WHERE needs_regrade = 1 ORDER BY id")
        return [TurnRow.from_row(row) for row in rows]

    # drafts ---------------------------------------------------------------------------------

    def save_draft(
        self, session_id: int, turn_id: int, text: str, *, owner: str | None = None
    ) -> None:
        with self.atomic():
            self.check_owner(session_id, owner)
            self.db.table("drafts").upsert(
                {"session_id": session_id, "turn_id": turn_id, "text": text, "saved_at": now_iso()},
                pk="session_id",
            )

    def draft(self, session_id: int) -> DraftRow | None:
        rows = self.rows("SELECT * FROM drafts WHERE session_id = ?", [session_id])
        return DraftRow.from_row(rows[0]) if rows else None
