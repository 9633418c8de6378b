"""Which questions a session asks, with which options, and which follow-up comes next.

Plain decisions over a pack, a stored session or a scorecard: drawing questions, picking them
by id or topic tag, a practice round on the weak ones, and the follow-up for an answer's most
important gap. The engine (interview.py) applies them; keeping them apart lets the command
line and the screens ask "what would this session contain?" without running one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

from mockint.errors import UserError
from mockint.grading.base import Grade
from mockint.locations import user_packs_dir
from mockint.packs import FollowUp, Pack, PackError, Question, load_pack, resolve_pack
from mockint.scorecard import Scorecard
from mockint.store import SessionRow, Store


@dataclass(frozen=True)
class InterviewOptions:
    """How a session runs. Stored in the session's settings, so a resume runs the same way."""

    questions: int = 5
    seed: int | None = None
    timed: bool = True
    question_minutes: float = 5.0
    coach: bool = False
    max_follow_ups: int = 2
    question_ids: tuple[str, ...] | None = None
    # rubric point ids per question that follow-ups should aim at first (spaced practice)
    focus: dict[str, list[str]] = field(default_factory=dict)


def choose_questions(pack: Pack, count: int, seed: int | None) -> list[str]:
    """Draw `count` questions without repeats; the same seed gives the same order."""
    ids = [q.id for q in pack.questions]
    rng = random.Random(seed)
    rng.shuffle(ids)
    return ids[: max(1, min(count, len(ids)))]


def pick_questions(
    pack: Pack,
    *,
    question_ids: tuple[str, ...] = (),
    tag: str | None = None,
    count: int | None = None,
    seed: int | None = None,
) -> list[str]:
    """The questions of a session asked for by id (in that order) or by topic tag.

    A tag matches a question's tags regardless of case; `count` of the tagged questions are
    drawn like any session (all of them when None). Raises UserError naming what exists when
    an id or tag is unknown, so the command line can say it in one line.
    """
    if question_ids:
        unknown = [qid for qid in question_ids if pack.question(qid) is None]
        if unknown:
            known = ", ".join(q.id for q in pack.questions)
            raise UserError(
                f"pack {pack.id} has no question {', '.join(unknown)} (its questions: {known})"
            )
        return list(dict.fromkeys(question_ids))
    if tag is None:
        return choose_questions(pack, count or len(pack.questions), seed)
    wanted = tag.casefold()
    tagged = [q.id for q in pack.questions if wanted in (t.casefold() for t in q.tags)]
    if not tagged:
        tags = sorted({t for q in pack.questions for t in q.tags})
        hint = f"its tags: {', '.join(tags)}" if tags else "its questions have no tags"
        raise UserError(f"no question of pack {pack.id} is tagged {tag!r} ({hint})")
    rng = random.Random(seed)
    rng.shuffle(tagged)
    return tagged[: count or len(tagged)]


def options_from_session(session: SessionRow) -> InterviewOptions:
    """The options a stored session was started with (its settings column)."""
    settings = session.settings
    return InterviewOptions(
        questions=len(session.question_ids),
        seed=settings.get("seed"),
        timed=settings.get("timed", True),
        question_minutes=settings.get("question_minutes", 5.0),
        coach=settings.get("coach", False),
        max_follow_ups=settings.get("max_follow_ups", 2),
        focus=settings.get("focus", {}),
    )


def session_pack(session: SessionRow) -> Pack:
    """The pack a stored session was run with: its file if still there, else the pack by id.

    Raises UserError (PackError) when neither can be loaded, so front ends can say so plainly.
    """
    path = session.pack_path
    if path and Path(path).is_file():
        return load_pack(Path(path))
    try:
        pack, _ = resolve_pack(session.pack_id)
    except PackError:  # found, but broken: its own message names the file and the field
        raise
    except UserError:
        # resolve_pack's own advice ("give an id or a .toml path") fits `run`, not a stored
        # session: say which file is missing and where a copy would be found.
        gone = f"{path} is missing and " if path else ""
        raise UserError(
            f"pack {session.pack_id!r} is not found: {gone}no pack folder holds it; "
            f"put the file back, or a copy in {user_packs_dir()}"
        ) from None
    return pack


# Practising again picks questions that scored below this (below "hire"): a question answered
# at hire level or better has nothing pressing to practise.
PRACTICE_BELOW = 6.5


def practice_options(
    card: Scorecard, base: InterviewOptions, limit: int = 3
) -> InterviewOptions | None:
    """A new session on the questions that scored below hire, weakest first (at most `limit`);
    None when every question reached hire or better.

    Follow-ups aim first at what each of those answers missed (the `focus` of the options), so
    practising again works on the gaps rather than repeating what went well.
    """
    weak = [r for r in card.results if r.grade is None or r.grade.score < PRACTICE_BELOW]
    if not weak:
        return None
    ranked = sorted(weak, key=lambda r: r.grade.score if r.grade else 0.0)
    chosen = ranked[: max(1, limit)]
    focus = {
        r.question.id: [p.point_id for p in r.grade.points if p.verdict != "covered"]
        if r.grade
        else []
        for r in chosen
    }
    return replace(
        base,
        questions=len(chosen),
        seed=None,
        question_ids=tuple(r.question.id for r in chosen),
        focus=focus,
    )


def session_position(store: Store, session_id: int) -> tuple[int, int]:
    """(question number from 1, number of questions) of where a session stands, for a resume
    label; the number is that of the last question opened."""
    session = store.session(session_id)
    if session is None:
        raise ValueError(f"no session {session_id}")
    ids = session.question_ids
    turns = store.turns(session_id)
    if not turns or turns[-1].question_id not in ids:
        return (1, len(ids))
    return (ids.index(turns[-1].question_id) + 1, len(ids))


def pick_follow_up(
    question: Question,
    grade: Grade,
    asked: list[tuple[str, ...]],
    focus: list[str] | None = None,
) -> FollowUp | None:
    """The pack's follow-up for the most important gap, or depth on a senior point.

    Gaps (points not covered) are ranked focus points first (spaced practice), then missed
    before partial, then by weight; a follow-up is never asked twice. When there are gaps but
    none has an unasked follow-up, none is asked. When every point is covered, a follow-up on a
    senior-level point asks for depth; with no such follow-up, none is asked.
    """
    asked_texts = set(asked)
    verdicts = {p.point_id: p.verdict for p in grade.points}
    focus = focus or []

    def rank(point_id: str) -> tuple[int, float]:
        point = question.point(point_id)
        weight = point.weight if point else 0.0
        return (0 if point_id in focus else 1, -weight)

    gaps = sorted(
        (pid for pid, verdict in verdicts.items() if verdict != "covered"),
        key=lambda pid: (rank(pid)[0], verdicts[pid] != "missed", rank(pid)[1]),
    )
    unasked = [f for f in question.follow_ups if f.probes not in asked_texts]
    for point_id in gaps:
        for follow_up in unasked:
            if point_id in follow_up.probes:
                return follow_up
    if gaps:
        return None
    senior = {p.id for p in question.rubric if p.level == "senior"}
    for follow_up in unasked:
        if senior.intersection(follow_up.probes):
            return follow_up
    return None
