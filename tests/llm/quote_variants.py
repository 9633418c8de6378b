"""How capable models quote an answer, as a corpus for the quote check and its benchmark.

An expert answer to the service-mesh pack's first question (sm-01), the passage of it that
shows each rubric point, and the ways models change a passage when they quote it: the variants
a careful reader accepts, and the fabrications a careful reader rejects. tests/llm uses them
through a loopback "capable model" (capable_model.py); bench/quote_variants.py prints the table
of what the quote check accepted before and after it compared word sequences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

QUESTION_ID = "sm-01"

EXPERT_ANSWER = """\
A service mesh is a dedicated infrastructure layer: a network of proxies (one sidecar next \
to each workload) that carries all service-to-service communication, programmed by a \
control-plane, so teams get it without code changes.

What it solves:
- mutual TLS and workload identity for every call
- traffic routing and traffic shifting for canaries
- retries, timeouts and circuit breaking in one place
- golden metrics and distributed tracing for each hop

In one shop we ran Istio 1.22 with 99.9% of calls inside svc.cluster.local, tuned through \
values.yaml, e.g. a retry budget per route.

When not to adopt one: with fewer than ten services it is overkill, and a resilience library, \
an API gateway or TLS at the load balancer does the job. The value shows around 30-50 \
services, when per-service configuration becomes unmanageable. A mesh does not help with \
asynchronous messaging over Kafka or SQS, nor with deployment tooling or an immature \
Kubernetes platform. It also costs something to run: control plane availability, proxy \
resource use, config management and upgrade coordination, so adopting it too early is a \
common and expensive mistake that teams regret for years.
"""

# The words of the answer that show each rubric point of sm-01, as a capable model finds them.
PASSAGES = {
    "definition": "a network of proxies (one sidecar next to each workload) that carries all "
    "service-to-service communication, programmed by a control-plane, so teams get it without "
    "code changes",
    "capabilities": "- mutual TLS and workload identity for every call\n- traffic routing and "
    "traffic shifting for canaries\n- retries, timeouts and circuit breaking in one place",
    "scale-threshold": "with fewer than ten services it is overkill",
    "simpler-alternatives": "a resilience library, an API gateway or TLS at the load balancer "
    "does the job",
    "wrong-problem": "A mesh does not help with asynchronous messaging over Kafka or SQS, nor "
    "with deployment tooling or an immature Kubernetes platform",
    "operational-cost": "It also costs something to run: control plane availability, proxy "
    "resource use, config management and upgrade coordination, so adopting it too early is a "
    "common and expensive mistake",
}

# A weak answer: the capable model judges it honestly, the inventing model claims every point.
WEAK_ANSWER = (
    "A service mesh is a tool that helps microservices. It is modern and most companies use "
    "one, so I would recommend it."
)

QUOTE_CAP = 160


def _drop_word(text: str) -> str:
    words = text.split(" ")
    middle = len(words) // 2
    while words[middle].lower() in ("not", "no", "never") or not words[middle].isalpha():
        middle += 1
    return " ".join(words[:middle] + words[middle + 1 :])


def _backticks(text: str) -> str:
    for name in ("TLS", "Kafka", "control-plane", "sidecar", "API gateway", "control plane"):
        if name in text:
            return text.replace(name, f"`{name}`", 1)
    longest = max(re.findall(r"[A-Za-z]+", text), key=len)
    return text.replace(longest, f"`{longest}`", 1)


def _bold(text: str) -> str:
    longest = max(re.findall(r"[A-Za-z]+", text), key=len)
    return text.replace(longest, f"**{longest}**", 1)


def _join_bullets(text: str) -> str:
    lines = [re.sub(r"^\s*[-*]\s+", "", line) for line in text.splitlines()]
    return ", ".join(line for line in lines if line)


def _unhyphenate(text: str) -> str:
    return re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)


def _no_parentheses(text: str) -> str:
    return text.replace("(", "").replace(")", "")


def _colon_dash(text: str) -> str:
    return text.replace(":", " —")


def _curly(text: str) -> str:
    return "“" + text.replace("'", "’") + "”"


def _cut_at_cap(text: str) -> str:
    """From the passage's start, as much of the answer as fits, cut mid-word at the cap."""
    start = EXPERT_ANSWER.index(text[:40])
    cut = EXPERT_ANSWER[start : start + QUOTE_CAP]
    if cut[-1].isalpha() and EXPERT_ANSWER[start + QUOTE_CAP].isalpha():
        return cut
    return cut[:-2]  # make sure the last word is cut in the middle


