"""The default offline grader: keyword evidence first, sentence similarity where words differ.

The keyword grader (keyword.py) is precise but blind to paraphrase; a sentence encoder sees
paraphrase but cannot tell a statement from its contradiction ("the proxies keep routing"
and "the proxies stop routing" sit close together). So similarity may only *add* credit, and
only where the keyword rules allow it:

- a sentence earns nothing by resemblance when the keyword layer rejects it: a list, word
  soup, text addressed to the grader, a negated match, a red flag (`Reading.blocked`);
- a clause holding a negator earns nothing either; the other clauses of its sentence may
  ("the proxy holds the policy, so no service has to change"), unless more than half the
  answer's sentences hold one: an answer that mostly denies things is read for its words only;
- a sentence counts for the one point it resembles most, never for every point it resembles;
  each of its parts between commas, colons or semicolons counts the same way ("the helpers
  retry calls, count failures and time every hop" says one thing per part);
- a point raised this way says so: `source="semantic"`, the sentence quoted as evidence, the
  similarity recorded, and the reason "said in other words".

An answer must be about this question to earn anything by resemblance: one that sits clearly
closer to another question of the pack, by meaning and by its rarer words (topic.py), does
not (an answer to the next question shares the course's words).

For a question with only a reference answer, the grade blends what the words said earned with
the answer's similarity to the reference as a whole, read the way people grade short answers
(see `_credit_reference`).

The thresholds are global constants calibrated on our labelled sets and on Mohler et al., and
checked on the minimal form of our own packs (docs/benchmarks.md); never per pack or question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from mockint.grading.base import CREDIT, Grade, PointVerdict, Verdict
from mockint.grading.keyword import KeywordGrader, Reading
from mockint.grading.semantic import ENCODER_NAME, Encoder, EncoderUnavailable, load_encoder
from mockint.grading.text import Analysed, analyse, is_content
from mockint.grading.topic import TopicMap
from mockint.packs import Pack, Question

if TYPE_CHECKING:
    import numpy as np

_PART_BREAK = re.compile(r"[;:,()]|\s[-–—]\s")

# Cosine similarity (USE multilingual v3) of the best sentence to a rubric point's texts.
POINT_COVERED = 0.38
POINT_PARTIAL = 0.30
# Reference-only questions: similarity of the answer to the reference answer at which
# resemblance starts to count, and at which it counts fully.
REFERENCE_FLOOR = 0.0
REFERENCE_FULL = 0.7
# How much of a reference-only grade comes from the words said; the rest from resemblance.
KEYWORD_WEIGHT = 0.7
# A reference-only share s is read as 1 - (1 - s) ** READING_LIFT (see _credit_reference).
READING_LIFT = 1.5
# An answer whose closeness to another question of the pack exceeds its closeness to this
# one by more than this (topic.py) is about something else and earns nothing by resemblance.
OTHER_QUESTION_MARGIN = 0.06
# ... and one this much closer to another question *with a rubric* answers that question, not
# this one: it earns nothing at all, its words included (see `_answers_another_question`).
ANOTHER_QUESTION_MARGIN = 0.25
# Sentences with fewer content words say too little to resemble anything reliably.
MIN_CONTENT_WORDS = 3
# A sentence this similar to a missed point is shown as the candidate's closest attempt.
CLOSEST_SHOWN = 0.35
MAX_UNITS = 120  # sentences and parts embedded per answer: bounded work on an essay


@dataclass(frozen=True, slots=True)
class _QuestionTexts:
    """The texts each point is compared with, embedded once per question."""

    point_vectors: tuple[np.ndarray, ...]  # one matrix per compiled point
    reference_vector: np.ndarray | None  # the whole reference answer


class OfflineGrader:
    """Keyword grader plus semantic evidence. Loads the encoder on first use, off the UI
    thread; without it, grades by keywords alone and says why in the grade's note."""

    name = "offline"

    def __init__(self, pack: Pack | None = None) -> None:
        self.keyword = KeywordGrader(pack)
        self._pack = pack
        self._texts: dict[int, tuple[Question, _QuestionTexts]] = {}
        self._topics: TopicMap | None = None
        self.unavailable: str | None = None

    def use_pack(self, pack: Pack) -> None:
        self.keyword.use_pack(pack)
        self._pack, self._topics = pack, None
        self._texts.clear()

    def warm_up(self, questions: list[Question] | None = None) -> None:
        """Load the model and embed the questions' rubric texts and the pack's question
        profiles now (call it from a worker), so no answer waits for them; by default every
        question of the pack."""
        encoder = self._encoder()
        if encoder is None:
            return
        if questions is None:
            questions = list(self._pack.questions) if self._pack else []
        for question in questions:
            self._question_texts(question, encoder)
        self._topic_map(encoder)

    def _encoder(self) -> Encoder | None:
        if self.unavailable is not None:
            return None
        try:
            return load_encoder()
        except EncoderUnavailable as error:
            self.unavailable = str(error)
            return None

    def grade(self, question: Question, answer: str) -> Grade:
        return self._grade(question, answer, follow_up=False)

    def grade_follow_up(self, question: Question, answer: str) -> Grade:
        """An answer to a follow-up is about the points the interviewer asked, even when it
        sits nearer another question that covers the same ground ("put numbers on a
        sidecar's cost" under the sidecar question, against the pack's question on what the
        fleet costs): it may earn them by resemblance all the same. Only probed points count
        from it (`combine`), and one clearly about another question still earns nothing."""
        return self._grade(question, answer, follow_up=True)

    def _grade(self, question: Question, answer: str, *, follow_up: bool) -> Grade:
        encoder = self._encoder()
        if encoder is None:
            grade = self.keyword.grade(question, answer)
            grade.note = (
                f"Graded by keywords only: {self.unavailable}. "
                "Reinstall mockint to restore grading by meaning."
            )
            return grade
        reading = self.keyword.read(question, answer, lenient=False)
        reading.grade.grader = self.name
        reading.grade.model = ENCODER_NAME
        usable = _usable_texts(reading)
        # parts of sentences only matter where there are points to tell apart
        units = _units(usable, with_parts=not reading.compiled.derived)
        allowed = " ".join(usable)
        if allowed and (units or reading.compiled.derived):
            texts = self._question_texts(question, encoder)
            vectors = encoder.embed([*(unit.text for unit in units), allowed])
            gap, nearest = self._topic_gap(question, allowed, vectors[-1], encoder)
            on_topic = follow_up or gap >= -OTHER_QUESTION_MARGIN
            if gap < -ANOTHER_QUESTION_MARGIN and nearest and not reading.compiled.derived:
                _answers_another_question(reading, self._describe(nearest))
            elif not on_topic:
                _credit_points(reading, units, vectors[:-1], texts, credit=False)
            elif reading.compiled.derived:
                _credit_reference(reading, units, vectors, texts)
            else:
                _credit_points(reading, units, vectors[:-1], texts)
        reading.finish()
        return reading.grade

    # --- what each point is compared with ----------------------------------------------

    def _question_texts(self, question: Question, encoder: Encoder) -> _QuestionTexts:
        cached = self._texts.get(id(question))
        if cached is not None and cached[0] is question:
            return cached[1]

        compiled = self.keyword.compiled(question)
        point_vectors: list[np.ndarray] = []
        whole = None
        if compiled.derived:
            if (question.reference_answer or "").strip():
                whole = encoder.embed([question.reference_answer or ""])[0]
        else:
            by_point = {p.id: p for p in question.rubric}
            outline = [line for line in question.model_answer if line.strip()]
            descriptions = [by_point[p.id].description for p in compiled.points]
            extra: list[list[str]] = [[] for _ in compiled.points]
            if outline and descriptions:
                # each outline line joins the point whose description it resembles most
                lines = encoder.embed(outline)
                heads = encoder.embed(descriptions)
                for line, row in zip(outline, lines @ heads.T, strict=True):
                    extra[int(row.argmax())].append(line)
            for point, more in zip(compiled.points, extra, strict=True):
                rubric = by_point[point.id]
                phrases = [t for t in rubric.terms if _content_words(t) >= 2]
                wholes = [rubric.description, *more]
                parts = [part for text in wholes for part in _parts(text)]
                point_vectors.append(encoder.embed(list(dict.fromkeys(wholes + parts + phrases))))
        texts = _QuestionTexts(tuple(point_vectors), whole)
        if len(self._texts) >= 4096:
            self._texts.clear()
        self._texts[id(question)] = (question, texts)
        return texts

    # --- is the answer about this question? ----------------------------------------------

    def _topic_gap(
        self, question: Question, answer: str, vector: np.ndarray, encoder: Encoder
    ) -> tuple[float, str | None]:
        topics = self._topic_map(encoder)  # 0.0 for a question not in the pack
        return topics.gap(question.id, answer, vector) if topics else (0.0, None)

    def _describe(self, question_id: str) -> str:
        """A question's id and the start of its wording, to name it in a note."""
        other = self._pack.question(question_id) if self._pack else None
        if other is None:
            return question_id
        words = other.text.split()
        start = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
        return f"{question_id}: {start}"

    def _topic_map(self, encoder: Encoder) -> TopicMap | None:
        if self._topics is None and self._pack is not None:
            self._topics = TopicMap(self._pack.questions, self.keyword.idf, encoder)
        return self._topics


