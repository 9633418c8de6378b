"""Negations that come after the term: "X is not ...", "X does not ...", "X never ...".

A term that is the subject of a negated predicate is denied, not said; true statements that
merely contain a negation (a condition, a contrast, "not only", a double negative, a point whose
own wording denies something) keep their credit.
"""

from __future__ import annotations

import pytest

from mockint.grading.base import Grade
from mockint.grading.keyword import KeywordGrader
from mockint.grading.terms import has_negated_predicate, negated_predicate
from mockint.grading.text import analyse
from mockint.packs import Pack, parse_pack

PACK = """
[pack]
id = "negation-test"
title = "Negation test pack"

[[questions]]
id = "q"
text = "How does a mesh secure and steady the calls between services?"

[[questions.rubric]]
id = "identity"
description = "mTLS gives every workload a verifiable identity."
weight = 1.0
terms = ["mtls"]

[[questions.rubric]]
id = "sidecar"
description = "Runs a sidecar proxy beside each pod."
weight = 1.0
terms = ["sidecar"]

[[questions.rubric]]
id = "retries"
description = "Retries are bounded by a budget."
weight = 1.0
terms = ["retries", "retry budget"]

[[questions.rubric]]
id = "breaker"
description = "Circuit breaking sheds load from a failing upstream."
weight = 1.0
terms = ["circuit breaking"]

[[questions.rubric]]
id = "flags"
description = "Reads the response flags in the access logs."
weight = 1.0
terms = ["access logs", "response flags"]

[[questions.rubric]]
id = "plaintext"
description = "Knows that traffic outside mTLS travels in plaintext."
weight = 1.0
terms = ["plaintext"]

[[questions.rubric]]
id = "static"
description = "When the control plane is down the proxies do not stop routing."
weight = 1.0
terms = ["proxies", "last known configuration"]

[[questions.red_flags]]
id = "free"
description = "Believes the proxy costs nothing."
terms = ["zero overhead"]
penalty = 2.0
"""


@pytest.fixture(scope="module")
def pack() -> Pack:
    return parse_pack(PACK, "negation-test.toml")


@pytest.fixture(scope="module")
def grader(pack: Pack) -> KeywordGrader:
    return KeywordGrader(pack)


def grade(grader: KeywordGrader, pack: Pack, answer: str) -> Grade:
    question = pack.question("q")
    assert question is not None
    return grader.grade(question, answer)


def verdict(result: Grade, point_id: str) -> str:
    return next(p.verdict for p in result.points if p.point_id == point_id)


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        ("In my view mTLS has nothing to do with identity.", "identity"),
        ("For us the sidecar is not a hard requirement.", "sidecar"),
        ("Retries are never safe here.", "retries"),
        ("Honestly, circuit breaking does not help.", "breaker"),
        ("Circuit breaking really doesn't do much.", "breaker"),
        ("The access logs won't show you anything useful.", "flags"),
        ("The sidecar alone isn't what matters.", "sidecar"),
        ("Retries never make things better.", "retries"),
    ],
)
def test_a_term_followed_by_a_negated_predicate_earns_nothing(
    grader, pack, answer: str, point: str
) -> None:
    result = grade(grader, pack, answer)
    assert verdict(result, point) == "missed"
    found = next(p for p in result.points if p.point_id == point)
    assert found.reason.startswith("negated")


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        # the same terms, affirmed
        ("mTLS gives each workload an identity it can prove.", "identity"),
        ("Each pod gets a sidecar that carries its calls.", "sidecar"),
        # a condition states no fact about the term
        ("If the sidecar does not start, the pod gets no traffic.", "sidecar"),
        # "without X" opens a clause of its own
        ("Without mTLS, traffic between pods is plaintext.", "plaintext"),
        # "not only" and "not just" do not negate
        ("Circuit breaking is not only about errors but also about load.", "breaker"),
        ("mTLS is not just encryption, it is identity.", "identity"),
        # a double negative affirms
        ("Circuit breaking is not without cost, but it saves the upstream.", "breaker"),
        # a contrast where the term is the affirmed side
        ("The sidecar, not the application, retries the call.", "sidecar"),
        ("It is the sidecar and not the app that holds the certificate.", "sidecar"),
        # the negation belongs to something else in the clause
        ("Use retries that do not exceed a budget.", "retries"),
        # the point's own wording denies something: the negated verb is the claim
        ("If the control plane is down, the proxies do not stop routing.", "static"),
    ],
)
def test_true_statements_with_a_negation_keep_their_credit(
    grader, pack, answer: str, point: str
) -> None:
    assert verdict(grade(grader, pack, answer), point) == "covered"


def test_only_a_point_worded_as_a_denial_accepts_one(grader, pack) -> None:
    # the same negated predicate denies a point whose wording affirms
    result = grade(grader, pack, "If the control plane is down, the sidecar does not stop routing.")
    assert verdict(result, "sidecar") == "missed"


def test_a_denied_term_still_counts_where_the_answer_affirms_it(grader, pack) -> None:
    result = grade(
        grader,
        pack,
        "The sidecar is not free. Still, every pod runs a sidecar next to the app.",
    )
    assert verdict(result, "sidecar") == "covered"


def test_a_negated_predicate_clears_a_red_flag(grader, pack) -> None:
    said = grade(grader, pack, "The proxy has zero overhead on every call.")
    assert [f.flag_id for f in said.red_flags] == ["free"]
    denied = grade(grader, pack, "Zero overhead is not something a proxy can give you.")
    assert denied.red_flags == []


def test_the_whole_written_sentence_of_a_red_flag_is_blocked(grader, pack) -> None:
    """A ";" splits one written sentence for the grader; the half without the red flag must
    not earn credit by resemblance, while a separate sentence still may."""
    question = pack.question("q")
    assert question is not None
    joined = grader.read(question, "Calls go through a proxy; it has zero overhead.")
    assert joined.blocked == {0, 1}
    apart = grader.read(question, "Calls go through a proxy. It has zero overhead.")
    assert apart.blocked == {1}


def test_negated_predicate_reads_the_words_after_the_term() -> None:
    doc = analyse("Header routing is not supported, but the canary does not care")
    assert negated_predicate(doc, doc.words.index("header"))  # "header routing is not"
    assert not negated_predicate(doc, doc.words.index("supported"))
    doc = analyse("The proxy adds no latency")  # no auxiliary: "no" belongs to the object
    assert not negated_predicate(doc, doc.words.index("proxy"))
    doc = analyse("Tracing never stitches itself together")
    assert negated_predicate(doc, doc.words.index("tracing"))


def test_has_negated_predicate_tells_a_denial_from_a_noun_phrase() -> None:
    assert has_negated_predicate("Proxies do not stop routing")
    assert has_negated_predicate("Retries are never free")
    assert has_negated_predicate("Certificates can't be spoofed")
    assert not has_negated_predicate("Works without code changes")
    assert not has_negated_predicate("Pods with no sidecar")
