"""Text analysis for the offline grader: cleaning, tokens, stems, synonyms, sentences, negation.

Everything the keyword grader compares goes through `analyse()`, answers and rubric terms alike,
so both sides are normalised the same way (Unicode compatibility forms, case folding, accents
dropped, contractions expanded, synonyms mapped to one canonical word, Snowball stems). Each
token keeps its character span in the cleaned text, so evidence can quote the candidate's own
words, and its sentence and clause number, so a phrase never matches across a full stop and a
"not" only reaches to the end of its clause.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from snowballstemmer.english_stemmer import EnglishStemmer

# Function words: they carry grammar, not content. They never earn a point on their own, and
# their share in a sentence is what tells a sentence from a list of buzzwords.
_STOPWORD_TEXT = """
    a about above after again against all almost also although always am among an and any
    anyone anything are around as at be because been before being below between both but by
    can could did do does doing done during each either else even ever every few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just least less let like many may me might more most much must my myself neither
    nor now of often on one only onto or other others otherwise our ours ourselves
    over own per quite rather really same shall she should since so some something such than that
    the their theirs them themselves then there these they this those though through thus to too
    toward towards under until upon us usually very via was we well were what whatever when
    where whether which while who whom whose why will with within would yet you your yours
    yourself yourselves etc eg ie get gets got make makes made use uses used using
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

# Words that flip the polarity of what follows them in the same clause.
NEGATORS: frozenset[str] = frozenset(
    {"not", "no", "never", "without", "nor", "neither", "none", "nothing", "nobody", "nowhere"}
)
# "not only X but also Y", "no doubt", "no matter": a negator that does not negate.
_NOT_NEGATING_AFTER: dict[str, frozenset[str]] = {
    "not": frozenset({"only", "just", "merely", "simply"}),
    "no": frozenset({"doubt", "matter", "longer"}),
}
AUXILIARIES: frozenset[str] = frozenset(
    {
        "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "can", "could",
        "will", "would", "should", "must", "may", "might", "has", "have", "had", "shall",
    }
)  # fmt: skip
# "... and you never roll back": a coordinated clause with its own subject ends a negation.
_SUBJECTS: frozenset[str] = frozenset(
    {"i", "you", "we", "they", "he", "she", "it", "the", "this", "that", "there", "a", "an"}
)
# Words that start a new clause: a negation before them does not reach past them.
CLAUSE_WORDS: frozenset[str] = frozenset(
    {
        "but", "however", "although", "though", "whereas", "while", "yet", "unless", "except",
        "because", "since", "so", "when", "whenever", "if", "until", "instead", "which", "who",
    }
)  # fmt: skip

# Abbreviations and spelled-out forms that mean the same thing, mapped to one canonical word.
# Generic to software engineering; rubric authors add domain synonyms as extra `terms`.
WORD_SYNONYMS: dict[str, str] = {
    # abbreviations
    "k8s": "kubernetes", "kube": "kubernetes", "%": "percent", "pct": "percent",
    "ms": "millisecond", "msec": "millisecond", "msecs": "millisecond", "db": "database",
    "dbs": "database", "config": "configuration", "configs": "configuration",
    "cfg": "configuration", "cert": "certificate", "certs": "certificate", "app": "application",
    "apps": "application", "authn": "authentication", "authz": "authorization",
    "repo": "repository", "repos": "repository", "infra": "infrastructure", "perf": "performance",
    "env": "environment", "impl": "implementation", "info": "information", "param": "parameter",
    "params": "parameter", "arg": "argument", "args": "argument", "func": "function",
    "var": "variable", "vars": "variable", "init": "initialize", "mem": "memory",
    "lb": "loadbalancer", "lbs": "loadbalancer",
    # verbs
    "utilize": "use", "utilise": "use", "invoke": "call", "invoked": "call", "invokes": "call",
    "halt": "stop", "halts": "stop", "halted": "stop",
    # negations written without an apostrophe
    "cannot": "can not", "dont": "do not", "doesnt": "does not", "didnt": "did not",
    "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not",
    "cant": "can not", "wont": "will not", "shouldnt": "should not", "couldnt": "could not",
    "wouldnt": "would not", "hasnt": "has not", "havent": "have not", "hadnt": "had not",
    "atleast": "at least",
    # irregular plurals the stemmer leaves apart
    "children": "child", "leaves": "leaf", "halves": "half", "indices": "index",
    "vertices": "vertex", "matrices": "matrix", "analyses": "analysis", "criteria": "criterion",
    "people": "person",
    # numbers ("one" stays a function word)
    "zero": "0", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "twenty": "20", "hundred": "100",
}  # fmt: skip
PHRASE_SYNONYMS: dict[tuple[str, ...], str] = {
    ("mutual", "tls"): "mtls",
    ("mutual", "transport", "layer", "security"): "mtls",
    ("per", "cent"): "percent",
    ("load", "balancer"): "loadbalancer",
    ("load", "balancers"): "loadbalancer",
    ("man", "in", "the", "middle"): "mitm",
    ("round", "trip", "time"): "rtt",
    ("time", "to", "live"): "ttl",
}
_PHRASE_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _words, _canonical in sorted(PHRASE_SYNONYMS.items(), key=lambda kv: -len(kv[0])):
    _PHRASE_FIRST.setdefault(_words[0], []).append((_words, _canonical))
