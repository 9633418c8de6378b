"""Search over questions and answers: words, stems, accents, CJK, emoji and hostile input."""

from __future__ import annotations

import pytest
from review_factory import T0, Answer, add_session, mtls_session

from mockint.errors import UserError
from mockint.review.search import parse_query, plain_snippet, search
from mockint.store import Store


def answer(text: str, prompt: str = "Explain the mesh.") -> Answer:
    return Answer(prompt, text, {"identity": "covered"})


@pytest.fixture
def corpus(store: Store) -> dict[str, int]:
    texts = {
        "mtls": "We rotate mTLS certificates every 24 hours with SPIFFE.",
        "french": "Le café du résumé: une approche naïve de la sécurité.",
        "chinese": "我们使用服务网格来管理流量和证书。",
        "japanese": "サービスメッシュは通信を暗号化します。",
        "korean": "서비스메시는 트래픽을 관리합니다",
        "emoji": "Ship it 🚀 with Envoy sidecars 👍🏽",
        "greek": "Η υπηρεσία χρησιμοποιεί πιστοποιητικά.",
    }
    ids = {}
    for offset, (name, text) in enumerate(texts.items()):
        session = add_session(
            store, T0.replace(day=offset + 2), {"sm-04": [answer(text)]}, pack_id=f"p-{name}"
        )
        ids[name] = store.turns(session)[0].id
    return ids


def found(store: Store, query: str, **kwargs: object) -> list[int]:
    return [hit.turn_id for hit in search(store, query, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mtls", "mtls"),
        ("MTLS rotate", "mtls"),
        ("certificate", "mtls"),  # a stem of "certificates"
        ("cert", "mtls"),  # prefix
        ('"rotate mTLS"', "mtls"),  # phrase
        ("cafe", "french"),  # accent-insensitive
        ("RÉSUMÉ", "french"),
        ("naive securite", "french"),
        ("服务网格", "chinese"),  # a word inside an unspaced sentence (trigram)
        ("网格", "chinese"),  # two characters: below trigram length, LIKE fallback
        ("证", "chinese"),  # one character
        ("メッシュ", "japanese"),
        ("서비스메시", "korean"),
        ("🚀", "emoji"),
        ("👍🏽", "emoji"),
        ("envoy 🚀", "emoji"),  # mixed: word index and trigram index together
        ("πιστοποιητικά", "greek"),
        ("Πιστοποιητικά", "greek"),  # unicode61 folds case in every script, accents in Latin
    ],
)
def test_finds_the_right_answer(
    store: Store, corpus: dict[str, int], query: str, expected: str
) -> None:
    assert found(store, query) == [corpus[expected]]


def test_every_word_must_match(store: Store, corpus: dict[str, int]) -> None:
    # each word alone finds its answer; together, in no one answer, they find nothing
    assert found(store, "mtls") == [corpus["mtls"]] and found(store, "café") == [corpus["french"]]
    assert found(store, "mtls café") == []
    assert found(store, "服务网格") == [corpus["chinese"]] and found(store, "🚀") == [
        corpus["emoji"]
    ]
    assert found(store, "服务网格 🚀") == []
    assert found(store, "rotate spiffe") == [corpus["mtls"]]  # two words of one answer


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("AND", []),
        ("NEAR(", []),
        ('mtls"', ["mtls"]),  # the stray quote is dropped, the word still counts
        ("a*b", []),
        ("col:mtls", []),  # not a column filter: the words "col" and "mtls" as a phrase
        ("^mtls", ["mtls"]),  # not an initial-token anchor, just the word
        ("OR NOT", []),
        ("x' --", []),
        ("((a", ["french"]),  # the prefix "a" of "approche"
        ("certificates AND", []),  # AND is a word every hit must contain, not an operator
        ("sidecars OR", []),
    ],
)
def test_fts_syntax_in_the_query_is_just_text(
    store: Store, corpus: dict[str, int], query: str, expected: list[str]
) -> None:
    # never an FTS5 syntax error, and operators are searched for as words
    assert found(store, query) == [corpus[name] for name in expected]


@pytest.mark.parametrize("query", ["", "   ", "---", "?!", '"', "(((("])
def test_nothing_to_search_for_is_a_user_error(store: Store, query: str) -> None:
    with pytest.raises(UserError, match="nothing to search for"):
        search(store, query)


def test_hit_names_session_turn_and_marks_the_match(store: Store) -> None:
    session = mtls_session(store, T0)
    hits = search(store, "spiffe")
    assert len(hits) == 1
    hit = hits[0]
    assert hit.session_id == session and hit.question_id == "sm-04" and hit.kind == "main"
    assert "[SPIFFE]" in plain_snippet(hit.snippet)
    data = hit.to_dict()
    assert data["turn_id"] == hit.turn_id and "**SPIFFE**" in data["snippet"]


def test_questions_are_searched_too_and_filters_apply(store: Store) -> None:
    first = mtls_session(store, T0)
    second = mtls_session(store, T0.replace(month=4), pack_id="other")
    by_prompt = search(store, "rotates the certificates")
    assert {h.session_id for h in by_prompt} == {first, second}
    assert {h.session_id for h in search(store, "rotates", pack_id="other")} == {second}
    assert {h.session_id for h in search(store, "rotates", since="2026-04-01")} == {second}
    newest_first = search(store, "mesh")
    assert [h.turn_id for h in newest_first] == sorted(
        (h.turn_id for h in newest_first), reverse=True
    )
    assert len(search(store, "mesh", limit=2)) == 2
    assert search(store, "mesh", order="relevance")


def test_index_follows_edits_and_deletes(store: Store) -> None:
    session = mtls_session(store, T0)
    turn = store.turns(session)[0]
    store.db["turns"].update(turn.id, {"answer": "now about 流量管理 only"})
    assert found(store, "spiffe") == []
    assert found(store, "流量管理") == [turn.id]
    store.db["turns"].update(turn.id, {"answer": "plain again"})
    assert found(store, "流量管理") == []
    store.db.execute("DELETE FROM sessions WHERE id = ?", [session])
    assert found(store, "plain") == []


def test_parse_query_quotes_everything() -> None:
    parsed = parse_query('mtls "cert rotation" 服务 x')
    assert parsed.fts == '"mtls"* "cert rotation" "x"'
    assert parsed.grams == ("服务",)
