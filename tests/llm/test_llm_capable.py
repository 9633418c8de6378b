"""The LLM grader against a model that grades correctly and quotes the way real models do.

The loopback model (capable_model.py) judges the expert answer right and slips in its quotes
the way capable models do (quote_variants.py). A correct grade must survive every slip a
careful reader accepts, through the grader, `mockint grade` and the interview screen, and
whatever way the server sends the reply (plain, fenced in prose, one plain body to a streamed
request, streaming refused). Fabricated quotes must still earn nothing.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from capable_model import CapableModel, only
from llm_fake_server import FakeLLM
from llm_helpers import TEST_KEY, run_mockint
from quote_variants import (
    EXPERT_ANSWER,
    FABRICATED,
    PASSAGES,
    QUESTION_ID,
    TOLERATED,
    WEAK_ANSWER,
    cases,
)

from mockint.config import Settings
from mockint.grading.llm_quotes import Evidence, quote_matches
from mockint.interview import InterviewOptions
from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.app import default_grader_factory, make_app
from mockint.tui.requests import NewSession
from mockint.tui.screens.interview import InterviewScreen
from mockint.tui.widgets.answer_editor import AnswerEditor

EXPERT_SCORE = 8.5
WEAK_SCORE = 2.0


@pytest.fixture
def question(service_mesh: Pack):
    return service_mesh.question(QUESTION_ID)


# the corpus itself ---------------------------------------------------------------------------


def test_the_corpus_quotes_the_expert_answer() -> None:
    for passage in PASSAGES.values():
        assert passage in EXPERT_ANSWER


@pytest.mark.parametrize(
    ("changed", "point_id", "quote"),
    cases(),
    ids=[f"{v.name}-{p}" for v, p, _ in cases()],
)
def test_each_quote_variant_is_judged_as_a_careful_reader_would(changed, point_id, quote) -> None:
    evidence = Evidence.of(EXPERT_ANSWER)
    assert quote_matches(quote, evidence, contiguous=changed.red_flag) is changed.accept


# the grader ------------------------------------------------------------------------------------


@pytest.mark.parametrize("changed", TOLERATED, ids=[v.name for v in TOLERATED])
def test_a_correct_grade_survives_each_tolerated_slip(
    fake_llm: FakeLLM, make_llm_grader, question, changed
) -> None:
    fake_llm.default = CapableModel(variants=only(changed))
    grade = make_llm_grader().grade(question, EXPERT_ANSWER)
    assert grade.grader == "llm", grade.note
    assert [p.verdict for p in grade.points] == ["covered"] * len(question.rubric)
    assert all(p.source == "llm" for p in grade.points)
    assert grade.score >= EXPERT_SCORE
    assert grade.usage.calls == 1


@pytest.mark.parametrize("changed", FABRICATED, ids=[v.name for v in FABRICATED])
def test_fabricated_quotes_earn_nothing(
    fake_llm: FakeLLM, make_llm_grader, question, changed
) -> None:
    model = CapableModel(variants=only(changed))
    fake_llm.default = model
    grade = make_llm_grader().grade(question, EXPERT_ANSWER)
    first = {p["id"]: p["quote"] for p in model.replies[0]["points"]}
    evidence = Evidence.of(EXPERT_ANSWER)
    failed = [pid for pid, quote in first.items() if not quote_matches(quote, evidence)]
    assert failed == ([changed.point] if changed.point else list(PASSAGES))
    if changed.point:  # one bad quote: that point is missed, the rest stands, no retry
        assert grade.grader == "llm" and grade.usage.calls == 1
        verdicts = {p.point_id: p.verdict for p in grade.points}
        assert verdicts.pop(changed.point) == "missed"
        assert set(verdicts.values()) == {"covered"}
        assert changed.point in grade.feedback  # "Not counted (...): wrong-problem."
    else:  # every quote bad: asked again naming the ids; the model then copies exactly
        assert grade.grader == "llm" and grade.usage.calls == 2
        retry = fake_llm.chat_requests[1].body["messages"][-1]["content"]
        assert all(point_id in retry for point_id in PASSAGES)
        assert grade.score >= EXPERT_SCORE


def test_a_weak_answer_with_invented_quotes_falls_back(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    fake_llm.default = CapableModel(invent=True)
    grade = make_llm_grader().grade(question, WEAK_ANSWER)
    assert grade.grader == "keyword" and grade.score <= WEAK_SCORE
    assert "quotes were not in the answer, twice" in grade.note
    assert grade.usage.calls == 2  # the first reply, then one retry naming the failed ids


def test_the_capable_model_judges_a_weak_answer_honestly(
    fake_llm: FakeLLM, make_llm_grader, question
) -> None:
    fake_llm.default = CapableModel()
    grade = make_llm_grader().grade(question, WEAK_ANSWER)
    assert grade.grader == "llm" and grade.score == 0.0 and grade.usage.calls == 1


# the command line ----------------------------------------------------------------------------


def llm_env(fake: FakeLLM) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": fake.url,
        "OPENAI_API_KEY": TEST_KEY,
        "MOCKINT_MODEL": "fake-model",
        "MOCKINT_LLM_TIMEOUT": "10",
    }


@pytest.mark.parametrize("style", ["plain", "fenced", "plain-body"])
def test_mockint_grade_scores_the_expert_answer(fake_llm: FakeLLM, style: str) -> None:
    fake_llm.api_key = TEST_KEY
    fake_llm.default = CapableModel(style=style)
    result = run_mockint(
        "grade", "--pack", "service-mesh", "--question", QUESTION_ID, "--grader", "llm",
        "--json", "--answer", EXPERT_ANSWER, env=llm_env(fake_llm),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["grader"] == "llm", grade["note"]
    assert grade["score"] >= EXPERT_SCORE
    assert grade["usage"]["calls"] == 1


def test_mockint_grade_keeps_a_weak_answer_low(fake_llm: FakeLLM) -> None:
    fake_llm.api_key = TEST_KEY
    fake_llm.default = CapableModel(invent=True)
    result = run_mockint(
        "grade", "--pack", "service-mesh", "--question", QUESTION_ID, "--grader", "llm",
        "--json", "--answer", WEAK_ANSWER, env=llm_env(fake_llm),
    )  # fmt: skip
    grade = json.loads(result.stdout)
    assert grade["grader"] == "keyword" and grade["score"] <= WEAK_SCORE
    assert grade["usage"]["calls"] == 2


# the interview screen (always streams) ---------------------------------------------------------


async def settle(pilot) -> None:
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("style", ["plain", "fenced", "plain-body", "stream-refused"])
async def test_the_interview_screen_scores_the_expert_answer(
    fake_llm: FakeLLM, service_mesh: Pack, tmp_path: Path, style: str
) -> None:
    fake_llm.api_key = TEST_KEY
    if style == "stream-refused":
        fake_llm.refuse = {"stream"}
    model = CapableModel(style="plain" if style == "stream-refused" else style, chunk_delay=0.002)
    fake_llm.default = model
    settings = Settings(
        db=tmp_path / "app.db", model="fake-model", base_url=fake_llm.url,
        api_key=TEST_KEY, timeout=10.0,
    )  # fmt: skip
    store = Store(settings.db)
    options = InterviewOptions(questions=1, question_ids=(QUESTION_ID,), timed=False)
    request = NewSession(service_mesh, options, "llm")
    app = make_app(
        settings, store, default_grader_factory(settings), start=request, cursor_blink=False
    )
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        screen.query_one(AnswerEditor).insert(EXPERT_ANSWER)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        session_id = store.sessions()[0].id
        turn = store.turns(session_id)[0]
        rows = store.grades(turn.id)
    store.close()
    llm = rows[0]
    assert llm.grader == "llm", llm.note
    assert llm.score >= EXPERT_SCORE
    assert turn.answer.strip() == EXPERT_ANSWER.strip()
    streamed = [r for r in fake_llm.chat_requests if r.body.get("stream")]
    if style == "stream-refused":
        # refused once, then graded without streaming; the refusal is remembered
        assert [bool(r.body.get("stream")) for r in fake_llm.chat_requests] == [True, False]
    else:
        assert len(fake_llm.chat_requests) == len(streamed) == 1


async def test_the_waiting_indicator_moves_while_points_stream(
    fake_llm: FakeLLM, service_mesh: Pack, tmp_path: Path
) -> None:
    fake_llm.api_key = TEST_KEY
    # The reply stops a third of the way until the screen shows some progress, and two thirds
    # of the way until it shows other progress: the wait visibly moves, however fast or loaded
    # the machine, and no longer than it takes the screen to say so.
    first, second = threading.Event(), threading.Event()
    fake_llm.default = CapableModel(chunk_delay=0.002, gates=[(1 / 3, first), (2 / 3, second)])
    settings = Settings(
        db=tmp_path / "app.db", model="fake-model", base_url=fake_llm.url,
        api_key=TEST_KEY, timeout=20.0,
    )  # fmt: skip
    store = Store(settings.db)
    options = InterviewOptions(questions=1, question_ids=(QUESTION_ID,), timed=False)
    app = make_app(
        settings, store, default_grader_factory(settings),
        start=NewSession(service_mesh, options, "llm"), cursor_blink=False,
    )  # fmt: skip
    statuses: list[str] = []
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one(AnswerEditor).insert(EXPERT_ANSWER)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        while screen.phase == "grading":
            statuses.append(str(screen.query_one("#status").render()))
            shown = {s for s in statuses if "points judged" in s or "characters received" in s}
            if shown:
                first.set()
            if len(shown) >= 2:
                second.set()
            await pilot.pause(0.05)
        await settle(pilot)
    store.close()
    progress = [s for s in statuses if "points judged" in s or "characters received" in s]
    assert len(set(progress)) >= 2, statuses  # it moved
    assert any("of 6 points judged" in s for s in progress), statuses
