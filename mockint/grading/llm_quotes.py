"""Is a model's quote really in the answer? Checked the way a careful reader would check it.

Models do not copy character for character. They drop a word ("with the last known
configuration" for "with the last known good configuration"), add backticks round a name, join
two bullet lines with ", ", write "control plane" for "control-plane", drop parentheses, turn a
":" into "—", or stop mid-word at the length cap. A reader accepts all of these; a reader does
not accept a quote the answer does not contain, real text with an invented continuation, or
pieces glued with "..." from far-apart places to say what the answer does not.

So quotes and answers are compared as sequences of normalised words (case, typography,
markdown marks, bullets, punctuation and hyphens do not count), in order:

- at least 90% of the quote's words are found in order, with no run of 3 or more unmatched
  words; the quote's last word is found (or is the start of the answer's word, for a quote
  cut at the cap); the answer's words the quote skips are few and never a negation;
- "..." splits a quote into pieces that must each match, in order, close together;
- a red-flag quote costs the candidate points, so it needs a contiguous match;
- no piece may start right after a negation the quote leaves out ("does not stop" is not
  "stop"), nor reach across text aimed at the grader, which is cut out of the evidence.

The answer's words are split without splitting tokens: "Istio 1.22", "99.9%", "e.g.",
"svc.cluster.local" and "values.yaml" read the same in the quote and in the answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mockint.grading.injection import is_injection, sentence_spans
from mockint.grading.text import clean

FOUND_SHARE = 0.9  # of the quote's words, found in order
MAX_UNMATCHED_RUN = 2  # consecutive quote words not in the answer
MAX_SKIP = 2  # answer words skipped between two matched quote words
SKIP_SHARE = 0.1  # answer words skipped in all, as a share of the quote's words (at least 1)
MAX_ELLIPSIS_GAP = 30  # answer words between two "..." pieces
MIN_CHARS = 3  # letters or digits a quote needs to show anything
QUOTE_CAP = 160  # characters: the reply schema's limit, stated in the prompt
CUT_SHARE = 0.9  # a quote this close to the cap may end in the first letters of a word

_WORD = re.compile(r"[^\W_]+")
_BULLET = re.compile(r"(?m)^[ \t>]*(?:[-*+•‣◦]|\d{1,3}[.)]|[a-z][.)])[ \t]+")
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]{}!?\"—–]|\.(?!\w)|\s-+\s")
_ELLIPSIS = re.compile(r"\.\.\.+|…|\[\.\.\.\]")
_NEGATIONS = frozenset({"not", "no", "never", "cannot", "t", "nor", "neither", "nothing", "none"})
GAP = "\u241e"  # stands where text aimed at the grader was cut out


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", clean(text)).casefold()


@dataclass(frozen=True)
class Evidence:
    """The answer as quotes are checked against it: its words, where each clause starts, where
    each word occurs, and gaps where text addressed to the grader was cut out."""

    words: tuple[str, ...]
    clause_start: tuple[bool, ...]
    positions: dict[str, list[int]]
    addressed_grader: tuple[str, ...] = ()  # the sentences cut out

    @classmethod
    def of(cls, answer: str) -> Evidence:
        words: list[str] = []
        starts: list[bool] = []
        addressed: list[str] = []
        for start, end in sentence_spans(answer):
            sentence = answer[start:end]
            if is_injection(sentence):
                addressed.append(sentence.strip())
                if not words or words[-1] != GAP:
                    words.append(GAP)
                    starts.append(True)
                continue
            text = _BULLET.sub("\n", _normalise(sentence))
            previous = 0
            for match in _WORD.finditer(text):
                between = text[previous : match.start()]
                words.append(match.group(0))
                starts.append(
                    previous == 0 or "\n" in between or bool(_CLAUSE_BREAK.search(between))
                )
                previous = match.end()
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            positions.setdefault(word, []).append(index)
        return cls(tuple(words), tuple(starts), positions, tuple(addressed))

    def __len__(self) -> int:
        return len(self.words)


def quote_words(quote: str) -> list[list[str]]:
    """The quote's pieces (split at "..."), each a list of normalised words."""
    pieces = []
    for part in _ELLIPSIS.split(quote):
        words = _WORD.findall(_BULLET.sub("\n", _normalise(part)))
        if words:
            pieces.append(words)
    return pieces


@dataclass
class _Fit:
    start: int  # index of the first matched answer word
    end: int  # one past the last matched answer word
    found: int  # quote words found
    skipped: int  # answer words skipped inside the match


def _negated_before(evidence: Evidence, position: int) -> bool:
    """A negation just before `position`, in the same clause ("does not stop" vs "stop")."""
    words = evidence.words
    index = position
    for _ in range(2):
        if evidence.clause_start[index]:
            return False
        index -= 1
        if index < 0 or words[index] == GAP:
            return False
        if words[index] in _NEGATIONS:
            # "not only X but also Y" still says X
            return not (words[index] == "not" and words[index + 1] == "only")
    return False


def _same(answer_word: str, quote_word: str, may_cut: bool) -> bool:
    return answer_word == quote_word or (may_cut and answer_word.startswith(quote_word))