# --- crediting ----------------------------------------------------------------------------


def _credit_reference(
    reading: Reading,
    units: list[_Unit],
    vectors: np.ndarray,
    texts: _QuestionTexts,
) -> None:
    """A reference-only grade: the words said, lifted towards resemblance.

    `vectors` holds the units' vectors, then that of all the allowed sentences together.

    The share blends what the words said earned (KEYWORD_WEIGHT) with the answer's
    similarity to the reference (REFERENCE_FLOOR..REFERENCE_FULL mapped to 0..1), never
    below the words alone. People grade a short answer that says part of the reference more
    kindly than its share of the reference's words (on Mohler et al. they average 8.4/10),
    so the share s is read as 1 - (1 - s) ** READING_LIFT: half said reads as about two
    thirds. Missed points are raised to partial, then partial to covered, while each step
    brings the grade nearer to that.
    """
    if texts.reference_vector is None:
        return
    answer, vectors = vectors[-1], vectors[:-1]  # the allowed sentences together come last
    similarity = float(answer @ texts.reference_vector)
    span = REFERENCE_FULL - REFERENCE_FLOOR
    resemblance = min(1.0, max(0.0, (similarity - REFERENCE_FLOOR) / span))
    points = reading.grade.points
    total = sum(p.weight for p in points)
    if total <= 0:
        return
    earned = _share(points, total)
    blended = max(earned, KEYWORD_WEIGHT * earned + (1 - KEYWORD_WEIGHT) * resemblance)
    target = 1 - (1 - blended) ** READING_LIFT
    quote = units[int((vectors @ texts.reference_vector).argmax())].sentence if units else ""
    for step in ("partial", "covered"):
        for point in points:
            if CREDIT[point.verdict] >= CREDIT[step] or point.reason.startswith("negated"):
                continue
            gain = point.weight * (CREDIT[step] - CREDIT[point.verdict]) / total
            if earned + gain / 2 > target:  # nearer the target without this step
                continue
            earned += gain
            _raise(point, step, quote, similarity)
            point.reason = (
                f"said in other words: the answer resembles the reference answer "
                f"(similarity {similarity:.2f})"
            )


