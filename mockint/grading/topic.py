"""Is an answer about this question, or about another question of the same pack?

A good answer to the next question of a course shares that course's words and sits close to
every question in meaning, so neither the lenient keyword guess nor sentence similarity may
lift it. Neither signal alone separates "about this question" from "about its neighbour"
well: sentence vectors of short answers drift towards whichever reference is phrased alike,
and rare shared words mislead the lexical side. Together they do better (docs/grading.md).

Each question gets a profile text (its reference answer, or else its wording, model-answer
outline and point descriptions). An answer's closeness to a profile is the mean of

- the cosine of their sentence vectors, and
- the cosine of their content-stem sets, each stem weighted by its IDF over the pack;

and `gap()` is the answer's closeness to its own question minus its closeness to the nearest
other question. A clearly negative gap means the answer is about something else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mockint.grading.text import content_stems
from mockint.packs import Question

if TYPE_CHECKING:
    import numpy as np

    from mockint.grading.compiled import IdfTable
    from mockint.grading.semantic import Encoder

# How much of the closeness comes from sentence vectors; the rest is IDF-weighted words.
SEMANTIC_SHARE = 0.5


def profile(question: Question) -> str:
    """What a question is about, as one text."""
    if (question.reference_answer or "").strip():
        return question.reference_answer or ""
    lines = [question.text, *question.model_answer, *(p.description for p in question.rubric)]
    return " ".join(line.strip() for line in lines if line.strip())


class TopicMap:
    """Every question's profile of one pack, embedded and weighted once."""

    def __init__(self, questions: Sequence[Question], idf: IdfTable, encoder: Encoder) -> None:
        self._ids = [q.id for q in questions]
        self._idf = idf
        texts = [profile(q) for q in questions]
        self._vectors = encoder.embed(texts)
        self._words = [
            self._weights(f"{q.text} {text}") for q, text in zip(questions, texts, strict=True)
        ]

    def gap(self, question_id: str, answer: str, vector: np.ndarray) -> tuple[float, str | None]:
        """Closeness to `question_id` minus closeness to the nearest other question, and that
        question's id; (0.0, None) when the pack has no other question (nothing to confuse
        it with)."""
        if question_id not in self._ids or len(self._ids) < 2:
            return 0.0, None
        words = self._weights(answer)
        meaning = self._vectors @ vector
        closeness = [
            SEMANTIC_SHARE * float(m) + (1 - SEMANTIC_SHARE) * _cosine(words, profile_words)
            for m, profile_words in zip(meaning, self._words, strict=True)
        ]
        own = closeness[self._ids.index(question_id)]
        rival, nearest = max(
            (c, qid) for qid, c in zip(self._ids, closeness, strict=True) if qid != question_id
        )
        return own - rival, nearest

    def _weights(self, text: str) -> dict[str, float]:
        return {stem: self._idf(stem) for stem in set(content_stems(text))}


def _cosine(left: dict[str, float], right: dict[str, float]) -> float:
    if not left or not right:
        return 0.0
    shared = sum(weight * right[stem] for stem, weight in left.items() if stem in right)
    norm = math.sqrt(sum(w * w for w in left.values()) * sum(w * w for w in right.values()))
    return shared / norm
