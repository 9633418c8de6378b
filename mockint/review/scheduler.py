"""Spaced practice: which questions are due, fed by the grades (FSRS, the `fsrs` package).

Why FSRS rather than SM-2: interview practice is irregular — people practise when an interview
nears, not on the day a card falls due. SM-2 assumes each review happens on schedule and just
multiplies an interval; FSRS models memory (stability, difficulty, retrievability) and uses the
real time since the last attempt, so a late or early session still moves the card correctly.
The maintained `fsrs` package does the arithmetic; grades map to its four ratings by the hire
bands (see `rating_for`). Fuzzing is off (the same history always gives the same schedule) and
there are no minute-long learning steps: a question is practised in a session, not flipped like
a flash card, so a failed one comes back the next day.

Where the cards come from: computed from stored grades, not updated by a hook when a session
ends. Every finished session's question scores are in `question_results` (see results.py); a
card is brought forward with the results it has not seen yet, and rebuilt from the whole
history when one arrived out of order (an import of older sessions, a regrade of an old one).
So regrades and imports feed the scheduler with no extra code path, a crash between "session
finished" and "card updated" cannot lose a review, and `question_reviews` is only a cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from fsrs import Card, Rating, Scheduler

from mockint.packs import Pack
from mockint.review import queries
from mockint.review.results import refresh
from mockint.store import Store
from mockint.timestamps import local_minute, parse_iso

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
RECENT_ATTEMPTS = 5  # focus points come from this many latest attempts at a question


def rating_for(score: float, skipped: bool = False) -> Rating:
    """Hire bands to FSRS ratings: strong hire = Easy, hire = Good, lean hire = Hard, else Again."""
    if skipped or score < 5.0:
        return Rating.Again
    if score < 6.5:
        return Rating.Hard
    if score < 8.0:
        return Rating.Good
    return Rating.Easy


@dataclass
class CardState:
    question_id: str
    card: Card
    reviews: int
    seen_result_id: int
    last_score: float | None

    @property
    def due(self) -> datetime:
        return self.card.due

    def retrievability(self, now: datetime) -> float:
        return SCHEDULER.get_card_retrievability(self.card, now.astimezone(UTC))


def _utc(value: str) -> datetime:
    moment = parse_iso(value)
    assert moment is not None
    return moment.astimezone(UTC)


def _fold(
    state: CardState | None, question_id: str, rows: list[tuple[int, str, float, int]]
) -> CardState:
    """Apply result rows (id, at, score, skipped), in time order, to a card (None: a new one)."""
    if state is None:
        first = _utc(rows[0][1])
        state = CardState(question_id, Card(card_id=1, due=first), 0, 0, None)
    card = state.card
    for result_id, at, score, skipped in rows:
        card, _ = SCHEDULER.review_card(card, rating_for(score, bool(skipped)), _utc(at))
        state.reviews += 1
        state.seen_result_id = max(state.seen_result_id, result_id)
        state.last_score = score
    state.card = card
    return state


def sync_cards(store: Store, pack_id: str, *, refreshed: bool = False) -> dict[str, CardState]:
    """The card of every question of the pack that has results, brought up to date.

    `refreshed`: the caller has just run results.refresh (skip the second anti-join)."""
    if not refreshed:
        refresh(store)
    cached = {
        question_id: CardState(question_id, Card.from_json(card), reviews, seen, last_score)
        for question_id, card, reviews, seen, last_score in queries.stored_cards(store, pack_id)
    }
    cards: dict[str, CardState] = {}
    with store.atomic():  # one commit for every card brought forward
        for question_id, total, max_id in queries.result_counts(store, pack_id):
            state = cached.get(question_id)
            if state is not None and state.reviews == total and state.seen_result_id == max_id:
                cards[question_id] = state
                continue
            cards[question_id] = _bring_forward(store, pack_id, question_id, state)
    return cards


def _bring_forward(
    store: Store, pack_id: str, question_id: str, state: CardState | None
) -> CardState:
    if state is not None:
        new_rows = queries.attempts_after(store, pack_id, question_id, state.seen_result_id)
        old = queries.attempts_up_to(store, pack_id, question_id, state.seen_result_id)
        last = state.card.last_review
        in_order = last is None or all(_utc(row[1]) >= last for row in new_rows)
        if old == state.reviews and in_order:
            state = _fold(state, question_id, new_rows) if new_rows else state
            _save(store, pack_id, state)
            return state
    rows = queries.attempts_after(store, pack_id, question_id)
    state = _fold(None, question_id, rows)
    _save(store, pack_id, state)
    return state


def _save(store: Store, pack_id: str, state: CardState) -> None:
    card = state.card
    with store.atomic():
        queries.save_card(
            store,
            pack_id,
            state.question_id,
            card=card.to_json(),
            due=card.due.isoformat(),
            last_review=card.last_review.isoformat() if card.last_review else None,
            reviews=state.reviews,
            seen_result_id=state.seen_result_id,
            last_score=state.last_score,
        )


@dataclass
class PlannedQuestion:
    question_id: str
    status: Literal["due", "new", "later"]
    due: datetime | None
    reviews: int
    last_score: float | None
    retrievability: float | None
    focus: list[str] = field(default_factory=list)  # rubric point ids, most missed first
    misses: dict[str, int] = field(default_factory=dict)  # point id -> recent misses


def end_of_day(now: datetime) -> datetime:
    """Due means due today: the end of `now`'s local day, so the time of day practised matters
    less than the day (a question due at 14:00 is due at 09:00 the same day)."""
    local = now.astimezone()
    return (
        local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    ).astimezone(UTC)


def practice_plan(store: Store, pack: Pack, now: datetime | None = None) -> list[PlannedQuestion]:
    """Every question of the pack, due ones first (most-missed points first, then the most
    overdue), then never-practised ones in pack order, then the rest by due date."""
    now = now or datetime.now(UTC)
    horizon = end_of_day(now)
    cards = sync_cards(store, pack.id)
    due: list[tuple[tuple[float, datetime], PlannedQuestion]] = []
    new: list[PlannedQuestion] = []
    later: list[PlannedQuestion] = []
    for question in pack.questions:
        state = cards.get(question.id)
        if state is None:
            new.append(PlannedQuestion(question.id, "new", None, 0, None, None))
            continue
        misses = queries.recent_point_misses(store, pack.id, question.id, RECENT_ATTEMPTS)
        known = {p.id: p.weight for p in question.rubric}
        ranked = sorted(
            (pid for pid in misses if pid in known or not known),
            key=lambda pid: (-misses[pid][0], -misses[pid][1], -known.get(pid, 0.0)),
        )
        planned = PlannedQuestion(
            question_id=question.id,
            status="due" if state.due <= horizon else "later",
            due=state.due,
            reviews=state.reviews,
            last_score=state.last_score,
            retrievability=round(state.retrievability(now), 3),
            focus=ranked,
            misses={pid: misses[pid][0] for pid in ranked},
        )
        if planned.status == "due":
            top = misses[ranked[0]][0] + 0.5 * misses[ranked[0]][1] if ranked else 0.0
            due.append(((-top, state.due), planned))
        else:
            later.append(planned)
    due.sort(key=lambda item: item[0])
    later.sort(key=lambda p: p.due or now)
    return [p for _, p in due] + new + later


def due_plan(
    store: Store,
    pack: Pack,
    limit: int = 5,
    now: datetime | None = None,
    *,
    include_new: bool = True,
) -> tuple[list[str], dict[str, list[str]]]:
    """Question ids for a practice session and the rubric points its follow-ups aim at first.

    Due questions come first, those with the most-missed points first; never-practised ones
    fill the remaining places when `include_new`. An empty list means nothing is due (see
    `practice_plan` for when the next question falls due). Pass the result to
    `InterviewOptions(question_ids=tuple(ids), focus=focus)`.
    """
    plan = practice_plan(store, pack, now)
    wanted = {"due", "new"} if include_new else {"due"}
    chosen = [p for p in plan if p.status in wanted][: max(0, limit)]
    return [p.question_id for p in chosen], {p.question_id: p.focus for p in chosen if p.focus}


def due_summary(
    store: Store, pack_id: str, now: datetime | None = None, *, refreshed: bool = False
) -> dict[str, object]:
    """Due now / practised / next due for a pack id (no pack file needed), for stats."""
    now = now or datetime.now(UTC)
    cards = sync_cards(store, pack_id, refreshed=refreshed)
    horizon = end_of_day(now)
    due_now = sorted(q for q, c in cards.items() if c.due <= horizon)
    upcoming = [c.due for c in cards.values() if c.due > horizon]
    return {
        "due_now": due_now,
        "practised": len(cards),
        "next_due": min(upcoming).isoformat() if upcoming else None,
    }


def nothing_due_message(store: Store, pack: Pack, now: datetime | None = None) -> str:
    """What to tell someone who asked for due questions when none is due (one line)."""
    plan = practice_plan(store, pack, now)
    later = [p for p in plan if p.status == "later" and p.due is not None]
    if not later:
        return (
            f"Nothing is due in pack {pack.id}: none of its {len(pack.questions)} questions has "
            "been practised yet; start an interview first."
        )
    first = min(later, key=lambda p: p.due or datetime.max.replace(tzinfo=UTC))
    when = local_minute(first.due) if first.due else "?"
    return (
        f"Nothing is due in pack {pack.id}: the next question ({first.question_id}) is due {when}."
    )
