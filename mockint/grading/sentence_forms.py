"""How each sentence of an answer may earn credit: prose, or a list in disguise.

Credit comes from sentences that say something. A sentence is prose when enough of its words
are function words; a bare list, a prose sentence naming more points than its length can
explain ("crowded"), and sentences that repeat one template ("The mesh has X. The mesh has
Y.") are lists. When lists hold more of an answer than its prose, the answer is a keyword dump
(keyword.py then lets its lists earn nothing). Text addressed to the grader is marked here too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from mockint.grading.compiled import CompiledQuestion
from mockint.grading.injection import INJECTION as _INJECTION
from mockint.grading.injection import INJECTION_STEMS as _INJECTION_STEMS
from mockint.grading.terms import AnswerIndex, Match
from mockint.grading.text import NEGATORS, STOPWORDS, Analysed

# A sentence is prose when at least this share of its words are function words ...
PROSE_FUNCTION_SHARE = 0.15
# ... and it has at least this many ("and"/"or" do not count: they are what glues lists), or
# one in a short sentence ("A class definition includes function prototypes.").
PROSE_FUNCTION_WORDS = 2
SHORT_SENTENCE = 8
# Sentences that share one skeleton this many times are a template, not an explanation.
TEMPLATE_REPEATS = 3
# A prose sentence naming more than max(2, 1 + words/CROWD_WORDS) rubric points is a list in
# disguise ("a mesh with X, with Y, with Z and with W").
CROWD_WORDS = 10

_LIST_GLUE = frozenset({"and", "or", "nor", "&"})
_ARTICLES = frozenset({"a", "an", "the"})


@dataclass(frozen=True, slots=True)
class Sentences:
    """How each sentence of an answer may earn credit."""

    prose: tuple[bool, ...]
    injected: tuple[bool, ...]
    content: tuple[int, ...]  # content words per sentence
    dump: bool  # most of the answer is a bare keyword list


def classify(doc: Analysed, compiled: CompiledQuestion, index: AnswerIndex) -> Sentences:
    count = len(doc.sentence_spans)
    function = [0] * count
    glue = [0] * count
    size = [0] * count
    content = [0] * count
    for word, sentence in zip(doc.words, doc.sentence, strict=True):
        size[sentence] += 1
        if word in _LIST_GLUE:
            glue[sentence] += 1
        elif word in STOPWORDS or word in NEGATORS:
            function[sentence] += 1
        else:
            content[sentence] += 1
    prose = [
        function[i] >= PROSE_FUNCTION_SHARE * (size[i] - glue[i])
        and (function[i] >= PROSE_FUNCTION_WORDS or (function[i] > 0 and size[i] <= SHORT_SENTENCE))
        for i in range(count)
    ]
    injected: tuple[bool, ...] = (False,) * count
    if not _INJECTION_STEMS.isdisjoint(doc.stems) and _INJECTION.search(doc.text):
        injected = tuple(bool(_INJECTION.search(doc.sentence_text(i))) for i in range(count))
    templated = _mark_templates(doc, compiled, index, prose)
    return Sentences(tuple(prose), injected, tuple(content), templated)


def find_dump(sentences: Sentences, crowded: set[int], limit: int) -> Sentences:
    """Mark the answer a keyword dump when its lists (bare or crowded sentences) hold more
    content words than its explanations, and at least `limit` of them."""
    listed = said = 0
    for i, words in enumerate(sentences.content):
        if sentences.injected[i]:
            continue
        if not sentences.prose[i] or i in crowded:
            listed += words
        else:
            said += words
    # `dump` arrives True when the answer repeats a template: that is a list whatever its size
    dump = sentences.dump or (listed >= limit and listed > said)
    return Sentences(sentences.prose, sentences.injected, sentences.content, dump)


def _mark_templates(
    doc: Analysed, compiled: CompiledQuestion, index: AnswerIndex, prose: list[bool]
) -> bool:
    """Sentences that differ only in the rubric terms they name are a list in disguise: mark
    them as not prose, and say whether there were any."""
    if len(prose) < TEMPLATE_REPEATS:
        return False
    skeletons: dict[int, list[str]] = {}
    for position, (stem_, sentence) in enumerate(zip(doc.stems, doc.sentence, strict=True)):
        if stem_ in _ARTICLES:
            continue
        if stem_ not in compiled.term_stems and position not in index.fuzzy:
            skeletons.setdefault(sentence, []).append(stem_)
        else:
            skeletons.setdefault(sentence, [])
    groups = Counter(tuple(skeleton) for skeleton in skeletons.values())
    found = False
    for sentence, skeleton in skeletons.items():
        if groups[tuple(skeleton)] >= TEMPLATE_REPEATS and len(skeleton) <= 6:
            prose[sentence] = False
            found = True
    return found


def crowded_sentences(doc: Analysed, found: list[list[Match]], sentences: Sentences) -> set[int]:
    """Sentences that name too many rubric points for their length to explain any of them."""
    hits: dict[int, int] = {}
    for matches in found:
        for sentence in {doc.sentence[m.start] for m in matches if not m.negated}:
            hits[sentence] = hits.get(sentence, 0) + 1
    sizes = Counter(doc.sentence)
    crowded = set()
    for sentence, count in hits.items():
        limit = max(2, 1 + sizes[sentence] / CROWD_WORDS) if sentences.prose[sentence] else 1
        if count > limit:
            crowded.add(sentence)
    return crowded