def _answers_another_question(reading: Reading, other: str) -> None:
    """Withhold every point from an answer that answers another question of the pack.

    The words a pack's questions share ("mTLS", "sidecar", "control plane") would otherwise
    let a good answer to the next question earn a point or two here. On our labelled sets the
    answers written for a question sit at most 0.08 nearer another one, and follow-up answers
    at most 0.12, while strong answers sent to the next question sit 0.31 nearer or more, so
    the bar (ANOTHER_QUESTION_MARGIN) leaves room on both sides. Only rubric questions: a
    one-line reference answer is too thin a profile to tell its course's neighbours apart
    (on Mohler et al. genuine answers sit up to 0.3 nearer a neighbour). Red flags still count.
    """
    for point in reading.grade.points:
        if point.verdict == "missed":
            continue
        point.verdict = "missed"
        point.evidence = []
        point.source = "keyword"
        point.similarity = None
        point.reason = "the answer is about another question"
    reading.notes.insert(0, f"This answer reads as an answer to another question ({other}).")


def _share(points: list[PointVerdict], total: float) -> float:
    return sum(p.weight * CREDIT[p.verdict] for p in points) / total


def _credit_points(
    reading: Reading,
    units: list[_Unit],
    vectors: np.ndarray,
    texts: _QuestionTexts,
    *,
    credit: bool = True,
) -> None:
    """Each unit supports the point it resembles most; that point may rise (only when
    `credit`: otherwise the closest sentences are only shown). The sentence is quoted."""
    import numpy as np

    if not texts.point_vectors:
        return
    table = np.stack([(vectors @ point.T).max(axis=1) for point in texts.point_vectors], axis=1)
    owner = table.argmax(axis=1)
    for index, judged in enumerate(reading.grade.points):
        column = table[:, index]
        mine = np.flatnonzero(owner == index)
        if credit and len(mine):
            best = int(mine[column[mine].argmax()])
            value = float(column[best])
            verdict = _level(value, POINT_COVERED, POINT_PARTIAL)
            if verdict != "missed":
                _raise(judged, verdict, units[best].sentence, value)
        if judged.verdict != "covered":
            nearest = int(column.argmax())
            if float(column[nearest]) >= CLOSEST_SHOWN:
                judged.closest = units[nearest].sentence


