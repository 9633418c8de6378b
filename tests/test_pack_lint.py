"""`mockint packs lint`: warnings an author can act on, and the built-in packs free of them.

tests/packs/lint_warnings.toml loads fine and trips every check once; the built-in packs must
come out clean, which is what keeps their terms, red flags and weights honest as they grow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_cli as mockint

from mockint.authoring.lint import lint_pack
from mockint.packs import load_pack, parse_pack, resolve_pack

PACKS = Path(__file__).parent / "packs"
FIXTURE = PACKS / "lint_warnings.toml"
EXPECTED = [
    ("vague-term", "lb-1", "point 'spread'"),
    ("few-terms", "lb-1", "point 'health'"),
    ("vague-term", "lb-1", "point 'health'"),
    ("hollow-flag", "lb-1", "red flag 'single-backend'"),
    ("same-points", "lb-1", "points 'spread' and 'distribute'"),
    ("shared-term", "lb-1", "term 'distributes load'"),
    ("follow-up-off-point", "lb-1", "follow-up 2"),
    ("no-red-flags", "lb-2", ""),
    ("dominant-point", "lb-3", "point 'backend-health'"),
    ("long-text", "lb-3", "model answer"),
    ("no-model-answer", "lb-4", ""),
    ("long-text", "lb-4", ""),
]


def pack_with(question_toml: str, budget: str = "") -> str:
    return f'[pack]\nid = "t"\ntitle = "T"\n{budget}\n[[questions]]\nid = "q"\n{question_toml}'


def test_every_check_fires_where_it_should() -> None:
    findings = lint_pack(load_pack(FIXTURE))
    assert [(f.check, f.question_id, f.part) for f in findings] == EXPECTED


def test_messages_say_what_to_change() -> None:
    by_check: dict[str, str] = {}
    for finding in lint_pack(load_pack(FIXTURE)):
        by_check.setdefault(finding.check, finding.describe())
    assert "'traffic' is a common word" in by_check["vague-term"]
    assert "only 2 terms" in by_check["few-terms"]
    assert "matched as 'requests backend' alone" in by_check["hollow-flag"]
    assert "'must', 'use'" in by_check["hollow-flag"]
    assert "share 86% of their words" in by_check["same-points"]
    assert "(an answer with only this point scores 8.6)" in by_check["dominant-point"]
    assert (
        "shares no word with the points it probes (algorithms)" in by_check["follow-up-off-point"]
    )
    assert by_check["long-text"].startswith("question 'lb-3', model answer, 130 words")
    assert "80 words at 40 a minute" in by_check["long-text"]


@pytest.mark.parametrize("pack_id", ["service-mesh", "kubernetes", "distributed-systems"])
def test_the_built_in_packs_are_clean(pack_id: str) -> None:
    pack, _ = resolve_pack(pack_id)
    assert [f.describe() for f in lint_pack(pack)] == []


@pytest.mark.parametrize(
    ("term", "hollow"),
    [
        ("envoy must be restarted", True),  # matched as "envoy restarted"
        ("just use the server timestamp", True),
        ("nothing can bypass the sidecar", False),  # the negation is matched
        ("always use a service mesh", False),  # so is "always"
        ("sidecar is the only architecture", False),  # and "only"
        ("restart envoy to apply every change", False),
        ("memory limit throttles the container", False),  # three content words
    ],
)
def test_red_flags_whose_claim_the_grader_drops(term: str, hollow: bool) -> None:
    question = (
        'text = "Q?"\nmodel_answer = ["a", "b", "c"]\n'
        '[[questions.rubric]]\nid = "p"\ndescription = "d"\nterms = ["x y", "y z", "z w"]\n'
        f'[[questions.red_flags]]\nid = "f"\ndescription = "d"\nterms = ["{term}"]\n'
    )
    checks = [f.check for f in lint_pack(parse_pack(pack_with(question), "t.toml"))]
    assert ("hollow-flag" in checks) is hollow, checks


def test_a_minimal_pack_asks_for_red_flags_and_nothing_it_cannot_have() -> None:
    question = 'text = "What is a prototype for?"\nreference_answer = "To try out parts early."\n'
    findings = lint_pack(parse_pack(pack_with(question), "t.toml"))
    assert [f.check for f in findings] == ["no-red-flags"]


def test_the_time_budget_comes_from_the_question_the_pack_or_the_default() -> None:
    words = " ".join(["word"] * 60)  # readable in a tenth of 4 minutes (80 words), not of 2 (40)

    def checks(question: str, budget: str = "", default: float = 5) -> list[str]:
        pack = parse_pack(pack_with(question, budget), "t.toml")
        return [f.check for f in lint_pack(pack, default_minutes=default)]

    question = f'text = "{words}?"\nreference_answer = "A."\n'
    assert "long-text" in checks(question, "time_budget_minutes = 2")
    assert "long-text" not in checks(question, "time_budget_minutes = 4")
    assert "long-text" in checks(question, default=2)
    assert "long-text" not in checks(question, default=4)
    own = f'text = "{words}?"\nreference_answer = "A."\ntime_budget_minutes = 4\n'
    assert "long-text" not in checks(own, "time_budget_minutes = 2")


def test_cli_prints_warnings_and_exits_0() -> None:
    result = mockint("packs", "lint", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXPECTED) + 1
    assert all(line.startswith(f"{FIXTURE}: question 'lb-") for line in lines[:-1])
    assert lines[-1] == "lint-warnings: 4 questions, 8 rubric points: 12 warnings"


def test_cli_says_clean_for_a_clean_pack_and_takes_ids() -> None:
    result = mockint("packs", "lint", "kubernetes", "distributed-systems")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "kubernetes: 13 questions, 76 rubric points: clean",
        "distributed-systems: 12 questions, 74 rubric points: clean",
    ]


def test_cli_json(tmp_path: Path) -> None:
    result = mockint("packs", "lint", str(FIXTURE), "--json")
    assert result.returncode == 0
    [report] = json.loads(result.stdout)
    assert report["pack"] == "lint-warnings" and report["points"] == 8
    assert [(w["check"], w["question"], w["part"]) for w in report["warnings"]] == EXPECTED


def test_cli_exits_2_on_a_broken_pack_and_still_lints_the_others() -> None:
    broken = PACKS / "many_problems.toml"
    result = mockint("packs", "lint", str(broken), "nope", "kubernetes")
    assert result.returncode == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 8 and all(line.startswith("mockint: ") for line in errors)
    assert "no pack with id 'nope'" in errors[-1]
    assert result.stdout.strip() == "kubernetes: 13 questions, 76 rubric points: clean"
    assert "Traceback" not in result.stderr