def _fit_from(
    piece: list[str], evidence: Evidence, anchor: int, first: int, *, cut: bool, exact: bool
) -> _Fit | None:
    """Align `piece` to the answer, greedily, with piece[first] at answer word `anchor`."""
    words = evidence.words
    size = len(words)
    found, skipped, run = 1, 0, first
    position = anchor + 1
    last = len(piece) - 1
    steps = 1 if exact else MAX_SKIP + 1
    for index in range(first + 1, len(piece)):
        word = piece[index]
        may_cut = cut and index == last
        hit = None
        for at in range(position, min(position + steps, size)):
            if words[at] == GAP:
                break
            if _same(words[at], word, may_cut):
                hit = at
                break
        if hit is not None:
            if any(w in _NEGATIONS for w in words[position:hit]):
                return None  # the quote leaves out a negation of the answer
            skipped += hit - position
            found += 1
            run = 0
            position = hit + 1
            continue
        if exact or word in _NEGATIONS:
            return None  # contiguous match needed, or a negation the answer does not have
        run += 1
        if run > MAX_UNMATCHED_RUN:
            return None
        # a changed word: step over the answer's word when the next quote word follows it
        following = piece[index + 1] if index < last else None
        if (
            following is not None
            and position + 1 < size
            and words[position] not in (GAP, following)
            and _same(words[position + 1], following, cut and index + 1 == last)
        ):
            position += 1
    if run:
        return None  # the quote ends in words the answer does not have
    return _Fit(anchor, position, found, skipped)


def _fits(
    piece: list[str], evidence: Evidence, lo: int, hi: int, *, cut: bool, exact: bool, any_fit: bool
) -> list[_Fit]:
    """Every way `piece` fits with its first found word between answer words lo and hi, best
    first; with `any_fit`, a perfect fit ends the search (nothing can follow it)."""
    words = evidence.words
    fits: list[_Fit] = []
    last = len(piece) - 1
    # The piece's first word must be found, or a long quote may open with one changed word.
    openings = (0, 1) if not exact and len(piece) >= 3 and piece[0] not in _NEGATIONS else (0,)
    for first in openings:
        head = piece[first]
        if cut and first == last:  # a one-word piece cut at the cap
            anchors = [i for i, w in enumerate(words) if w.startswith(head)]
        else:
            anchors = evidence.positions.get(head, [])
        # Cheap test before aligning: the next word (or the one after, if changed) is near.
        near = [] if cut and first + 1 == last else piece[first + 1 : first + 3]
        for anchor in anchors:
            if not lo <= anchor < hi:
                continue
            if near:
                window = words[anchor + 1 : anchor + MAX_SKIP + 4]
                if near[0] not in window and (exact or len(near) < 2 or near[1] not in window):
                    continue
            if _negated_before(evidence, anchor):
                continue
            fit = _fit_from(piece, evidence, anchor, first, cut=cut, exact=exact)
            if fit is None:
                continue
            if any_fit and fit.found == len(piece) and not fit.skipped:
                return [fit]
            fits.append(fit)
    fits.sort(key=lambda f: (-f.found, f.skipped, f.start))
    return fits


def cut_at_cap(quote: str, cap: int = QUOTE_CAP) -> bool:
    """Was the quote stopped short (at the length cap, or ending in "...")? Its last word may
    then be the start of the answer's word."""
    stripped = quote.rstrip()
    return len(stripped) >= CUT_SHARE * cap or stripped.endswith(("...", "…"))


def quote_matches(
    quote: str, evidence: Evidence, *, contiguous: bool = False, cap: int = QUOTE_CAP
) -> bool:
    """True when a careful reader would accept `quote` as words of the answer.

    `contiguous`: the words must follow one another exactly (red flags, which cost points).
    """
    pieces = quote_words(quote)
    was_cut = cut_at_cap(quote, cap)
    if sum(len(w) for piece in pieces for w in piece) < MIN_CHARS:
        return False
    if contiguous and len(pieces) > 1:
        return False
    total = sum(len(piece) for piece in pieces)
    allowed_skips = max(1, round(SKIP_SHARE * total))
    known = sum(1 for piece in pieces for word in piece if word in evidence.positions)
    if known + 1 < FOUND_SHARE * total:
        return False  # most of it is not in the answer at all: no need to align

    def chain(index: int, lo: int, hi: int, found: int, skipped: int) -> bool:
        if index == len(pieces):
            return found >= FOUND_SHARE * total and skipped <= allowed_skips
        final = index == len(pieces) - 1
        cut = was_cut and final
        fits = _fits(pieces[index], evidence, lo, hi, cut=cut, exact=contiguous, any_fit=final)
        for fit in fits:
            if index and GAP in evidence.words[lo : fit.start]:
                continue  # "..." may not reach across text cut out of the evidence
            end = fit.end + MAX_ELLIPSIS_GAP + 1
            if chain(index + 1, fit.end, end, found + fit.found, skipped + fit.skipped):
                return True
        return False

    return chain(0, 0, len(evidence), 0, 0)
