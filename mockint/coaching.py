"""Coaching: turn a grade into what a candidate can act on, point by point.

A checklist of ✓ and ✗ says what was missed; coaching says why it matters, where the answer
came closest, and what a strong answer says instead. For every rubric point missed or partly
covered:

- why it matters: its share of the question's score, and whether it is a senior-level signal;
- the candidate's own sentence nearest to it: the grader's `closest` when it gave one, else
  the sentence holding the partial evidence, else the sentence sharing the most content words
  with the point's terms and description (a lexical stand-in: it finds the sentence on topic,
  not one that says the point);
- what a strong answer says: the model-answer outline line that best matches the point;
- when the answer has the point's words but the grader did not count them (negated, in a bare
  list of keywords, addressed to the grader, about another question), the grader's reason.

A point the semantic layer credited is "said in other words", quoted, never shown as if its
keywords had been found. A question with only a reference answer has no rubric to coach
from: its reference answer is shown instead. UI-free (no textual): the coach panel and the
scorecard render these records, tests read them directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from mockint.grading.base import Grade, PointVerdict
from mockint.grading.text import analyse, is_content, stem
from mockint.packs import Question, RubricPoint

# Words rubric descriptions use to say what the candidate does ("Describes the failover
# order", "Names the capabilities"): they say nothing about the topic, so they never make a
# sentence look related to a point.
_RUBRIC_VERB_TEXT = """
    describes describe names name knows know explains explain mentions mention recognises
    recognizes recognise offers offer gives give ties tie weighs weigh sees see says say states
    state defines define understands understand identifies identify answer answers candidate
    point points
"""
_RUBRIC_VERBS = frozenset(stem(word) for word in _RUBRIC_VERB_TEXT.split())
QUOTE_CHARS = 220  # a quoted sentence longer than this is cut with "…"
MIN_OVERLAP = 2  # a term word counts 2, a description word 1: one term word is enough
# How the offline graders' reasons begin when the answer has a point's words but they did not
# count (keyword.py, offline.py): the coach says why, never "your answer did not get to it".
_NOT_CREDITED = (
    "negated",
    "only in a bare list",
    "only inside text addressed",
    "the answer is about another question",
)


@dataclass(frozen=True)
class PointCoaching:
    """What to tell the candidate about one rubric point."""

    point_id: str
    verdict: str  # "partial" or "missed"
    description: str
    senior: bool
    share: float  # of the question's total weight, 0-1
    said: str  # the candidate's nearest sentence, "" when nothing came near
    strong: str  # the model-answer line for this point, "" when none matches
    # why the grader withheld a point whose words the answer has ("negated: 'same pod'")
    not_credited: str = ""

    @property
    def why(self) -> str:
        text = f"{self.share:.0%} of this question's score"
        return text + ("; a senior-level signal" if self.senior else "")


@dataclass(frozen=True)
class Coaching:
    """The coaching of one question's (combined) grade."""

    intent: str
    points: list[PointCoaching] = field(default_factory=list)  # missed first, most weight first
    reference_answer: str = ""  # shown for a question graded from its reference answer only
    outline: tuple[str, ...] = ()