def _level(value: float, covered: float, partial: float) -> Verdict:
    return "covered" if value >= covered else "partial" if value >= partial else "missed"


def _raise(judged: PointVerdict, verdict: Verdict, quote: str, similarity: float) -> None:
    """Lift a verdict by resemblance, never lower it, and say that it was by resemblance."""
    if CREDIT[verdict] <= CREDIT[judged.verdict]:
        return
    judged.verdict = verdict
    judged.source = "semantic"
    judged.similarity = round(similarity, 3)
    judged.evidence = [quote]
    judged.closest = ""
    judged.reason = f"said in other words (similarity {similarity:.2f})"


def _usable_texts(reading: Reading) -> list[str]:
    """The text each sentence may resemble a point by, in order: the whole sentence when the
    keyword rules allow it; a sentence blocked only for a negator by its clauses that hold
    none (`Reading.hedged`); nothing for the rest."""
    doc = reading.doc
    texts = []
    for i in range(len(doc.sentence_spans)):
        if i not in reading.blocked:
            text = doc.sentence_text(i)
        elif i in reading.hedged:
            text = _unnegated(doc, i)
        else:
            continue
        if text:
            texts.append(text)
    return texts


@dataclass(frozen=True, slots=True)
class _Unit:
    """A stretch of the answer compared with the points, and the sentence quoted for it."""

    text: str
    sentence: str


def _units(texts: list[str], *, with_parts: bool = True) -> list[_Unit]:
    """What of an answer may resemble a point: each usable sentence that says enough, then
    each part of it that says enough on its own (`_parts`).

    A long sentence often says two things ("it counts calls and failures between every pair
    of services, and records a trace of each request"); as a whole it resembles each of them
    less than its parts do, yet it may count for one point only. So its parts count too,
    each for the one point it resembles most. A part is never a new claim, only a finer
    reading of a sentence that was already allowed, and the whole sentence is what is
    quoted. Pairs of adjacent sentences were tried as units as well: they raised no grade on
    our labelled sets once a sentence counts for one point, and let two sentences that each
    said something else resemble a third point."""
    said = [text for text in texts if _content_words(text) >= MIN_CONTENT_WORDS]
    units = [_Unit(text, text) for text in said]
    if with_parts:
        units += [_Unit(part, text) for text in said for part in _parts(text)]
    unique: dict[str, _Unit] = {}
    for unit in units:
        unique.setdefault(unit.text, unit)
    return list(unique.values())[:MAX_UNITS]


def _unnegated(doc: Analysed, sentence: int) -> str:
    """The clauses of a sentence that hold no negator, in their original words."""
    positions = [p for p, s in enumerate(doc.sentence) if s == sentence]
    negated = {doc.clause[p] for p in positions if doc.negator[p]}
    kept = []
    for keep, run in groupby(positions, key=lambda p: doc.clause[p] not in negated):
        if keep:
            words = list(run)
            kept.append(doc.excerpt(words[0], words[-1]))
    return " … ".join(kept)


def _parts(text: str) -> list[str]:
    """The parts of a many-part text between commas, colons, semicolons, brackets and
    dashes, each saying enough on its own; none for a text in one piece. A rubric text
    ("no config for new workloads, no certificate rotation, ...") and an answer sentence
    alike: one that says one part resembles that part far more than the whole list."""
    pieces = [piece.strip() for piece in _PART_BREAK.split(text)]
    return [p for p in pieces if _content_words(p) >= MIN_CONTENT_WORDS] if len(pieces) > 1 else []


def _content_words(text: str) -> int:
    return sum(1 for word in analyse(text).words if is_content(word))
