"""Grades of answers and the candidate's disputes of them.

A dispute ("I covered this") is stored beside the grade it questions, never over it: both
are read together, so they live together.
"""

from __future__ import annotations

import json

from mockint.grading.base import Grade
from mockint.grading.serial import grade_columns, points_from_json
from mockint.rows import DisputeCase, DisputeRow, GradeRow
from mockint.store.core import StoreCore, inserted_id
from mockint.timestamps import now_iso


class Grades(StoreCore):
    def add_grade(self, turn_id: int, grade: Grade, created_at: str | None = None) -> int:
        with self.atomic():
            table = self.db.table("grades").insert(
                GradeRow.columns(
                    {
                        "turn_id": turn_id,
                        **grade_columns(grade),
                        "created_at": created_at or now_iso(),
                    }
                )
            )
            return inserted_id(table)

    def grades(self, turn_id: int) -> list[GradeRow]:
        rows = self.rows("SELECT * FROM grades WHERE turn_id = ? ORDER BY id", [turn_id])
        return [GradeRow.from_row(row) for row in rows]

    def session_grades(self, session_id: int) -> dict[int, list[GradeRow]]:
        """Every grade of a session's turns, by turn id, in one query."""
        rows = self.rows(
            "SELECT g.* FROM grades g JOIN turns t ON t.id = g.turn_id "
            "WHERE t.session_id = ? ORDER BY g.id",
            [session_id],
        )
        result: dict[int, list[GradeRow]] = {}
        for row in rows:
            result.setdefault(row["turn_id"], []).append(GradeRow.from_row(row))
        return result

    # disputes -------------------------------------------------------------------------------

    def dispute(self, grade_id: int, point_id: str, claim: str, note: str = "") -> None:
        """Record the candidate's verdict on one point of a grade, beside it (never in it).

        `claim` is "covered" ("I covered this") or "missed" ("not covered"); a second dispute
        of the same point replaces the first.
        """
        if claim not in ("covered", "missed"):
            raise ValueError(f"a dispute claims 'covered' or 'missed', not {claim!r}")
        with self.atomic():
            self.db.execute(
                "INSERT INTO disputes (grade_id, point_id, claim, note, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (grade_id, point_id) DO UPDATE SET "
                "claim = excluded.claim, note = excluded.note, created_at = excluded.created_at",
                [grade_id, point_id, claim, note, now_iso()],
            )

    def withdraw_dispute(self, grade_id: int, point_id: str) -> None:
        with self.atomic():
            self.db.execute(
                "DELETE FROM disputes WHERE grade_id = ? AND point_id = ?", [grade_id, point_id]
            )

    def session_disputes(self, session_id: int) -> dict[int, dict[str, DisputeRow]]:
        """Disputes of a session's grades: grade id -> point id -> the dispute."""
        rows = self.rows(
            "SELECT d.* FROM disputes d JOIN grades g ON g.id = d.grade_id "
            "JOIN turns t ON t.id = g.turn_id WHERE t.session_id = ? ORDER BY d.id",
            [session_id],
        )
        result: dict[int, dict[str, DisputeRow]] = {}
        for row in rows:
            result.setdefault(row["grade_id"], {})[row["point_id"]] = DisputeRow.from_row(row)
        return result

    def all_disputes(self) -> list[DisputeCase]:
        """Every dispute with what it is about (question, answer, the disputed verdict)."""
        rows = self.rows(
            "SELECT d.point_id, d.claim, d.note, d.created_at, g.grader, g.points, "
            "t.question_id, t.answer, t.kind, s.pack_id, s.settings, s.id AS session_id "
            "FROM disputes d JOIN grades g ON g.id = d.grade_id JOIN turns t ON t.id = g.turn_id "
            "JOIN sessions s ON s.id = t.session_id ORDER BY d.id"
        )
        cases = []
        for row in rows:
            verdicts = {p.point_id: p.verdict for p in points_from_json(row.pop("points"))}
            settings = json.loads(row.pop("settings"))
            verdict = verdicts.get(row["point_id"])
            cases.append(DisputeCase(**row, settings=settings, verdict=verdict))
        return cases
