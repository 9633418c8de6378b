"""Rubric terms and where they occur in an answer: compiled terms, matches, negation reach.

A term ("proxy next to each service", "without code changes") is compiled once into the
stems it needs, in the same normal form `text.analyse` gives answers; a match may skip a few
words, forgive a typo in a long word, and is denied when a negator in its clause reaches it
(before it, or as the predicate after it: "mTLS has nothing to do with identity").
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz.distance import OSA

from mockint.grading.text import (
    AUXILIARIES,
    STOPWORDS,
    Analysed,
    analyse,
    is_content,
)

# What a passive negated predicate is made of ("the certificate is never verified").
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_IRREGULAR_PARTICIPLES = frozenset(
    {
        "done", "made", "set", "sent", "kept", "built", "known", "shown", "seen", "given",
        "taken", "run", "held", "put", "read", "paid", "found", "left", "lost", "told",
    }
)  # fmt: skip
NEG = "\x00neg"  # the key every negator shares, so "no code changes" = "without code changes"
# Quantifiers a term cannot lose: they share a key, so "every team" matches "always".
ALL = "\x00all"
UNIVERSAL = frozenset({"all", "every", "each", "always", "any"})
# Extra words allowed inside a match ("data plane does not stop": two between "plane" and "stop").
MATCH_SLACK = 3
# ... inside a match of a red flag's term. A misconception is a whole claim, said with the
# adjectives and asides of a sentence ("Envoy is a lightweight proxy written in Go" for
# "envoy is written in go"), where a rubric term is a name or a short phrase. On our four
# labelled sets two more words let only contradicting answers raise more flags.
CLAIM_SLACK = MATCH_SLACK + 2
# How far back a negator reaches to the start of a match (same clause only): a rubric term
# a word further ("has no real cost even at very high request rates") than a word of a
# reference answer, which is matched alone and anywhere (a longer reach there lost agreement
# on Mohler et al.: the negation of one claim took the next one's words).
NEGATION_LOOKBACK = 6
TERM_NEGATION_LOOKBACK = 7
FUZZY_MIN_LENGTH = 5
FUZZY_TWO_EDITS = 11  # words this long may have two typos


@dataclass(frozen=True, slots=True)
class Term:
    """A compiled rubric term: the stems to find, in order of the term's wording."""

    text: str
    slots: tuple[str, ...]  # stems; NEG for a negation that is part of the term
    words: tuple[str, ...]  # the folded words behind the slots (for typo matching)
    window: int  # the most tokens a match may span
    ordered: bool  # function-word terms ("if you need") must keep their order
    reach: int = NEGATION_LOOKBACK  # how far back a negator before the match reaches


def compile_term(text: str, *, slack: int = MATCH_SLACK) -> Term | None:
    """Content words (and the term's own negations) become slots; None if nothing is left.
    `slack` is how many extra words a match may hold (function-word terms allow one)."""
    doc = analyse(text)
    slots: list[str] = []
    words: list[str] = []
    for word, stem_, negator in zip(doc.words, doc.stems, doc.negator, strict=True):
        if negator:
            slots.append(NEG)
            words.append(word)
        elif word in UNIVERSAL:
            # "always use a service mesh" is a red flag, "use a service mesh" is not
            slots.append(ALL)
            words.append(word)
        elif is_content(word) or word == "only":
            slots.append(stem_)
            words.append(word)
    ordered = False
    if sum(1 for s in slots if s != NEG) < 1 or (len(slots) == 1 and len(doc.words) > 1):
        # Mostly function words ("if you need", "in the kernel"): match the wording itself.
        slots = [NEG if n else s for s, n in zip(doc.stems, doc.negator, strict=True)]
        words = list(doc.words)
        ordered = True
    if not slots:
        return None
    window = len(slots) + (1 if ordered else slack)
    return Term(text, tuple(slots), tuple(words), window, ordered, TERM_NEGATION_LOOKBACK)


@dataclass(frozen=True, slots=True)
class Match:
    term: Term
    start: int
    end: int
    negated: bool
    fuzzy: bool
    # The term is the subject of a negated predicate ("X does not ..."): that denies a point
    # unless the point's own wording denies something too (see `negated_predicate`).
    denied: bool = False


