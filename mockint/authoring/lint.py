"""Warnings a pack author can act on, beyond what the loader refuses.

A pack can load and still grade badly: a point with two terms misses most of the ways people
say it; a term that is one everyday word ("traffic") credits answers that miss the point; a red
flag whose claim lives in function words ("just use the server timestamp") is matched by the
grader as its content words alone ("server timestamp") and penalises correct answers; two points
that say the same thing count one idea twice; a heavy point decides the grade by itself; a
follow-up that shares no word with the points it probes probably asks about something else.
Each warning names the question and the part at fault and says what to change.

Terms are read the way the keyword grader reads them (`grading.text`), so what the lint calls a
content word is what the grader will look for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mockint.grading.base import BANDS
from mockint.grading.terms import ALL, NEG, compile_term
from mockint.grading.text import NEGATORS, STOPWORDS, analyse, content_stems
from mockint.packs import Pack, Question

MIN_TERMS = 3
# Two points say nearly the same thing when their descriptions share this share of content
# words (Jaccard), or when this share of the smaller point's terms also belong to the other.
SAME_DESCRIPTION = 0.6
SAME_TERMS = 0.5
# Reading and typing paces that turn a time budget into text lengths: a question (or follow-up)
# should take at most a tenth of its budget to read; the model answer should be sayable, typed,
# within the budget.
READING_WORDS_PER_MINUTE = 200
READ_SHARE = 0.1
TYPING_WORDS_PER_MINUTE = 40
DEFAULT_BUDGET_MINUTES = 5.0

_HIRE = next(low for low, name in BANDS if name == "hire")
_LEAN_HIRE = next(low for low, name in BANDS if name == "lean hire")

# Everyday and generic engineering words: as the only word of a term they match answers that
# say nothing about the point. Compared by stem, so plurals and verb forms count too.
_COMMON_WORDS = """
    able above access action add answer api app application approach area around aspect back bad
    base basic best better big bit build business call case cause change check choice choose
    clear client cloud code common company complex component computer concept configuration
    consider control copy correct cost create current customer data day deal decision default
    design detail different do done easy effect end engineer engineering environment error event
    example fail failure fast feature file fine first fix flow form function general give go
    good great group handle happen hard help high idea implement important improve information
    input instance issue item job keep key kind know large layer level life limit line list load
    local long look lot low machine main manage many matter mean method minute mode model more
    move need network new next node number object old operation option order output part people
    performance place plan platform point policy possible practice problem process product
    production program project provide put quick range rate reason request require resource
    response result right risk rule run safe same scale second security see send server service
    set setting simple single size slow small software solution solve something speed start state
    step stop storage support sure system take task team test thing think time tool traffic try
    type understand unit update usage use user value version view want way well work workload
    write wrong year
