"""The default offline grader: keyword evidence first, sentence similarity where words differ.

The keyword grader (keyword.py) is precise but blind to paraphrase; a sentence encoder sees
paraphrase but cannot tell a statement from its contradiction ("the proxies keep routing"
and "the proxies stop routing" sit close together). So similarity may only *add* credit, and
only where the keyword rules allow it:

- a sentence earns nothing by resemblance when the keyword layer rejects it: a list, word
  soup, text addressed to the grader, any negation, a red flag (`Reading.blocked`);
- a sentence (or a pair of adjacent sentences) counts for the one point it resembles most,
  never for every point it resembles;
- a point raised this way says so: `source="semantic"`, the sentence quoted as evidence, the
  similarity recorded, and the reason "said in other words".

For a question with only a reference answer, each reference sentence is compared with the
answer's sentences, and the answer must be about this question: it may not sit closer to
another question of the pack than to this one (an answer to the next question shares the
course's vocabulary, so words alone let it pass).

The thresholds are global constants calibrated on our labelled sets and on Mohler et al.
(docs/benchmarks.md); never per pack or per question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockint.grading.base import Grade, PointVerdict, Verdict
from mockint.grading.keyword import KeywordGrader, Reading, credit_paraphrase
from mockint.grading.semantic import ENCODER_NAME, Encoder, EncoderUnavailable, load_encoder
from mockint.grading.text import analyse, is_content
from mockint.packs import Pack, Question

if TYPE_CHECKING:
    import numpy as np

_PART_BREAK = re.compile(r"[;:,()]|\s[-–—]\s")

# Cosine similarity (USE multilingual v3) of the best sentence to a rubric point's texts.
POINT_COVERED = 0.55
POINT_PARTIAL = 0.42
# The same for a reference answer's sentence.
REFERENCE_COVERED = 0.70
REFERENCE_PARTIAL = 0.50
# An answer this much closer to another question's reference than to its own gets no
# credit by resemblance.
OTHER_QUESTION_MARGIN = 0.15
# Whether an answer found to be about this question keeps the keyword grader's guess that a
# reference sentence half said is said in other words.
LEXICAL_LENIENCY = True
# Sentences with fewer content words say too little to resemble anything reliably.
MIN_CONTENT_WORDS = 3
# A sentence this similar to a missed point is shown as the candidate's closest attempt.
CLOSEST_SHOWN = 0.35
MAX_UNITS = 80  # sentences (and pairs) embedded per answer: bounded work on a pasted essay


@dataclass(frozen=True, slots=True)
class _QuestionTexts:
    """The texts each point is compared with, embedded once per question."""

    point_vectors: tuple[np.ndarray, ...]  # one matrix per compiled point
    reference_groups: dict[int, np.ndarray]  # reference sentence number -> its vector
    reference_vector: np.ndarray | None  # the whole reference answer


class OfflineGrader:
    """Keyword grader plus semantic evidence. Loads the encoder on first use, off the UI
    thread; without it, grades by keywords alone and says why in the grade's note."""

    name = "offline"

    def __init__(self, pack: Pack | None = None) -> None:
        self.keyword = KeywordGrader(pack)
        self._pack = pack
        self._texts: dict[int, tuple[Question, _QuestionTexts]] = {}
        self._pack_references: tuple[list[str], np.ndarray] | None = None
        self.unavailable: str | None = None

    def use_pack(self, pack: Pack) -> None:
        self.keyword.use_pack(pack)
        self._pack, self._pack_references = pack, None
        self._texts.clear()

    def warm_up(self) -> None:
        """Load the model now (call it from a worker) so the first answer does not wait."""
        self._encoder()

    def _encoder(self) -> Encoder | None:
        if self.unavailable is not None:
            return None
        try:
            return load_encoder()
        except EncoderUnavailable as error:
            self.unavailable = str(error)
            return None

    def grade(self, question: Question, answer: str) -> Grade:
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
        units = _units(reading)
        if units:
            texts = self._question_texts(question, reading, encoder)
            vectors = encoder.embed([text for _, text in units])
            if reading.compiled.derived:
                self._credit_reference(question, reading, units, vectors, texts, encoder)
            else:
                _credit_points(reading, units, vectors, texts)
        reading.finish()
        return reading.grade

    # --- what each point is compared with ----------------------------------------------

    def _question_texts(
        self, question: Question, reading: Reading, encoder: Encoder
    ) -> _QuestionTexts:
        cached = self._texts.get(id(question))
        if cached is not None and cached[0] is question:
            return cached[1]

        compiled = reading.compiled
        point_vectors: list[np.ndarray] = []
        groups: dict[int, np.ndarray] = {}
        whole = None
        if compiled.derived:
            reference = analyse(question.reference_answer or "")
            sentences = [reference.sentence_text(i) for i in range(len(reference.sentence_spans))]
            if sentences:
                vectors = encoder.embed([*sentences, question.reference_answer or ""])
                groups = {i: vectors[i] for i in range(len(sentences))}
                whole = vectors[-1]
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
        texts = _QuestionTexts(tuple(point_vectors), groups, whole)
        if len(self._texts) >= 4096:
            self._texts.clear()
        self._texts[id(question)] = (question, texts)
        return texts

    # --- crediting ------------------------------------------------------------------------

    def _credit_reference(
        self,
        question: Question,
        reading: Reading,
        units: list[tuple[tuple[int, ...], str]],
        vectors: np.ndarray,
        texts: _QuestionTexts,
        encoder: Encoder,
    ) -> None:
        """Reference sentences said in other words lift their derived points."""
        if not texts.reference_groups or not self._about_this_question(
            question, reading, encoder, texts
        ):
            return
        if LEXICAL_LENIENCY:
            credit_paraphrase(reading.compiled, reading.grade.points)
        for group, reference in texts.reference_groups.items():
            similarity = vectors @ reference
            best = int(similarity.argmax())
            value = float(similarity[best])
            verdict = _level(value, REFERENCE_COVERED, REFERENCE_PARTIAL)
            if verdict == "missed":
                continue
            quote = units[best][1]
            for point, judged in zip(reading.compiled.points, reading.grade.points, strict=True):
                if point.group == group:
                    _raise(judged, verdict, quote, value)

    def _about_this_question(
        self, question: Question, reading: Reading, encoder: Encoder, texts: _QuestionTexts
    ) -> bool:
        """Whether the answer sits at least as close to this question's reference as to any
        other question's of the pack (within OTHER_QUESTION_MARGIN)."""
        if texts.reference_vector is None or self._pack is None:
            return True
        if self._pack_references is None:
            others = [q for q in self._pack.questions if q.reference_answer]
            ids = [q.id for q in others]
            self._pack_references = (
                ids,
                encoder.embed([q.reference_answer or "" for q in others]),
            )
        ids, references = self._pack_references
        if len(ids) < 2:
            return True
        answer = encoder.embed([reading.doc.text])[0]
        similarity = references @ answer
        own = float(answer @ texts.reference_vector)
        rivals = [float(s) for qid, s in zip(ids, similarity, strict=True) if qid != question.id]
        return not rivals or own >= max(rivals) - OTHER_QUESTION_MARGIN


