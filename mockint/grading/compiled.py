"""What the keyword grader looks for in a question, compiled once: points, red flags, terms.

A rubric point's terms and a red flag's are compiled into stems (terms.py); a question with
only a reference answer gets points derived from the reference's phrases, each weighing as
much as its words are informative across the pack (IdfTable). How an answer is then read
against them is keyword.py's job.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from mockint.grading.terms import (
    CLAIM_SLACK,
    MATCH_SLACK,
    NEG,
    NEGATION_LOOKBACK,
    Term,
    Vocabulary,
    compile_term,
    has_negated_predicate,
    negated_before,
)
from mockint.grading.text import analyse, content_stems, is_content
from mockint.packs import Pack, Question

# Lists (bare or crowded sentences) holding this many content words, more than the prose
# holds, make the answer a keyword dump: the lists then earn nothing.
DUMP_CONTENT_WORDS = 6
# ... and, on a reference-only question, lists of this many content words whatever the
# reference's length (a long model answer must not make a 20-word keyword list look terse).
LONGEST_REFERENCE_LIST = 12


class IdfTable:
    """Inverse document frequency of stems over a pack's questions and reference answers.

    Words every question uses ("function", "service") say little about a particular answer;
    rare ones say a lot. Only the pack's own texts are used: never answers or their labels.
    """

    def __init__(self, documents: Iterable[set[str]]) -> None:
        docs = list(documents)
        self.size = len(docs)
        self.frequency = Counter(stem_ for doc in docs for stem_ in doc)

    @classmethod
    def for_pack(cls, pack: Pack) -> IdfTable:
        texts = (
            " ".join([q.text, q.reference_answer or "", *q.model_answer]) for q in pack.questions
        )
        return cls(set(content_stems(text)) for text in texts)

    @classmethod
    def empty(cls) -> IdfTable:
        return cls([])

    def __call__(self, stem_: str) -> float:
        return math.log((self.size + 1) / (self.frequency.get(stem_, 0) + 1)) + 1.0


@dataclass(frozen=True, slots=True)
class CompiledPoint:
    id: str
    description: str
    weight: float
    level: str
    terms: tuple[Term, ...]
    group: int = 0  # the reference sentence a derived point comes from
    # A derived phrase point needs all its words, each weighing this much (see `_judge`).
    term_weights: tuple[float, ...] = ()
    # The point's own wording denies something ("proxies do not stop routing"), so a term
    # followed by a negated predicate may still support it (see `_matches`).
    denies: bool = True


@dataclass(frozen=True, slots=True)
class CompiledFlag:
    id: str
    description: str
    penalty: float
    terms: tuple[Term, ...]
    denies: bool = False


@dataclass(frozen=True, slots=True)
class CompiledQuestion:
    points: tuple[CompiledPoint, ...]
    flags: tuple[CompiledFlag, ...]
    derived: bool
    vocabulary: Vocabulary
    term_stems: frozenset[str]
    # bare-list content words that make an answer a keyword dump (see `sentence_forms.py`)
    dump_limit: int


def compile_question(question: Question, idf: IdfTable) -> CompiledQuestion:
    """Terms compiled once per question; reference-only questions get derived points."""
    if question.rubric:
        points = [
            CompiledPoint(
                p.id,
                p.description,
                p.weight,
                p.level,
                _compile_terms(p.terms),
                denies=_denies(p.description, p.terms),
            )
            for p in question.rubric
        ]
    else:
        points = derive_points(question.text, question.reference_answer or "", idf)
    flags = [
        CompiledFlag(
            f.id,
            f.description,
            f.penalty,
            _compile_terms(f.terms, slack=CLAIM_SLACK),
            _denies(f.description, f.terms),
        )
        for f in question.red_flags
    ]
    words: dict[str, str] = {}
    items: list[CompiledPoint | CompiledFlag] = [*points, *flags]
    for item in items:
        for term in item.terms:
            for word, slot in zip(term.words, term.slots, strict=True):
                if slot != NEG and is_content(word):
                    words.setdefault(word, slot)
    derived_terms = sum(len(p.terms) for p in points)
    return CompiledQuestion(
        points=tuple(points),
        flags=tuple(flags),
        derived=not question.rubric,
        vocabulary=Vocabulary(words),
        term_stems=frozenset(words.values()),
        # A reference-only question's points come from one answer, which may itself be a
        # list: there, only a list much longer than the reference is sprayed vocabulary,
        # and a list as long as LONGEST_REFERENCE_LIST is one whatever the reference.
        dump_limit=min(LONGEST_REFERENCE_LIST, max(DUMP_CONTENT_WORDS, 2 * derived_terms))
        if not question.rubric
        else DUMP_CONTENT_WORDS,
    )


def _compile_terms(texts: Iterable[str], slack: int = MATCH_SLACK) -> tuple[Term, ...]:
    compiled = (compile_term(text, slack=slack) for text in texts)
    return tuple(term for term in compiled if term is not None)


def _denies(description: str, terms: Iterable[str]) -> bool:
    return any(map(has_negated_predicate, [description, *terms]))


def derive_points(question_text: str, reference: str, idf: IdfTable) -> list[CompiledPoint]:
    """Points from a reference answer: its phrases of content words the question lacks.

    Echoing the question proves nothing, so its words are left out (unless nothing else is
    left). Each run of adjacent remaining content words ("desired software product") is one
    point, weighing as much as its words are informative across the pack; a word the
    reference negates ("a node that has no children") must be negated in the answer too.
    """
    asked = set(content_stems(question_text))
    doc = analyse(reference)
    candidates = [i for i, word in enumerate(doc.words) if is_content(word)]
    fresh = [i for i in candidates if doc.stems[i] not in asked] or candidates
    runs: list[list[int]] = []
    seen: set[str] = set()
    for position in fresh:
        if doc.stems[position] in seen:
            continue
        seen.add(doc.stems[position])
        last = runs[-1][-1] if runs else -2
        if last == position - 1 and doc.clause[last] == doc.clause[position]:
            runs[-1].append(position)
        else:
            runs.append([position])
    points: list[CompiledPoint] = []
    used: set[str] = set()
    for run in runs:
        terms = []
        for position in run:
            word, stem_ = doc.words[position], doc.stems[position]
            if negated_before(doc, position):
                window = NEGATION_LOOKBACK + 2
                terms.append(Term(f"no {word}", (NEG, stem_), ("no", word), window, False))
            else:
                terms.append(Term(word, (stem_,), (word,), 1, False))
        weights = tuple(round(idf(doc.stems[position]), 2) for position in run)
        description = doc.excerpt(run[0], run[-1])
        if any(t.slots[0] == NEG for t in terms):
            description = "no " + description
        point_id = "ref-" + "-".join(doc.words[position] for position in run)
        while point_id in used:
            point_id += "+"
        used.add(point_id)
        points.append(
            CompiledPoint(
                point_id,
                description,
                round(sum(weights), 2),
                "core",
                tuple(terms),
                doc.sentence[run[0]],
                weights,
            )
        )
    return points