"""
_COMMON_STEMS = frozenset(content_stems(_COMMON_WORDS))


@dataclass(frozen=True, slots=True)
class Finding:
    """One warning: which check, where (question and part), and what to do about it."""

    check: str
    question_id: str | None
    part: str  # "point 'x'", "red flag 'y'", "follow-up 2", or "" for the question itself
    message: str

    def describe(self) -> str:
        where = [f"question {self.question_id!r}"] if self.question_id else []
        if self.part:
            where.append(self.part)
        return ", ".join([*where, self.message])


def lint_pack(pack: Pack, default_minutes: float = DEFAULT_BUDGET_MINUTES) -> list[Finding]:
    """Every warning for `pack`, question by question, in file order."""
    findings: list[Finding] = []
    for question in pack.questions:
        minutes = question.time_budget_minutes or pack.pack.time_budget_minutes or default_minutes
        findings += _lint_question(question, minutes)
    return findings


def _lint_question(question: Question, minutes: float) -> list[Finding]:
    found: list[Finding] = []

    def warn(check: str, part: str, message: str) -> None:
        found.append(Finding(check, question.id, part, message))

    for point in question.rubric:
        part = f"point {point.id!r}"
        if len(point.terms) < MIN_TERMS:
            warn(
                "few-terms",
                part,
                f"only {len(point.terms)} term{'s' if len(point.terms) != 1 else ''}: list at "
                f"least {MIN_TERMS} of the ways candidates say it (synonyms, abbreviations, "
                "names written both ways)",
            )
        for term in point.terms:
            problem = _vague(term)
            if problem:
                warn("vague-term", part, problem)
    for flag in question.red_flags:
        part = f"red flag {flag.id!r}"
        for term in flag.terms:
            vague = _vague(term)
            if vague:
                warn("vague-term", part, vague)
            elif hollow := _hollow(term):
                warn("hollow-flag", part, hollow)
    for first, second, why in _similar_points(question):
        warn("same-points", f"points {first!r} and {second!r}", why)
    for term, owners in _shared_terms(question):
        warn(
            "shared-term",
            f"term {term!r}",
            f"listed under {' and '.join(map(repr, owners))}: one phrase earns all of them; "
            "keep it where it belongs",
        )
    for index, follow_up in enumerate(question.follow_ups, start=1):
        if not _touches(follow_up.text, [question.point(p) for p in follow_up.probes]):
            warn(
                "follow-up-off-point",
                f"follow-up {index}",
                f"shares no word with the points it probes ({', '.join(follow_up.probes)}): "
                "make it ask about them, or probe the points it does ask about",
            )
    if not question.red_flags:
        warn(
            "no-red-flags",
            "",
            "no red flags: add the misconceptions that should cost points",
        )
    if not question.model_answer and not (question.reference_answer or "").strip():
        warn("no-model-answer", "", "no model answer: add an outline of what a strong answer says")
    dominant = _dominant(question)
    if dominant:
        warn("dominant-point", *dominant)
    found += _lengths(question, minutes)
    return found


def _words(text: str) -> list[str]:
    return list(analyse(text).words)


def _vague(term: str) -> str:
    """Why a term matches too much, or "" when it does not."""
    words = _words(term)
    if words and all(w in STOPWORDS or w in NEGATORS for w in words):
        return (
            f"term {term!r} has no word of substance: the grader matches the bare wording "
            f"{' '.join(words)!r} wherever it appears; name the thing itself"
        )
    if len(words) == 1 and content_stems(words[0])[0] in _COMMON_STEMS:
        return (
            f"term {term!r} is a common word that answers missing the point use too; "
            "make it a phrase that only this point would use"
        )
    return ""


def _hollow(term: str) -> str:
    """A red-flag term whose claim lives in a word the grader drops.

    The grader matches a term by its content words, so "envoy must be restarted" is matched as
    "envoy" near "restarted", and "linkerd uses envoy" as "linkerd" near "envoy": the modal or
    verb that made it a misconception is gone, and a correct answer that says those words close
    together is penalised. Negations and "always", "every", "only" are matched, so terms that
    rest on them are fine.
    """
    compiled = compile_term(term)
    if compiled is None or compiled.ordered or NEG in compiled.slots or ALL in compiled.slots:
        return ""
    kept = [w for w, s in zip(compiled.words, compiled.slots, strict=True)]
    dropped = [w for w in _words(term) if w in _CLAIM_WORDS]
    if len(kept) > 2 or not dropped:
        return ""
    return (
        f"term {term!r} is matched as {' '.join(kept)!r} alone (the grader drops "
        f"{', '.join(map(repr, dropped))}): a correct answer that says those words close "
        "together is penalised; state the wrong claim in content words, or with not, always "
        "or only"
    )


# Function words that carry a claim in a red flag ("just use X", "X must be restarted").
_CLAIM_WORDS = frozenset(
    {"just", "use", "uses", "used", "using", "should", "must", "can", "will", "make", "makes",
     "get", "gets"}
)  # fmt: skip


def _similar_points(question: Question) -> Iterable[tuple[str, str, str]]:
    points = question.rubric
    for i, first in enumerate(points):
        for second in points[i + 1 :]:
            a, b = set(content_stems(first.description)), set(content_stems(second.description))
            overlap = len(a & b) / len(a | b) if a | b else 0.0
            if overlap >= SAME_DESCRIPTION:
                yield (
                    first.id,
                    second.id,
                    f"their descriptions share {overlap:.0%} of their words: merge them, or "
                    "say what tells them apart",
                )
                continue
            terms_a = {_key(t) for t in first.terms}
            terms_b = {_key(t) for t in second.terms}
            shared = len(terms_a & terms_b) / min(len(terms_a), len(terms_b))
            if shared >= SAME_TERMS:
                yield (
                    first.id,
                    second.id,
                    f"{shared:.0%} of the terms of one are also terms of the other: merge them, "
                    "or give each its own terms",
                )


def _key(term: str) -> str:
    """A term as the grader compares it: its stems, in order."""
    doc = analyse(term)
    return " ".join(doc.stems)


def _shared_terms(question: Question) -> Iterable[tuple[str, list[str]]]:
    owners: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for point in question.rubric:
        for term in point.terms:
            key = _key(term)
            if point.id not in owners.setdefault(key, []):
                owners[key].append(point.id)
            shown.setdefault(key, term)
    for key, ids in owners.items():
        if len(ids) > 1:
            yield shown[key], ids


def _touches(text: str, points: list[object]) -> bool:
    asked = set(content_stems(text))
    for point in points:
        description = getattr(point, "description", "")
        terms = getattr(point, "terms", ())
        said = set(content_stems(" ".join([description, *terms])))
        if asked & said:
            return True
    return False


def _dominant(question: Question) -> tuple[str, str] | None:
    """A point heavy enough that covering it alone, or missing it alone, decides the band."""
    if len(question.rubric) < 2:
        if question.rubric:
            point = question.rubric[0]
            return (
                f"point {point.id!r}",
                "the only rubric point: the grade is all or nothing; split it into the "
                "separate things a good answer shows",
            )
        return None
    total = sum(p.weight for p in question.rubric)
    for point in question.rubric:
        share = point.weight / total
        alone, without = 10 * share, 10 * (1 - share)
        if alone >= _HIRE or without < _LEAN_HIRE:
            what = (
                f"an answer with only this point scores {alone:.1f}"
                if alone >= _HIRE
                else f"a perfect answer without it scores {without:.1f}"
            )
            return (
                f"point {point.id!r}",
                f"weight {point.weight:g} of {total:g} decides the grade alone ({what}): "
                "lower it or split it",
            )
    return None


def _lengths(question: Question, minutes: float) -> list[Finding]:
    found = []
    readable = round(READING_WORDS_PER_MINUTE * minutes * READ_SHARE)
    typeable = round(TYPING_WORDS_PER_MINUTE * minutes)
    budget = f"{minutes:g}-minute budget"
    texts = [("", "the question", question.text)]
    texts += [
        (f"follow-up {i}", "the follow-up", f.text) for i, f in enumerate(question.follow_ups, 1)
    ]
    for part, name, text in texts:
        count = len(text.split())
        if count > readable:
            found.append(
                Finding(
                    "long-text",
                    question.id,
                    part,
                    f"{name} is {count} words, more than a tenth of its {budget} takes to read "
                    f"({readable} words at {READING_WORDS_PER_MINUTE} a minute): shorten it",
                )
            )
    answer = " ".join(question.model_answer) or (question.reference_answer or "")
    count = len(answer.split())
    if count > typeable:
        name = "model answer" if question.model_answer else "reference answer"
        found.append(
            Finding(
                "long-text",
                question.id,
                name,
                f"{count} words, more than a candidate types in its {budget} ({typeable} "
                f"words at {TYPING_WORDS_PER_MINUTE} a minute): cut it to the essentials "
                "or raise time_budget_minutes",
            )
        )
    return found