def _credit_points(
    reading: Reading,
    units: list[tuple[tuple[int, ...], str]],
    vectors: np.ndarray,
    texts: _QuestionTexts,
) -> None:
    """Each sentence (or pair) supports the point it resembles most; that point may rise."""
    import numpy as np

    if not texts.point_vectors:
        return
    table = np.stack([(vectors @ point.T).max(axis=1) for point in texts.point_vectors], axis=1)
    owner = table.argmax(axis=1)
    for index, judged in enumerate(reading.grade.points):
        column = table[:, index]
        mine = np.flatnonzero(owner == index)
        if len(mine):
            best = int(mine[column[mine].argmax()])
            value = float(column[best])
            verdict = _level(value, POINT_COVERED, POINT_PARTIAL)
            if verdict != "missed":
                _raise(judged, verdict, units[best][1], value)
        if judged.verdict != "covered":
            nearest = int(column.argmax())
            if float(column[nearest]) >= CLOSEST_SHOWN:
                judged.closest = units[nearest][1]


def _level(value: float, covered: float, partial: float) -> Verdict:
    return "covered" if value >= covered else "partial" if value >= partial else "missed"


_RANK = {"covered": 2, "partial": 1, "missed": 0}


def _raise(judged: PointVerdict, verdict: Verdict, quote: str, similarity: float) -> None:
    """Lift a verdict by resemblance, never lower it, and say that it was by resemblance."""
    if _RANK[verdict] <= _RANK[judged.verdict]:
        return
    judged.verdict = verdict
    judged.source = "semantic"
    judged.similarity = round(similarity, 3)
    judged.evidence = [quote]
    judged.closest = ""
    judged.reason = f"said in other words (similarity {similarity:.2f})"


def _units(reading: Reading) -> list[tuple[tuple[int, ...], str]]:
    """Sentences the keyword rules allow, and pairs of adjacent ones, with their text."""
    doc = reading.doc
    words = [0] * len(doc.sentence_spans)
    for word, sentence in zip(doc.words, doc.sentence, strict=True):
        if is_content(word):
            words[sentence] += 1
    allowed = [
        i for i in range(len(doc.sentence_spans)) if i not in reading.blocked and words[i] > 0
    ]
    units: list[tuple[tuple[int, ...], str]] = []
    for i in allowed:
        if words[i] >= MIN_CONTENT_WORDS:
            units.append(((i,), doc.sentence_text(i)))
    for i in allowed:
        if i + 1 in allowed and words[i] + words[i + 1] >= MIN_CONTENT_WORDS:
            units.append(((i, i + 1), f"{doc.sentence_text(i)} {doc.sentence_text(i + 1)}"))
    return units[:MAX_UNITS]


def _parts(text: str) -> list[str]:
    """The clauses of a many-part rubric text ("no config for new workloads, no certificate
    rotation, ..."): a sentence that says one part resembles that part far more than the
    whole list."""
    pieces = [piece.strip() for piece in _PART_BREAK.split(text)]
    return [p for p in pieces if _content_words(p) >= MIN_CONTENT_WORDS] if len(pieces) > 1 else []


def _content_words(text: str) -> int:
    return sum(1 for word in analyse(text).words if is_content(word))