_PHRASE_WORDS = frozenset(_PHRASE_FIRST)

# Double-encoded UTF-8 (mojibake) seen in pasted text, and typographic characters.
MOJIBAKE = {
    "â€™": "'",
    "â€˜": "'",
    "â€œ": '"',
    "â€\x9d": '"',
    "â€": '"',
    "â€“": "-",
    "â€”": "-",
    "Ã©": "é",
    "Â": "",
}
# The one table of typographic characters: the keyword grader and the LLM grader's quote check
# (llm_quotes.py) both read text through it.
TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("’‘ʼ‚‛′`", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("\u2010\u2011", "-"),  # hyphen, non-breaking hyphen (not dashes)
    }
)
_HTML_BREAK = re.compile(r"<\s*(?:br|p|li)\s*/?\s*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<\s*/?\s*[a-z][a-z0-9]*\s*/?\s*>", re.IGNORECASE)

# One scan of the text finds tokens, sentence ends and clause breaks.
_SCAN = re.compile(
    r"(?P<tok>\d+(?:\.\d+)+|[^\W_]+(?:\+\+|#)?(?:'[^\W_]+)*|%)"
    r"|(?P<sent>[.!?;]+(?=\s|$|[\"')\]])|\n\s*(?:[-*•]\s+|\d+[.)]\s+)?|\n)"
    r"|(?P<clause>[,:()\[\]{}—–]|\s-+\s)"
)
_ABBREVIATIONS = frozenset({"e", "g", "i", "eg", "ie", "etc", "vs", "cf", "al", "approx"})
_CONTRACTIONS = {"can't": ("can", "not"), "won't": ("will", "not"), "shan't": ("shall", "not")}

# The pure-Python Snowball stemmer, named directly: `snowballstemmer.stemmer()` would switch to
# PyStemmer when that happens to be installed, whose older Snowball version stems a few words
# differently, and grades must not depend on what else is on the machine.
_STEMMER = EnglishStemmer()
# The stemmer keeps its working state on the instance, so two threads stemming at once (the
# offline grader's warm-up and a grade submitted meanwhile) corrupt each other's word.
_STEMMER_LOCK = threading.Lock()


def clean(text: str) -> str:
    """Repair mojibake and typography and turn HTML line breaks into newlines.

    The result is what evidence spans point into, so it stays close to what the person typed.
    """
    if "â" in text or "Ã" in text or "Â" in text:
        for bad, good in MOJIBAKE.items():
            text = text.replace(bad, good)
    text = unicodedata.normalize("NFC", text).translate(TYPOGRAPHY)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _HTML_BREAK.sub("\n", text)
        text = _HTML_TAG.sub(" ", text)
    return text


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Case-fold, apply compatibility normalisation and drop accents ("Naïve" -> "naive")."""
    word = unicodedata.normalize("NFKD", word.casefold())
    if word.isascii():
        return word
    return "".join(ch for ch in word if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a folded word; numbers and symbols are left alone."""
    if not word.isalpha():
        return word
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


@dataclass(frozen=True, slots=True)
class Analysed:
    """A text as parallel token lists (tuples of the same length)."""

    text: str
    words: tuple[str, ...]  # folded surface words after synonym mapping
    stems: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    sentence: tuple[int, ...]
    clause: tuple[int, ...]
    negator: tuple[bool, ...]
    sentence_spans: tuple[tuple[int, int], ...]  # character span of each sentence

    def __len__(self) -> int:
        return len(self.words)

    def excerpt(self, start: int, end: int) -> str:
        """The original words of tokens start..end (inclusive)."""
        return self.text[self.spans[start][0] : self.spans[end][1]]

    def sentence_text(self, index: int) -> str:
        begin, finish = self.sentence_spans[index]
        return self.text[begin:finish].strip()


# token text as typed -> ((word, stem), ...) after folding, contractions and synonyms
_TOKEN_CACHE: dict[str, tuple[tuple[str, str], ...]] = {}