class AnswerIndex:
    """Where each stem occurs in an answer, with typos corrected against a vocabulary.

    `vocabulary` maps folded words of the question's terms to their stems; an answer word that
    is not a known stem but is one edit away from a vocabulary word of 5+ letters (two for 11+),
    with the same first letter and not only a different ending, is indexed under that stem too.
    """

    __slots__ = ("fuzzy", "positions")

    def __init__(self, doc: Analysed, vocabulary: Vocabulary) -> None:
        positions: dict[str, list[int]] = {}
        fuzzy: set[int] = set()
        known = vocabulary.stems
        for position, (word, stem_) in enumerate(zip(doc.words, doc.stems, strict=True)):
            key = NEG if doc.negator[position] else stem_
            positions.setdefault(key, []).append(position)
            if word in UNIVERSAL:
                positions.setdefault(ALL, []).append(position)
            if key is stem_ and stem_ not in known and len(word) >= FUZZY_MIN_LENGTH:
                corrected = vocabulary.correct(word)
                if corrected is not None and corrected != stem_:
                    positions.setdefault(corrected, []).append(position)
                    fuzzy.add(position)
        for values in positions.values():
            values.sort()
        self.positions = positions
        self.fuzzy = fuzzy


class Vocabulary:
    """The words of a question's terms, for typo correction (results cached per word)."""

    def __init__(self, words: dict[str, str]) -> None:
        self.stems: frozenset[str] = frozenset(words.values())
        self._by_initial: dict[str, list[tuple[str, str]]] = {}
        for word, stem_ in words.items():
            if len(word) >= FUZZY_MIN_LENGTH and word.isalpha():
                self._by_initial.setdefault(word[0], []).append((word, stem_))
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        if word in self._cache:
            return self._cache[word]
        result = None
        if word.isalpha() and word not in STOPWORDS:
            budget = 2 if len(word) >= FUZZY_TWO_EDITS else 1
            best = budget + 1
            for candidate, stem_ in self._by_initial.get(word[0], ()):
                if abs(len(candidate) - len(word)) > budget:
                    continue
                distance = OSA.distance(word, candidate, score_cutoff=budget)
                if distance < best and _typo_like(word, candidate, distance):
                    best, result = distance, stem_
        if len(self._cache) < 50000:
            self._cache[word] = result
        return result


def _typo_like(word: str, candidate: str, distance: int) -> bool:
    """A different ending of the same length is a different word, not a typo ("served" vs
    "server", "controller" vs "controlled"); a dropped or doubled letter is ("kubernets")."""
    if distance == 0:
        return False
    return len(candidate) != len(word) or word[:-2] != candidate[:-2]


def negated_before(
    doc: Analysed,
    position: int,
    ignore: set[int] | None = None,
    reach: int = NEGATION_LOOKBACK,
) -> bool:
    """Whether a negator up to `reach` words before `position`, in the same clause, reaches it
    ("does not really encrypt"); negators at the positions in `ignore` do not count."""
    clause = doc.clause[position]
    for p in range(position - 1, max(-1, position - 1 - reach), -1):
        if doc.clause[p] != clause:
            return False
        if doc.negator[p] and (ignore is None or p not in ignore):
            return True
    return False


def negated_after(doc: Analysed, position: int) -> bool:
    """Whether a negated passive right after `position` denies it: "the client certificate is
    never verified", "certificates are not rotated". In the active voice ("the class does not
    include a constructor") the negation belongs to the predicate, not to the subject."""
    clause = doc.clause[position]
    negated = passive = False
    for p in range(position + 1, min(len(doc.words), position + 6)):
        word = doc.words[p]
        if doc.clause[p] != clause:
            return False
        if doc.negator[p]:
            negated = True
        elif word in _BE:
            passive = True
        elif word not in AUXILIARIES:
            return negated and passive and _looks_like_participle(word)
    return False


# Words that may stand between a subject and its negated verb ("mTLS really does not",
# "retries are also never safe", "the sidecar by itself is not").
_PREDICATE_FILLERS: frozenset[str] = frozenset(
    {
        "really", "actually", "also", "still", "even", "just", "necessarily", "always",
        "usually", "generally", "typically", "basically", "simply", "alone", "itself",
        "themselves", "by", "then", "here", "there", "today", "anymore", "certainly",
    }
)  # fmt: skip
# How many words after a term its negated predicate may start ("X on its own really does not"),
# and how many of them may be content words that continue the subject ("X routing is not").
PREDICATE_REACH = 5
SUBJECT_NOUNS = 1
# Negators that deny a predicate ("is not", "has nothing to do with", "never helps"); "without"
# and "nor" join phrases instead ("X without Y", "neither X nor Y").
_PREDICATE_NEGATORS = frozenset({"not", "no", "never", "nothing", "none"})
# A clause that opens with these states a condition, not a fact: "if the error rate does not
# recover, roll back" asserts nothing about the error rate.
_CONDITIONS = frozenset({"if", "unless", "when", "whenever", "until", "once", "whether"})


