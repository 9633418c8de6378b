"""`mockint packs draft --grader llm` against the fake OpenAI-compatible server, over real HTTP.

The fake model answers each question with a rubric in which one point is backed by the guide and
one is invented, an id is used twice, and a follow-up probes a point that does not exist; the
draft must clean that up, mark the invented point for review, validate through the pack loader,
and keep the guide's answer for any question the model fails on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from llm_fake_server import FakeLLM, Reply, Request
from llm_helpers import TEST_KEY, run_mockint

from mockint.packs import load_pack

GUIDE = Path(__file__).resolve().parents[1] / "packs" / "guide.md"
QUESTIONS = 6  # in the guide; one of them has no answer text


def drafted(request: Request) -> Reply:
    """A plausible rubric for whichever question the request asks about."""
    question = re.search(r"^Question: (.*)$", request.user_text, re.M)
    assert question is not None, request.user_text
    if "size a cache" in question.group(1):
        return Reply(content="Sure! Here are some thoughts about cache sizing, no JSON today.")
    reply = {
        "intent": "Whether the candidate knows caches.",
        "rubric": [
            {"id": "Reads Cache First", "description": "Reads the cache before the database.",
             "weight": 2, "level": "core",
             "terms": ["reads the cache first", "cache first", "check the cache", "Cache First"]},
            {"id": "ttl", "description": "Sets a TTL on what it stores.", "weight": 9,
             "level": "Senior", "terms": ["ttl", "time to live", "expiry"]},
            {"id": "ttl", "description": "Deletes keys on write.", "weight": 1,
             "level": "core", "terms": ["delete the key", "invalidate on write", "evict"]},
            {"id": "quantum", "description": "Uses quantum entanglement for coherence.",
             "weight": 1, "level": "senior",
             "terms": ["quantum entanglement", "entangled replicas", "spooky action"]},
            {"id": "empty", "description": "", "weight": 1, "level": "core", "terms": []},
        ],
        "red_flags": [{"id": "Cache Is Truth", "description": "Treats the cache as the truth.",
                       "terms": ["cache is the source of truth"]}],
        "follow_ups": [
            {"text": "What if the cache is cold?", "probes": ["Reads Cache First", "ttl"]},
            {"text": "What about the moon?", "probes": ["moon"]},
        ],
        "model_answer": ["Read the cache first.", "Set a TTL.", "Delete on write."],
    }  # fmt: skip
    return Reply(content=json.dumps(reply))


def draft(fake_llm: FakeLLM, out: Path, *extra: str):
    fake_llm.api_key = TEST_KEY
    return run_mockint(
        "packs", "draft", str(GUIDE), "-o", str(out), "--grader", "llm",
        "--model", "fake-model", "--base-url", fake_llm.url, "--timeout", "5", *extra,
        env={"OPENAI_API_KEY": TEST_KEY},
    )  # fmt: skip


def test_the_model_drafts_a_pack_that_validates(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.default = drafted
    out = tmp_path / "caching.toml"
    result = draft(fake_llm, out)
    assert result.returncode == 0, result.stderr
    assert len(fake_llm.chat_requests) == QUESTIONS  # one call per question
    pack = load_pack(out)  # the pack loader accepts it
    assert [q.id for q in pack.questions] == ["q01", "q02", "q03", "q01-2", "q05", "q04"]

    q01 = pack.question("q01")
    assert [p.id for p in q01.rubric] == ["reads-cache-first", "ttl", "ttl-2", "quantum"]
    assert [p.level for p in q01.rubric] == ["core", "senior", "core", "senior"]
    assert q01.point("ttl").weight == 3  # bounded
    assert q01.point("reads-cache-first").terms == (
        "reads the cache first", "cache first", "check the cache",
    )  # fmt: skip
    assert [f.probes for f in q01.follow_ups] == [("reads-cache-first", "ttl")]
    assert q01.red_flags[0].id == "cache-is-truth"
    assert q01.intent == "whether the candidate knows who fills the cache."  # the guide's own
    assert q01.reference_answer.startswith("The application reads the cache first")
    assert q01.model_answer == ("Read the cache first.", "Set a TTL.", "Delete on write.")

    # the invented point is kept but marked, in the file and in what the command prints
    text = out.read_text(encoding="utf-8")
    assert text.count("# REVIEW: the guide does not back this point") >= 5
    block = text[text.index('id = "q01"') :]
    assert block.index("# REVIEW") < block.index('id = "quantum"') < block.index('id = "q02"')
    assert "q01: point 'quantum': the guide does not back this point" in result.stdout
    assert "q01: dropped a follow-up that probes no point of the rubric" in result.stdout

    # the question the model failed on keeps the guide's answer, and says so
    q03 = pack.question("q03")
    assert not q03.rubric and q03.reference_answer.startswith("From the working set")
    assert (
        "q03: the model's reply was unusable (no JSON object in the reply); kept the guide's "
        "answer as its reference" in result.stdout
    )
    # the question with no answer text got a model rubric, all of it up for review
    assert pack.question("q04").rubric and not pack.question("q04").reference_answer
    assert result.stdout.startswith("Drafted 6 questions from guide.md into ")
    assert "the model drafted rubrics for 5 of them" in result.stdout.splitlines()[0]
    assert "q01: 4 points, 1 red flag, 1 follow-up, 1 marked for review" in result.stderr

    for stream in (result.stdout, result.stderr, text):
        assert TEST_KEY not in stream
    assert all(r.headers.get("authorization") == f"Bearer {TEST_KEY}" for r in fake_llm.requests)


def test_a_server_that_rejects_json_schema_still_drafts(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.llama_cpp_style = True  # json_schema is answered with HTTP 500, like llama.cpp
    fake_llm.default = drafted
    out = tmp_path / "caching.toml"
    result = draft(fake_llm, out)
    assert result.returncode == 0, result.stderr
    assert len(load_pack(out).question("q02").rubric) == 4
    modes = [r.mode for r in fake_llm.chat_requests]
    assert modes[0] == "json_schema" and set(modes[1:]) == {"json_object+schema"}
    # the schema is bounded, so a grammar-constrained small model cannot ramble for ever
    schema = fake_llm.chat_requests[1].body["response_format"]["schema"]
    assert schema["properties"]["rubric"]["maxItems"] == 7
    assert schema["$defs"]["PointDraft"]["properties"]["level"]["enum"] == ["core", "senior"]


def test_a_reply_that_copies_the_prompts_shape_is_not_used(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    """What a very small model does: echo the placeholders of the reply's shape."""
    echo = {
        "intent": "<one sentence>",
        "rubric": [{"id": "<id>", "description": "<sentence>", "weight": 2, "level": "core",
                    "terms": ["<phrase>", "<phrase>"]}],
        "red_flags": [], "follow_ups": [{"text": "<question>", "probes": ["<rubric id>"]}],
        "model_answer": ["<sentence>"],
    }  # fmt: skip
    fake_llm.default = Reply(content=json.dumps(echo))
    out = tmp_path / "caching.toml"
    result = draft(fake_llm, out)
    assert result.returncode == 0, result.stderr
    pack = load_pack(out)
    assert all(not q.rubric and not q.model_answer for q in pack.questions)
    assert "<" not in out.read_text(encoding="utf-8")
    assert result.stdout.count("the model's reply had no usable rubric point") == QUESTIONS


def test_an_unreachable_model_leaves_the_offline_draft(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.default = Reply(status=401, error="invalid api key")
    out = tmp_path / "caching.toml"
    result = draft(fake_llm, out)
    assert result.returncode == 0, result.stderr
    pack = load_pack(out)
    assert [q.id for q in pack.questions] == ["q01", "q02", "q03", "q01-2", "q05"]
    assert all(q.reference_answer and not q.rubric for q in pack.questions)
    assert "the model drafted rubrics for 0 of them" in result.stdout
    assert result.stdout.count("the model's draft failed") == QUESTIONS
    assert TEST_KEY not in result.stdout + result.stderr


def test_an_existing_file_stops_before_any_model_call(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.default = drafted
    out = tmp_path / "caching.toml"
    out.write_text("# mine\n", encoding="utf-8")
    result = draft(fake_llm, out)
    assert result.returncode == 2 and "exists; add --force" in result.stderr
    assert fake_llm.chat_requests == [] and out.read_text(encoding="utf-8") == "# mine\n"