def quote(sentence: str) -> str:
    """One line of the candidate's words, cut to QUOTE_CHARS."""
    text = " ".join(sentence.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


@lru_cache(maxsize=4096)
def _topic_stems(text: str) -> frozenset[str]:
    doc = analyse(text)
    return frozenset(
        s
        for w, s in zip(doc.words, doc.stems, strict=True)
        if is_content(w) and s not in _RUBRIC_VERBS
    )


def _sentences(answers: Iterable[str]) -> list[tuple[str, frozenset[str]]]:
    """Every sentence of the answers with its content stems, in order."""
    found: list[tuple[str, frozenset[str]]] = []
    for answer in answers:
        doc = analyse(answer)
        stems: dict[int, set[str]] = {}
        for word, stem_, sentence in zip(doc.words, doc.stems, doc.sentence, strict=True):
            if is_content(word):
                stems.setdefault(sentence, set()).add(stem_)
        for index in range(len(doc.sentence_spans)):
            text = doc.sentence_text(index)
            if text:
                found.append((text, frozenset(stems.get(index, ()))))
    return found


def _overlap(stems: frozenset[str], terms: frozenset[str], described: frozenset[str]) -> int:
    return 2 * len(stems & terms) + len(stems & (described - terms))


def _point_stems(
    point: RubricPoint | None, verdict: PointVerdict
) -> tuple[frozenset[str], frozenset[str]]:
    empty: frozenset[str] = frozenset()
    terms = empty.union(*(_topic_stems(t) for t in point.terms)) if point else empty
    return terms, _topic_stems(verdict.description or (point.description if point else ""))


def _best(
    candidates: Iterable[tuple[str, frozenset[str]]],
    terms: frozenset[str],
    described: frozenset[str],
) -> str:
    best, best_score = "", MIN_OVERLAP - 1
    for text, stems in candidates:
        score = _overlap(stems, terms, described)
        if score > best_score:
            best, best_score = text, score
    return best


def nearest_sentence(
    verdict: PointVerdict,
    point: RubricPoint | None,
    sentences: list[tuple[str, frozenset[str]]],
    taken: set[str] | None = None,
) -> str:
    """The candidate's own sentence nearest to a point they did not fully make.

    The grader's `closest` first, then the sentence holding partial evidence; else the
    lexical stand-in, skipping sentences in `taken` (already quoted for a weightier point: one
    loosely related sentence quoted under every gap would read as if it were near them all).
    """
    if verdict.closest.strip():
        return quote(verdict.closest)
    for phrase in verdict.evidence:
        needle = " ".join(phrase.split()).casefold()
        for text, _ in sentences:
            if needle and needle in " ".join(text.split()).casefold():
                return quote(text)
    terms, described = _point_stems(point, verdict)
    free = [(text, stems) for text, stems in sentences if text not in (taken or set())]
    found = _best(free, terms, described)
    if taken is not None and found:
        taken.add(found)
    return quote(found)


def not_credited(verdict: PointVerdict) -> str:
    """The grader's reason for a missed point when the answer did say its words (negated, in a
    bare list, to the grader, about another question); "" when it just did not say them."""
    reason = " ".join(verdict.reason.split())
    return reason if verdict.verdict == "missed" and reason.startswith(_NOT_CREDITED) else ""


def strong_line(verdict: PointVerdict, point: RubricPoint | None, question: Question) -> str:
    """The model-answer outline line that best says this point ("" when none does)."""
    terms, described = _point_stems(point, verdict)
    lines = [(line, _topic_stems(line)) for line in question.model_answer]
    return _best(lines, terms, described)


def said_in_other_words(verdict: PointVerdict) -> str:
    """The sentence the semantic layer credited ("" when it kept none): its evidence, else
    its closest sentence."""
    for text in (*verdict.evidence, verdict.closest):
        if text.strip():
            return quote(text)
    return ""


def coach(question: Question, grade: Grade, answers: Iterable[str]) -> Coaching:
    """Coaching for one question from its grade and the candidate's answers to it (the main
    answer and the follow-ups, skipped ones left out)."""
    sentences = _sentences(a for a in answers if a and a.strip())
    if not question.rubric:
        # the points were derived from the reference answer: fragments of it, not things a
        # coach can explain one by one; the reference itself says what a strong answer says
        return Coaching(
            intent=question.intent,
            reference_answer=(question.reference_answer or "").strip(),
            outline=question.model_answer,
        )
    total = sum(p.weight for p in grade.points) or 1.0
    points: list[PointCoaching] = []
    taken: set[str] = set()
    gaps = [p for p in grade.points if p.verdict != "covered"]
    for verdict in sorted(gaps, key=lambda p: (p.verdict != "missed", -p.weight)):
        rubric = question.point(verdict.point_id)
        description = verdict.description or (rubric.description if rubric else verdict.point_id)
        points.append(
            PointCoaching(
                point_id=verdict.point_id,
                verdict=verdict.verdict,
                description=description,
                senior=verdict.level == "senior",
                share=verdict.weight / total,
                said=nearest_sentence(verdict, rubric, sentences, taken),
                strong=strong_line(verdict, rubric, question),
                not_credited=not_credited(verdict),
            )
        )
    return Coaching(
        intent=question.intent,
        points=points,
        outline=question.model_answer,
    )