# Where a CamelCase identifier splits into words: AuthorizationPolicy, PodDisruptionBudget,
# HTTPRoute. Never inside a short prefix ("mTLS", "gRPC", "iPhone") or an acronym ("OAuth").
_CAMEL = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z])|(?<=[A-Z]{2})(?=[A-Z][a-z]{2})")


def _token_entry(token: str) -> tuple[tuple[str, str], ...]:
    if not token.islower() and _CAMEL.search(token):
        entry = tuple(piece for part in _CAMEL.split(token) for piece in _token_entry(part))
        if len(_TOKEN_CACHE) < 200000:
            _TOKEN_CACHE[token] = entry
        return entry
    word = fold(token)
    parts = _split_contraction(word) if "'" in word else (word,)
    mapped = [piece for part in parts for piece in WORD_SYNONYMS.get(part, part).split(" ")]
    entry = tuple((piece, stem(piece)) for piece in mapped if piece)
    if len(_TOKEN_CACHE) < 200000:
        _TOKEN_CACHE[token] = entry
    return entry


def _split_contraction(word: str) -> tuple[str, ...]:
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    if word.endswith("n't"):
        return (word[:-3], "not")
    head, _, tail = word.partition("'")
    # "it's", "we're", "service's": keep the word, drop the clitic.
    return (head,) if tail in {"s", "re", "ve", "ll", "d", "m", "t"} else (head + tail,)


def analyse(text: str) -> Analysed:
    """Tokenise, map synonyms, stem, and mark sentences, clauses and negators."""
    cleaned = clean(text)
    words: list[str] = []
    stems: list[str] = []
    spans: list[tuple[int, int]] = []
    sentences: list[int] = []
    clauses: list[int] = []
    sentence_spans: list[tuple[int, int]] = []
    sentence = clause = sentence_start = 0
    open_sentence = False
    cache = _TOKEN_CACHE
    for match in _SCAN.finditer(cleaned):
        kind = match.lastgroup
        if kind == "tok":
            token = match.group()
            entry = cache.get(token) or _token_entry(token)
            span = match.span()
            for word, stem_ in entry:
                if word in CLAUSE_WORDS and words:
                    clause += 1
                words.append(word)
                stems.append(stem_)
                spans.append(span)
                sentences.append(sentence)
                clauses.append(clause)
            open_sentence = True
        elif kind == "sent":
            if match.group().startswith(".") and words and words[-1] in _ABBREVIATIONS:
                continue
            if open_sentence:
                sentence_spans.append((sentence_start, match.end()))
                sentence += 1
                clause += 1
                open_sentence = False
            sentence_start = match.end()
        else:
            clause += 1
    if open_sentence:
        sentence_spans.append((sentence_start, len(cleaned)))
    if "and" in words or "or" in words:
        offset = 0
        for index in range(1, len(words)):
            if words[index - 1] in ("and", "or") and words[index] in _SUBJECTS:
                offset += 1
            clauses[index] += offset
    if not _PHRASE_WORDS.isdisjoint(words):
        _merge_phrases(words, stems, spans, sentences, clauses)
    negator = [False] * len(words)
    for index, word in enumerate(words):
        if word in NEGATORS:
            following = words[index + 1] if index + 1 < len(words) else ""
            negator[index] = following not in _NOT_NEGATING_AFTER.get(word, ())
    return Analysed(
        text=cleaned,
        words=tuple(words),
        stems=tuple(stems),
        spans=tuple(spans),
        sentence=tuple(sentences),
        clause=tuple(clauses),
        negator=tuple(negator),
        sentence_spans=tuple(sentence_spans),
    )


def _merge_phrases(
    words: list[str],
    stems: list[str],
    spans: list[tuple[int, int]],
    sentences: list[int],
    clauses: list[int],
) -> None:
    """Replace multi-word synonyms ("mutual tls") by their canonical word, in place."""
    i = 0
    while i < len(words):
        for phrase, canonical in _PHRASE_FIRST.get(words[i], ()):
            end = i + len(phrase)
            if tuple(words[i:end]) == phrase and sentences[end - 1] == sentences[i]:
                words[i:end] = [canonical]
                stems[i:end] = [stem(canonical)]
                spans[i:end] = [(spans[i][0], spans[end - 1][1])]
                sentences[i:end] = [sentences[i]]
                clauses[i:end] = [clauses[i]]
                break
        i += 1


def is_content(word: str) -> bool:
    """A word that can carry meaning on its own: not a function word, not a negator."""
    return word not in STOPWORDS and word not in NEGATORS and (len(word) > 1 or word.isdigit())


def content_stems(text: str) -> list[str]:
    """The stems of the content words of a text, in order (duplicates kept)."""
    doc = analyse(text)
    return [s for w, s in zip(doc.words, doc.stems, strict=True) if is_content(w)]