def _near_ellipsis(text: str) -> str:
    words = text.split()
    return " ".join(words[:4]) + " ... " + " ".join(words[-4:])


def _changed_word(text: str) -> str:
    words = text.split(" ")
    for index in range(len(words) // 2, len(words)):
        if words[index] in ("and", "or", "the", "a", "by", "with", "for", "to"):
            swap = {"and": "plus", "or": "and", "the": "a", "a": "the", "by": "from"}
            words[index] = swap.get(words[index], "via")
            return " ".join(words)
    return text


def _invented(text: str) -> str:
    return "the mesh replaces the CI/CD pipeline and signs every container image"


def _invented_continuation(text: str) -> str:
    return text + " and it also replaces the message broker entirely"


def _far_ellipsis(text: str) -> str:
    return "A service mesh is a dedicated infrastructure layer ... adopting it too early"


def _dropped_negation(text: str) -> str:
    return "A mesh does help with asynchronous messaging over Kafka or SQS"


def _ellipsis_over_negation(text: str) -> str:
    return "A mesh ... help with asynchronous messaging over Kafka"


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    transform: Callable[[str], str]
    accept: bool  # what a careful reader says
    point: str | None = None  # the rubric point whose passage it changes (None: each point)
    red_flag: bool = False  # checked as a red flag's quote (contiguous)


VARIANTS: tuple[Variant, ...] = (
    Variant("exact", "copied exactly", lambda t: t, True),
    Variant("case", "lower-cased", str.lower, True),
    Variant("dropped-word", "one word left out", _drop_word, True),
    Variant("changed-word", "one small word changed in a long quote", _changed_word, True,
            "operational-cost"),
    Variant("backticks", "backticks round a name", _backticks, True),
    Variant("bold", "markdown bold round a word", _bold, True),
    Variant("joined-bullets", "bullet lines joined with ', '", _join_bullets, True,
            "capabilities"),
    Variant("unhyphenated", "'control plane' for 'control-plane'", _unhyphenate, True,
            "definition"),
    Variant("no-parentheses", "parentheses dropped", _no_parentheses, True, "definition"),
    Variant("colon-dash", "':' turned into ' —'", _colon_dash, True, "operational-cost"),
    Variant("curly-quotes", "wrapped in typographic quotes", _curly, True),
    Variant("cut-at-cap", "cut mid-word at the 160-character cap", _cut_at_cap, True,
            "definition"),
    Variant("near-ellipsis", "two pieces of one passage joined by '...'", _near_ellipsis, True,
            "operational-cost"),
    Variant("dotted-tokens", "'Istio 1.22', '99.9%', 'svc.cluster.local', 'values.yaml'",
            lambda t: "we ran Istio 1.22 with 99.9% of calls inside svc.cluster.local, tuned "
            "through values.yaml, e.g. a retry budget", True, "capabilities"),
    Variant("invented", "text the answer does not contain", _invented, False),
    Variant("invented-continuation", "real text with an invented continuation",
            _invented_continuation, False),
    Variant("far-ellipsis", "'...' gluing far-apart sentences", _far_ellipsis, False,
            "definition"),
    Variant("dropped-negation", "'does help' for 'does not help'", _dropped_negation, False,
            "wrong-problem"),
    Variant("ellipsis-over-negation", "'...' skipping a 'not'", _ellipsis_over_negation, False,
            "wrong-problem"),
    Variant("flag-exact", "a red flag's quote, copied exactly",
            lambda t: "with fewer than ten services it is overkill", True, "scale-threshold",
            red_flag=True),
    Variant("flag-dropped-word", "a red flag's quote with one word left out",
            lambda t: "with fewer than services it is overkill", False, "scale-threshold",
            red_flag=True),
)  # fmt: skip

TOLERATED = tuple(v for v in VARIANTS if v.accept and not v.red_flag)
FABRICATED = tuple(v for v in VARIANTS if not v.accept and not v.red_flag)


def quote_for(variant: Variant, point_id: str) -> str:
    """The quote a model using `variant` gives for a point (its passage changed that way)."""
    return variant.transform(PASSAGES[point_id])


def cases() -> list[tuple[Variant, str, str]]:
    """(variant, point id, quote) for every variant on its point, or on each point."""
    rows = []
    for variant in VARIANTS:
        points = [variant.point] if variant.point else list(PASSAGES)
        for point_id in points:
            rows.append((variant, point_id, quote_for(variant, point_id)))
    return rows