def negated_predicate(doc: Analysed, position: int) -> bool:
    """Whether the term ending at `position` is the subject of a negated predicate in its
    clause: "mTLS has nothing to do with identity", "the sidecar is not a hard requirement",
    "retries are never safe here", "circuit breaking does not help".

    Only an auxiliary followed by a negator ("is not", "does not", "has nothing", "won't") or a
    bare "never" counts, right after the term (a few adverbs allowed), so "the sidecar, not the
    app" (another clause), "X is not only A but B" (not a negator), "X and not Y" and "X that
    does not ..." (something else is negated) keep their credit. A double negative ("is not
    without cost") and a condition ("if the proxy does not start, ...") deny nothing.
    """
    clause = doc.clause[position]
    start = position
    while start > 0 and doc.clause[start - 1] == clause:
        start -= 1
    if doc.words[start] in _CONDITIONS:
        return False
    auxiliary = False
    nouns = 0
    for p in range(position + 1, min(len(doc.words), position + 1 + PREDICATE_REACH)):
        if doc.clause[p] != clause:
            return False
        word = doc.words[p]
        if doc.negator[p]:
            if word not in _PREDICATE_NEGATORS or not (auxiliary or word == "never"):
                return False
            following = p + 1
            return not (
                following < len(doc.words)
                and doc.clause[following] == clause
                and doc.negator[following]
            )
        if word in AUXILIARIES:
            auxiliary = True
        elif word in _PREDICATE_FILLERS:
            continue
        elif not auxiliary and nouns < SUBJECT_NOUNS and is_content(word):
            nouns += 1  # the subject goes on: "header-based routing is not", "access logs do not"
        else:
            return False
    return False


def has_negated_predicate(text: str) -> bool:
    """Whether a text itself denies something ("proxies do not stop routing", "retries are
    never free"): a rubric point worded so is confirmed, not contradicted, by such a sentence."""
    doc = analyse(text)
    return any(
        doc.negator[p]
        and word in _PREDICATE_NEGATORS
        and (word == "never" or (p > 0 and doc.words[p - 1] in AUXILIARIES))
        for p, word in enumerate(doc.words)
    )


def _looks_like_participle(word: str) -> bool:
    return word.endswith(("ed", "en")) or word in _IRREGULAR_PARTICIPLES


def find_matches(term: Term, doc: Analysed, index: AnswerIndex) -> list[Match]:
    """Every place the term occurs in the answer (one per starting occurrence)."""
    lists = []
    for slot in term.slots:
        found = index.positions.get(slot)
        if not found:
            return []
        lists.append(found)
    if len(lists) == 1:
        return [_make_match(term, doc, index, (p,), set()) for p in lists[0]]
    matches = []
    for anchor in lists[0]:
        chosen = _assemble(term, doc, anchor, lists)
        if chosen is not None:
            consumed = {p for p, s in zip(chosen, term.slots, strict=True) if s == NEG}
            matches.append(_make_match(term, doc, index, chosen, consumed))
    return matches


def _assemble(
    term: Term, doc: Analysed, anchor: int, lists: list[list[int]]
) -> tuple[int, ...] | None:
    """Positions for every slot near `anchor`, in one sentence and within the term's window."""
    sentence = doc.sentence[anchor]
    chosen = [anchor]
    used = {anchor}
    for values in lists[1:]:
        best = None
        for position in values:
            if position in used or doc.sentence[position] != sentence:
                continue
            if term.ordered and position <= chosen[-1]:
                continue
            if abs(position - anchor) >= term.window:
                if position > anchor:
                    break
                continue
            if best is None or abs(position - anchor) < abs(best - anchor):
                best = position
        if best is None:
            return None
        chosen.append(best)
        used.add(best)
    if max(chosen) - min(chosen) >= term.window:
        return None
    if not all(a < b for a, b in pairwise(chosen)) and (
        max(chosen) - min(chosen) > len(chosen) or len({doc.clause[p] for p in chosen}) > 1
    ):
        # Reordered words must stay close and in one clause ("traffic is encrypted" for
        # "encrypts traffic"), or "certificates, so the client" would read "client certificate".
        return None
    return tuple(chosen)


def _make_match(
    term: Term, doc: Analysed, index: AnswerIndex, chosen: tuple[int, ...], consumed: set[int]
) -> Match:
    start, end = min(chosen), max(chosen)
    # Negators inside the match flip it each; one before it or right after it flips it once.
    flips = sum(1 for p in range(start, end + 1) if doc.negator[p] and p not in consumed)
    flips += negated_before(doc, start, consumed, term.reach) or negated_after(doc, end)
    fuzzy = any(p in index.fuzzy for p in chosen)
    negated = flips % 2 == 1
    denied = not negated and negated_predicate(doc, end)
    return Match(term, start, end, negated, fuzzy, denied)
