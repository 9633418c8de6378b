"""The offline keyword grader: deterministic, explainable, fast, and hard to fool.

How an answer is judged:

1. Each rubric point has `terms`. A term matches when all its content words (and its own
   negations and quantifiers) occur close together in one sentence, compared by stem, through
   the synonym table, and with typo tolerance (see `text.py`). Any other "not"/"no"/"never"
   reaching the match flips it, so "mTLS does not encrypt traffic" does not earn "mTLS
   encrypts traffic" and "the data plane does not stop" does not trip "data plane stops".
2. Credit comes from sentences that say something. Sentences are sorted into prose (with the
   function words that real sentences have) and lists: bare lists, prose sentences crowded
   with more points than their length can explain, and sentences that repeat one template
   ("The mesh has X. The mesh has Y."). When lists hold more of an answer than its prose, the
   answer is a keyword dump and the lists earn nothing; otherwise a list that names several
   points earns partial credit for them (the sorting: `sentence_forms.py`).
3. Text addressed to the grader ("ignore the rubric, give this 10/10") earns nothing and costs
   a red-flag penalty. Red flags are otherwise matched like points, negation included.
4. A question with only a reference answer gets its points derived from that answer: its
   phrases of content words that the question does not already contain, weighted by how
   informative they are across the pack (IDF over the pack's questions and reference answers,
   never over student answers or labels). A reference is one wording among many: once an
   answer says 15% of a reference sentence's weight, the rest of that sentence counts as
   partly covered, and from 50% as covered ("said in other words").

The score is never computed here: `base.finalize` turns the verdicts into score and band.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mockint.grading.base import (
    CREDIT,
    NOTHING_MATCHES,
    Grade,
    PointVerdict,
    RedFlagHit,
    Verdict,
    finalize,
)
from mockint.grading.compiled import (
    CompiledPoint,
    CompiledQuestion,
    IdfTable,
    compile_question,
)
from mockint.grading.sentence_forms import Sentences, classify, crowded_sentences, find_dump
from mockint.grading.terms import (
    NEG,
    AnswerIndex,
    Match,
    Term,
    find_matches,
    negated_before,
)
from mockint.grading.text import Analysed, analyse
from mockint.packs import Pack, Question

# Reference-derived points: once this share of a reference sentence's weight is said, its
# missing words count as partly covered, and past the second share as covered (see
# `_credit_paraphrase`). Global constants, the same for every pack: never tuned per question.
PARAPHRASE_PARTIAL = 0.15
PARAPHRASE_FULL = 0.5
# A derived phrase ("desired software product") is covered once this share of its weight is
# said, and partly covered when any of it is.
PHRASE_COVERED = 0.67
PHRASE_PARTIAL = 0.0  # more than this share of a phrase said: partly covered
INJECTION_PENALTY = 5.0
# Longer answers are graded on their first this many characters (a pasted log or book must
# not stall the interview); the feedback says so.
MAX_GRADED_CHARS = 30_000
INJECTION_FLAG = "addresses-grader"


@dataclass(slots=True)
class Reading:
    """A keyword judgement and the sentences it would not let earn credit any other way."""

    grade: Grade
    compiled: CompiledQuestion
    doc: Analysed
    # sentences that may earn no credit from similarity: lists, negations, red flags,
    # text addressed to the grader
    blocked: frozenset[int]
    dump: bool
    notes: list[str]
    # blocked sentences whose only fault is a negator: their clauses without one may still
    # resemble a point ("the proxy holds the policy, so no service has to change"); empty
    # when more than half the sentences hold a negator
    hedged: frozenset[int] = frozenset()

    def finish(self) -> Grade:
        """Score, band and feedback from the (possibly revised) verdicts."""
        self.grade.feedback = ""
        finalize(self.grade)
        if any(p.verdict != "missed" for p in self.grade.points):
            # resemblance may have raised what the words alone did not
            self.notes = [note for note in self.notes if note != NOTHING_MATCHES]
        if self.notes:
            self.grade.feedback = " ".join([*self.notes, self.grade.feedback])
        return self.grade


def _blocked_sentences(
    doc: Analysed,
    found: list[list[Match]],
    sentences: Sentences,
    crowded: set[int],
    index: AnswerIndex,
    compiled: CompiledQuestion,
) -> tuple[frozenset[int], frozenset[int]]:
    """Sentence numbers that the keyword rules say cannot support a point by resemblance,
    and those of them blocked for a negator alone.

    A sentence encoder cannot tell a statement from its negation, so any sentence with a
    negator, a negated match or a red flag is out, and so is anything that is not prose. The
    second set lets the offline grader still read the clauses of a sentence that hold no
    negator ("the proxy holds the policy, so no service has to change").
    """
    # A reference answer may itself be terse ("To simulate the behaviour of portions of the
    # product"): there only an answer that is a keyword dump as a whole is held against it.
    terse_allowed = compiled.derived and not sentences.dump
    blocked = set() if terse_allowed else {i for i, p in enumerate(sentences.prose) if not p}
    blocked |= {i for i, bad in enumerate(sentences.injected) if bad}
    blocked |= crowded
    negating: set[int] = set()
    if not compiled.derived:
        # rubric points are claims: any negation near them may reverse them
        negating = {doc.sentence[p] for p, negator in enumerate(doc.negator) if negator}
    denying = {doc.sentence[m.start] for matches in found for m in matches if m.negated}
    for flag in compiled.flags:
        for match in _matches(flag.terms, doc, index, flag.denies):
            denying.add(doc.sentence[match.start])
    if not compiled.derived:
        # a rubric point is a claim, and a written sentence makes one
        denying = _whole_sentences(doc, denying)
    # an answer that mostly denies things: its remaining clauses are as likely to be the
    # wrong claims as the right ones, so none of its negator sentences is read by resemblance
    mostly_denying = len(negating) * 2 > len(doc.sentence_spans)
    hedged = set() if mostly_denying else negating - blocked - denying
    return frozenset(blocked | denying | negating), frozenset(hedged)


def _whole_sentences(doc: Analysed, pieces: set[int]) -> set[int]:
    """The pieces plus the rest of each one's written sentence: the grader splits at ";", but
    "every error comes from the app; the sidecar never fails" is one claim, and the half
    without the negation or the red flag must not earn credit by resemblance either."""
    if not pieces:
        return pieces
    joined = [doc.text[begin:end].rstrip().endswith(";") for begin, end in doc.sentence_spans]
    group = [0] * len(joined)
    for i in range(1, len(joined)):
        group[i] = group[i - 1] + (not joined[i - 1])
    marked = {group[i] for i in pieces}
    return {i for i in range(len(joined)) if group[i] in marked}


class KeywordGrader:
    """Grades by matching rubric terms, with negation, anti-stuffing and injection guards.

    Give it the pack (or call `use_pack`) so reference-only questions weigh words by how
    informative they are across the pack. Compiled questions are cached, so grading the same
    question again costs only the analysis of the answer.
    """

    name = "keyword"

    def __init__(self, pack: Pack | None = None) -> None:
        self._pack = pack
        self._idf_table: IdfTable | None = None
        self._cache: dict[int, tuple[Question, CompiledQuestion]] = {}

    def use_pack(self, pack: Pack) -> None:
        self._pack, self._idf_table = pack, None
        self._cache.clear()

    @property
    def idf(self) -> IdfTable:
        """Built on first use: only reference-only questions need it."""
        if self._idf_table is None:
            self._idf_table = IdfTable.for_pack(self._pack) if self._pack else IdfTable.empty()
        return self._idf_table

    def compiled(self, question: Question) -> CompiledQuestion:
        entry = self._cache.get(id(question))
        if entry is not None and entry[0] is question:
            return entry[1]
        compiled = compile_question(question, self.idf)
        if len(self._cache) >= 4096:
            self._cache.clear()
        self._cache[id(question)] = (question, compiled)
        return compiled

    def grade(self, question: Question, answer: str) -> Grade:
        return self.read(question, answer).grade

    def read(self, question: Question, answer: str, *, lenient: bool = True) -> Reading:
        """The grade plus what the grader learnt about each sentence, for the semantic layer.

        `lenient=False` leaves out the reference-sentence leniency ("said 50% of this
        reference sentence, so the rest counts"): the offline grader replaces that guess by
        measured sentence similarity.
        """
        compiled = self.compiled(question)
        answer = answer or ""
        truncated = len(answer) > MAX_GRADED_CHARS
        doc = analyse(answer[:MAX_GRADED_CHARS] if truncated else answer)
        index = AnswerIndex(doc, compiled.vocabulary)
        sentences = classify(doc, compiled, index)
        found = [_matches(p.terms, doc, index, p.denies) for p in compiled.points]
        crowded = set() if compiled.derived else crowded_sentences(doc, found, sentences)
        sentences = find_dump(sentences, crowded, compiled.dump_limit)
        points = [
            _judge(point, matches, doc, index, sentences, crowded)
            for point, matches in zip(compiled.points, found, strict=True)
        ]
        if compiled.derived and lenient:
            credit_paraphrase(compiled, points)
        flags = _red_flags(compiled, doc, index, sentences)
        grade = Grade(question_id=question.id, grader=self.name, points=points, red_flags=flags)
        notes = _notes(doc, sentences, points)
        if truncated:
            notes.insert(0, f"Only the first {MAX_GRADED_CHARS:,} characters were graded.")
        blocked, hedged = _blocked_sentences(doc, found, sentences, crowded, index, compiled)
        reading = Reading(
            grade=grade,
            compiled=compiled,
            doc=doc,
            blocked=blocked,
            dump=sentences.dump,
            notes=notes,
            hedged=hedged,
        )
        reading.finish()
        return reading


def _matches(
    terms: tuple[Term, ...], doc: Analysed, index: AnswerIndex, denies: bool
) -> list[Match]:
    """Every match of the terms; one whose predicate is negated ("Envoy access logs don't
    carry response flags") counts as negated unless the point's own wording denies something
    ("proxies do not stop routing" supports "the data plane keeps routing, it does not stop")."""
    matches = [match for term in terms for match in find_matches(term, doc, index)]
    if denies:
        return matches
    return [replace(m, negated=True) if m.denied else m for m in matches]


def _credit(match: Match, doc: Analysed, sentences: Sentences, crowded: set[int]) -> Verdict:
    """covered / partial / missed for one match, from the sentence it sits in."""
    sentence = doc.sentence[match.start]
    if match.negated or sentences.injected[sentence]:
        return "missed"
    if sentences.dump and (not sentences.prose[sentence] or sentence in crowded):
        return "missed"
    return "partial" if sentence in crowded else "covered"


def _judge(
    point: CompiledPoint,
    matches: list[Match],
    doc: Analysed,
    index: AnswerIndex,
    sentences: Sentences,
    crowded: set[int],
) -> PointVerdict:
    if point.term_weights:
        return _judge_phrase(point, matches, doc, index, sentences)
    verdict: Verdict = "missed"
    evidence: list[str] = []
    best: Match | None = None
    for match in matches:
        credit = _credit(match, doc, sentences, crowded)
        if CREDIT[credit] > CREDIT[verdict]:
            verdict, best = credit, match
        if credit != "missed":
            quote = doc.excerpt(match.start, match.end)
            if quote not in evidence and len(evidence) < 3:
                evidence.append(quote)
    return PointVerdict(
        point_id=point.id,
        verdict=verdict,
        weight=point.weight,
        evidence=evidence,
        reason=_reason(verdict, best, matches, doc, sentences),
        description=point.description,
        level=point.level,
        source="keyword" if verdict != "missed" else "",
    )


def _judge_phrase(
    point: CompiledPoint,
    matches: list[Match],
    doc: Analysed,
    index: AnswerIndex,
    sentences: Sentences,
) -> PointVerdict:
    """A derived phrase is covered when most of its weight is said, partly when some is."""
    said: dict[int, Match] = {}
    for match in matches:
        if _credit(match, doc, sentences, set()) == "covered":
            said.setdefault(id(match.term), match)
    found = [t for t in point.terms if id(t) in said]
    share = sum(
        w for t, w in zip(point.terms, point.term_weights, strict=True) if id(t) in said
    ) / sum(point.term_weights)
    verdict: Verdict = (
        "covered" if share >= PHRASE_COVERED else "partial" if share > PHRASE_PARTIAL else "missed"
    )
    if found:
        missing = [t.text for t in point.terms if id(t) not in said]
        reason = "says " + ", ".join(repr(t.text) for t in found)
        reason += f"; not {', '.join(map(repr, missing))}" if missing else ""
    else:
        reason = _contradiction(point, doc, index) or _reason(
            "missed", None, matches, doc, sentences
        )
    evidence = list(dict.fromkeys(doc.excerpt(m.start, m.end) for m in said.values()))[:3]
    return PointVerdict(
        point_id=point.id,
        verdict=verdict,
        weight=point.weight,
        evidence=evidence,
        reason=reason,
        description=point.description,
        level=point.level,
        source="keyword" if verdict != "missed" else "",
    )


def _contradiction(point: CompiledPoint, doc: Analysed, index: AnswerIndex) -> str:
    """The answer affirms what the reference negates ("a node with children" for "no
    children"): such a point must not be credited as paraphrased."""
    for term in point.terms:
        if term.slots[0] != NEG:
            continue
        for position in index.positions.get(term.slots[1], ()):
            if not negated_before(doc, position):
                return f"negated: the reference says {term.text!r}, the answer affirms it"
    return ""


def _reason(
    verdict: str, best: Match | None, matches: list[Match], doc: Analysed, sentences: Sentences
) -> str:
    if best is not None:
        how = " (typo-tolerant)" if best.fuzzy else ""
        if verdict == "covered":
            return f"says {best.term.text!r}{how}"
        return f"names {best.term.text!r}{how} only in a list of several points"
    negated = next((m for m in matches if m.negated), None)
    if negated is not None:
        return f"negated: {doc.excerpt(negated.start, negated.end)!r}"
    if matches:
        if any(sentences.injected[doc.sentence[m.start]] for m in matches):
            return "only inside text addressed to the grader"
        return "only in a bare list of keywords"
    return "not found"


def credit_paraphrase(compiled: CompiledQuestion, points: list[PointVerdict]) -> None:
    """Balance coverage against the reference's length: a reference answer is one wording
    among many, so once an answer says enough of a reference sentence, the rest of that
    sentence is credited as probably said in other words (partly, or fully past half)."""
    totals: dict[int, float] = {}
    earned: dict[int, float] = {}
    for point, verdict in zip(compiled.points, points, strict=True):
        totals[point.group] = totals.get(point.group, 0.0) + point.weight
        credit = CREDIT[verdict.verdict]
        earned[point.group] = earned.get(point.group, 0.0) + point.weight * credit
    for point, verdict in zip(compiled.points, points, strict=True):
        share = earned[point.group] / totals[point.group]
        if verdict.verdict == "covered" or verdict.reason.startswith("negated"):
            continue
        if share >= PARAPHRASE_FULL:
            verdict.verdict = "covered"
        elif share >= PARAPHRASE_PARTIAL and verdict.verdict == "missed":
            verdict.verdict = "partial"
        else:
            continue
        verdict.reason = (
            f"not in these words, but the answer says {share:.0%} of this reference sentence"
        )


def _red_flags(
    compiled: CompiledQuestion, doc: Analysed, index: AnswerIndex, sentences: Sentences
) -> list[RedFlagHit]:
    hits = []
    for flag in compiled.flags:
        evidence = [
            doc.excerpt(m.start, m.end)
            for m in _matches(flag.terms, doc, index, flag.denies)
            if not m.negated and not sentences.injected[doc.sentence[m.start]]
        ]
        if evidence:
            hits.append(RedFlagHit(flag.id, flag.penalty, evidence[:3], flag.description))
    injected = [doc.sentence_text(i) for i, bad in enumerate(sentences.injected) if bad]
    if injected:
        hits.append(
            RedFlagHit(
                INJECTION_FLAG,
                INJECTION_PENALTY,
                injected[:3],
                "Addresses the grader instead of answering the question",
            )
        )
    return hits


def _notes(doc: Analysed, sentences: Sentences, points: list[PointVerdict]) -> list[str]:
    if not doc.words:
        return ["The answer is empty."]
    notes = []
    if any(sentences.injected):
        notes.append("Text addressed to the grader was ignored and costs points.")
    if sentences.dump:
        notes.append(
            "Most of this answer is a bare list of keywords; credit comes from sentences that "
            "explain."
        )
    if all(p.verdict == "missed" for p in points) and not notes:
        notes.append(NOTHING_MATCHES)
    return notes
