"""Shared helpers of the LLM tests: constants, reply builders, the command line, a small pack."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cli_runner import CliResult, run_cli
from fixture_packs import pack_text

from mockint.packs import Question

TEST_KEY = "test-key-0123456789"
ANSWER = "A sidecar proxy intercepts all traffic of the service and encrypts calls with mTLS."

PACK_TOML = pack_text("llm_e2e")


def run_mockint(*args: str, env: dict[str, str]) -> CliResult:
    """The command line, in this process, with extra environment."""
    return run_cli(*args, env=env)


def reply_json(
    question: Question,
    verdicts: dict[str, tuple[str, str]],
    *,
    red_flags: list[tuple[str, str]] = (),
    follow_up: str = "What would you add?",
    feedback: str = "Clear on the basics; say more about the trade-offs.",
    extra_points: list[dict] = (),
    **extra: object,
) -> str:
    """A reply as a model would write it; points not in `verdicts` are missed."""
    points = []
    for point in question.rubric:
        verdict, quote = verdicts.get(point.id, ("missed", ""))
        points.append({"id": point.id, "verdict": verdict, "reason": "because", "quote": quote})
    return json.dumps(
        {
            "feedback": feedback,
            "points": [*points, *extra_points],
            "red_flags": [{"id": fid, "quote": quote} for fid, quote in red_flags],
            "follow_up": follow_up,
            **extra,
        }
    )


@dataclass
class RealServer:
    url: str
    model: str
    pid: int | None
    log: Path | None
