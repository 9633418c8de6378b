"""What every grader returns, and how a score is computed from it.

Graders only judge rubric points (covered / partial / missed, with evidence) and red flags; the
number is always computed here, from the weights, so no grader — least of all an LLM — can hand
us a score directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, TypeVar

from mockint.packs import Question

Verdict = Literal["covered", "partial", "missed"]
VERDICTS: tuple[Verdict, ...] = ("covered", "partial", "missed")
CREDIT: dict[str, float] = {"covered": 1.0, "partial": 0.5, "missed": 0.0}

# (lowest score of the band, band name), highest first
BANDS: tuple[tuple[float, str], ...] = (
    (8.0, "strong hire"),
    (6.5, "hire"),
    (5.0, "lean hire"),
    (3.0, "no hire"),
    (0.0, "strong no hire"),
)


@dataclass
class PointVerdict:
    point_id: str
    verdict: Verdict
    weight: float = 1.0
    evidence: list[str] = field(default_factory=list)
    reason: str = ""
    description: str = ""
    level: str = "core"
    # which turn's answer earned it, when grades of several answers are combined
    turn_id: int | None = None
    # which layer of evidence gave the verdict: "keyword" (the answer's words), "semantic"
    # (said in other words, by sentence similarity), "llm"; empty for grades stored before
    source: str = ""
    # cosine similarity of the best-supporting sentence, when the semantic layer judged it
    similarity: float | None = None
    # the answer's sentence nearest to the point when it is not covered, for coaching
    closest: str = ""


@dataclass
class RedFlagHit:
    flag_id: str
    penalty: float
    evidence: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    calls: int = 0


@dataclass
class Grade:
    question_id: str
    grader: str
    points: list[PointVerdict]
    red_flags: list[RedFlagHit] = field(default_factory=list)
    score: float = 0.0
    band: str = "strong no hire"
    feedback: str = ""
    model: str | None = None
    endpoint: str | None = None
    usage: Usage = field(default_factory=Usage)
    # set when this grade stands in for a grader that failed (e.g. the LLM timed out)
    note: str = ""
    follow_up: str | None = None
    # a second opinion stored beside this grade (the keyword grade beside an LLM grade)
    cross_check: Grade | None = None

    @property
    def covered(self) -> list[PointVerdict]:
        return [p for p in self.points if p.verdict == "covered"]

    @property
    def missed(self) -> list[PointVerdict]:
        return [p for p in self.points if p.verdict == "missed"]

    def to_dict(self) -> dict[str, Any]:
        """The grade as JSON-ready data (see mockint.grading.serial)."""
        from mockint.grading.serial import grade_to_dict

        return grade_to_dict(self)


class Grader(Protocol):
    """Anything that can judge an answer to a question."""

    name: str

    def grade(self, question: Question, answer: str) -> Grade: ...


def grade_follow_up(grader: Grader, question: Question, answer: str) -> Grade:
    """Grade the answer to a follow-up the way this grader grades follow-ups: the offline
    grader reads one as being about the points asked, even where another question of the
    pack covers the same ground (see `OfflineGrader.grade_follow_up`); others as any answer."""
    own_way = getattr(grader, "grade_follow_up", None)
    if own_way is None:
        return grader.grade(question, answer)
    grade: Grade = own_way(question, answer)
    return grade


# A cross-check this far from the grade (on the 0-10 scale) is flagged for a human look.
DISAGREEMENT_POINTS = 4.0


def disagreement(grade: Grade) -> float | None:
    """How far the cross-check (the keyword grade beside an LLM grade) is from the grade.

    None without a cross-check. At DISAGREEMENT_POINTS or more the grade deserves a flag on
    the scorecard: one of the two graders was fooled (keyword stuffing, an injection the LLM
    obeyed, a paraphrase the keyword grader missed) and a person should look.
    """
    if grade.cross_check is None:
        return None
    return round(abs(grade.score - grade.cross_check.score), 1)


class StoredGrade(Protocol):
    """What a stored grade row offers the rules below (mockint.rows.GradeRow)."""

    @property
    def grader(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def latency_ms(self) -> float: ...


G = TypeVar("G", bound=StoredGrade)


def total_usage(rows: Iterable[StoredGrade]) -> Usage:
    """Tokens and model time summed over stored grade rows, e.g. all of a session's.

    Use with `store.session_grades(session_id)`; fallback grades carry the tokens their failed
    attempts cost, so the total is what the session really spent. The store keeps no request
    counts, so `calls` stays 0.
    """
    usage = Usage()
    for row in rows:
        usage.prompt_tokens += int(row.prompt_tokens or 0)
        usage.completion_tokens += int(row.completion_tokens or 0)
        usage.latency_ms += float(row.latency_ms or 0.0)
    return usage


def band_for(score: float) -> str:
    for lowest, name in BANDS:
        if score >= lowest:
            return name
    return BANDS[-1][1]


def compute_score(points: list[PointVerdict], red_flags: list[RedFlagHit]) -> float:
    """Weighted share of rubric credit on 0-10, minus red-flag penalties, one decimal."""
    total = sum(p.weight for p in points)
    if total <= 0:
        return 0.0
    earned = sum(p.weight * CREDIT[p.verdict] for p in points)
    raw = 10.0 * earned / total - sum(f.penalty for f in red_flags)
    return round(min(10.0, max(0.0, raw)), 1)


def finalize(grade: Grade) -> Grade:
    """Fill in score, band and (when empty) feedback from the verdicts."""
    grade.score = compute_score(grade.points, grade.red_flags)
    grade.band = band_for(grade.score)
    if not grade.feedback:
        grade.feedback = describe(grade)
    return grade


def _label(point: PointVerdict) -> str:
    return (point.description or point.point_id).rstrip(".")


def describe(grade: Grade) -> str:
    """Short feedback naming what was covered, partly covered and missed (the missed points
    by weight, the one to add first leading)."""
    covered = [_label(p) for p in grade.points if p.verdict == "covered"]
    partial = [_label(p) for p in grade.points if p.verdict == "partial"]
    missed = sorted((p for p in grade.points if p.verdict == "missed"), key=lambda p: -p.weight)
    lines = []
    if covered:
        lines.append("Covered: " + "; ".join(covered) + ".")
    if partial:
        lines.append("Partly covered: " + "; ".join(partial) + ".")
    if missed:
        # most important first, so the first one named is the one to add first
        lines.append("Missed: " + "; ".join(_label(p) for p in missed) + ".")
    for flag in grade.red_flags:
        lines.append(
            f"Red flag: {(flag.description or flag.flag_id).rstrip('.')} (-{flag.penalty:g})."
        )
    if not lines:
        lines.append("Nothing to judge in this answer.")
    return " ".join(lines)


# The note of an answer that earned nothing (keyword.py). It is dropped wherever a point was
# earned after all: raised by resemblance, or by another answer to the same question.
NOTHING_MATCHES = "Nothing in this answer matches what the question looks for."


def remarks(grade: Grade) -> str:
    """What a grader noticed beyond its verdicts: the notes the offline graders put before the
    summary `describe` writes ("most of this answer is a bare list of keywords", "this answer
    reads as an answer to another question"). Empty when the feedback is only that summary, or
    is something else (a model's advice, shown where there is room for it)."""
    summary = describe(grade)
    feedback = grade.feedback.strip()
    if not feedback.endswith(summary):
        return ""
    return feedback[: len(feedback) - len(summary)].strip()


def combine(question_id: str, graded: list[tuple[int, Grade, tuple[str, ...] | None]]) -> Grade:
    """One grade for a question from the grades of its main answer and follow-up answers.

    `graded` holds (turn id, grade, probed point ids); a follow-up answer only counts for the
    points it probes (None means every point, as for the main answer). Each point keeps its best
    verdict and remembers which turn earned it; red flags from any answer count once.
    """
    best: dict[str, PointVerdict] = {}
    flags: dict[str, RedFlagHit] = {}
    first = graded[0][1]
    for turn_id, grade, probes in graded:
        for point in grade.points:
            if probes is not None and point.point_id not in probes:
                continue
            current = best.get(point.point_id)
            if current is None or CREDIT[point.verdict] > CREDIT[current.verdict]:
                best[point.point_id] = replace(
                    point,
                    evidence=list(point.evidence),
                    turn_id=turn_id if point.verdict != "missed" else None,
                )
        for flag in grade.red_flags:
            flags.setdefault(flag.flag_id, flag)
    order = [p.point_id for p in first.points]
    combined = Grade(
        question_id=question_id,
        grader=first.grader,
        points=[best[pid] for pid in order if pid in best],
        red_flags=list(flags.values()),
        model=first.model,
        endpoint=first.endpoint,
        note=first.note,
    )
    # what the grader noticed in any of the answers stays with the question's grade
    noticed = [remarks(grade) for _, grade, _ in graded]
    if any(p.verdict != "missed" for p in combined.points):
        noticed = [" ".join(said.replace(NOTHING_MATCHES, "").split()) for said in noticed]
    noticed = [said for said in noticed if said]
    if noticed:
        combined.feedback = " ".join([*dict.fromkeys(noticed), describe(combined)])
    return finalize(combined)


def primary_grade(grades: Sequence[G], session_grader: str) -> G | None:
    """The grade that counts for a turn: the newest by the session's grader, else the newest.

    A turn can hold several grades (a cross-check, a fallback, later regrades); none is ever
    overwritten, so "which one counts" is decided here, in one place.
    """
    if not grades:
        return None
    own = [g for g in grades if g.grader == session_grader and not g.note]
    return (own or grades)[-1]
