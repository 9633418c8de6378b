"""A Grade as JSON-ready data and back: the one mapping between the dataclasses and the dicts.

The dict of a rubric point and of a red flag is the format of the store's `grades.points` and
`grades.red_flags` columns, of a grade in an export file, of `show --json` and `grade --json`.
Keys are only ever added, each with a default here, so what any earlier mockint stored or
exported still parses. `grade_columns` is the whole row the store writes for a grade, and
`grade_to_dict` what `grade --json` prints; both start from the same summary fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from mockint.credentials import scrub_url
from mockint.grading.base import Grade, PointVerdict, RedFlagHit, disagreement


def point_to_dict(point: PointVerdict) -> dict[str, Any]:
    return {
        "id": point.point_id,
        "verdict": point.verdict,
        "weight": point.weight,
        "level": point.level,
        "description": point.description,
        "evidence": list(point.evidence),
        "reason": point.reason,
        "turn_id": point.turn_id,
        "source": point.source,
        "similarity": point.similarity,
        "closest": point.closest,
    }


def point_from_dict(data: Mapping[str, Any]) -> PointVerdict:
    return PointVerdict(
        point_id=data["id"],
        verdict=data["verdict"],
        weight=data.get("weight", 1.0),
        evidence=list(data.get("evidence") or []),
        reason=data.get("reason") or "",
        description=data.get("description") or "",
        level=data.get("level") or "core",
        turn_id=data.get("turn_id"),
        source=data.get("source") or "",
        similarity=data.get("similarity"),
        closest=data.get("closest") or "",
    )


def flag_to_dict(flag: RedFlagHit) -> dict[str, Any]:
    return {
        "id": flag.flag_id,
        "penalty": flag.penalty,
        "description": flag.description,
        "evidence": list(flag.evidence),
    }


def flag_from_dict(data: Mapping[str, Any]) -> RedFlagHit:
    return RedFlagHit(
        flag_id=data["id"],
        penalty=data.get("penalty", 0.0),
        evidence=list(data.get("evidence") or []),
        description=data.get("description") or "",
    )


def points_json(points: Iterable[PointVerdict]) -> str:
    """The text of the store's `grades.points` column."""
    return json.dumps([point_to_dict(p) for p in points])


def flags_json(flags: Iterable[RedFlagHit]) -> str:
    """The text of the store's `grades.red_flags` column."""
    return json.dumps([flag_to_dict(f) for f in flags])


def points_from_json(text: str) -> list[PointVerdict]:
    return [point_from_dict(p) for p in json.loads(text)]


def flags_from_json(text: str) -> list[RedFlagHit]:
    return [flag_from_dict(f) for f in json.loads(text)]


def _summary(grade: Grade) -> dict[str, Any]:
    """Who graded and what they concluded: the fields every form of a grade carries."""
    return {
        "grader": grade.grader,
        "model": grade.model,
        "endpoint": scrub_url(grade.endpoint),
        "score": grade.score,
        "band": grade.band,
        "feedback": grade.feedback,
        "note": grade.note,
    }


def grade_columns(grade: Grade) -> dict[str, Any]:
    """A grade as the store's `grades` row holds it, bar `turn_id` and `created_at` (the
    question, follow-up and cross-check live elsewhere or not at all)."""
    return {
        **_summary(grade),
        "points": points_json(grade.points),
        "red_flags": flags_json(grade.red_flags),
        "prompt_tokens": grade.usage.prompt_tokens,
        "completion_tokens": grade.usage.completion_tokens,
        "latency_ms": grade.usage.latency_ms,
    }


def grade_to_dict(grade: Grade) -> dict[str, Any]:
    """A fresh grade as `grade --json` prints it (with usage and the cross-check's summary)."""
    cross = grade.cross_check
    return {
        "question_id": grade.question_id,
        **_summary(grade),
        "follow_up": grade.follow_up,
        "points": [point_to_dict(p) for p in grade.points],
        "red_flags": [flag_to_dict(f) for f in grade.red_flags],
        "usage": {
            "prompt_tokens": grade.usage.prompt_tokens,
            "completion_tokens": grade.usage.completion_tokens,
            "latency_ms": round(grade.usage.latency_ms, 1),
            "calls": grade.usage.calls,
        },
        "cross_check": (
            {
                "grader": cross.grader,
                "score": cross.score,
                "band": cross.band,
                "disagreement": disagreement(grade),
            }
            if cross is not None
            else None
        ),
    }
