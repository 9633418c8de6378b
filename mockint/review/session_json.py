"""A session as `mockint show --json` prints it: every turn with every grade, the candidate's
disputes, the unsent draft of a session in progress, the model's usage, and per-question
results when the pack still loads.

Grades go through mockint.grading.serial, as the store and the export format do, so a point
reads the same in the database, an export file and this output.
"""

from __future__ import annotations

from typing import Any

from mockint.credentials import scrub_settings, scrub_url
from mockint.errors import UserError
from mockint.grading.base import total_usage
from mockint.grading.serial import flag_to_dict, point_to_dict
from mockint.review import history
from mockint.review.transcript import draft_turn
from mockint.scorecard import build_scorecard, seconds_between
from mockint.store import DisputeRow, DraftRow, GradeRow, SessionRow, Store, TurnRow

_GRADE_KEYS = (
    "grader",
    "model",
    "endpoint",
    "score",
    "band",
    "feedback",
    "note",
    "created_at",
    "prompt_tokens",
    "completion_tokens",
    "latency_ms",
)


def grade_json(grade: GradeRow, disputes: dict[str, DisputeRow] | None = None) -> dict[str, Any]:
    """A stored grade with the candidate's disputes of its points."""
    return {
        **{key: getattr(grade, key) for key in _GRADE_KEYS},
        "endpoint": scrub_url(grade.endpoint),  # a database written before the store scrubbed
        "points": [point_to_dict(p) for p in grade.points],
        "red_flags": [flag_to_dict(f) for f in grade.red_flags],
        "disputes": [
            {"point": d.point_id, "claim": d.claim, "note": d.note}
            for d in (disputes or {}).values()
        ],
    }


def _turn_json(
    turn: TurnRow,
    grades: list[GradeRow],
    disputes: dict[int, dict[str, DisputeRow]],
    draft: DraftRow | None,
) -> dict[str, Any]:
    return {
        "id": turn.id,
        "kind": turn.kind,
        "question_id": turn.question_id,
        "prompt": turn.prompt,
        "answer": turn.answer,
        "skipped": turn.skipped,
        "probes": list(turn.probes),
        "started_at": turn.started_at,
        "submitted_at": turn.submitted_at,
        "seconds_used": round(seconds_between(turn.started_at, turn.submitted_at), 1),
        "budget_seconds": turn.budget_seconds,
        "grades": [grade_json(g, disputes.get(g.id)) for g in grades],
        # the unsent draft of a turn still waiting for its answer (what autosave kept)
        "draft": {"text": draft.text, "saved_at": draft.saved_at} if draft else None,
    }


def session_json(store: Store, session: SessionRow) -> dict[str, Any]:
    """The session with every turn and its grades; per-question results when the pack loads."""
    from mockint.session_plan import session_pack

    grades = store.session_grades(session.id)
    disputes = store.session_disputes(session.id)
    row = history.one(store, session.id)
    data: dict[str, Any] = {
        **(row.as_json() if row else {}),
        "question_ids": list(session.question_ids),
    }
    usage = total_usage(g for rows in grades.values() for g in rows)
    turns = store.turns(session.id)
    draft = store.draft(session.id)
    drafted = draft_turn(draft, turns)
    data.update(
        # scrubbed again: a database written before the store scrubbed may hold credentials
        settings=scrub_settings(session.settings),
        endpoint=scrub_url(session.endpoint),
        usage={
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "model_seconds": round(usage.latency_ms / 1000, 1),
        },
        turns=[
            _turn_json(t, grades.get(t.id, []), disputes, draft if t.id == drafted else None)
            for t in turns
        ],
    )
    try:
        card = build_scorecard(store, session_pack(session), session.id)
    except UserError:
        return data
    data["results"] = [
        {
            "question_id": r.question.id,
            "score": r.grade.score if r.grade else 0.0,
            "band": r.grade.band if r.grade else None,
            "skipped": r.skipped,
            "seconds_used": round(r.seconds_used, 1),
            "budget_seconds": r.budget_seconds,
            "points": [point_to_dict(p) for p in r.grade.points] if r.grade else [],
            "cross_check_score": r.cross_check_score,
            "disagreement": r.disagreement,
        }
        for r in card.results
    ]
    return data
