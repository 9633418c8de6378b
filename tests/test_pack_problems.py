"""A broken pack is reported whole: every problem, each on a line starting with `mockint:`.

The loader collects what pydantic finds field by field, the consistency checks that pydantic runs
only on valid fields (duplicate ids, follow-ups probing unknown points, a question with neither
rubric nor reference answer), and duplicate question ids; `mockint packs validate` prints them
all, while commands that only need the pack print the first and how many more there are.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli as mockint
from fixture_packs import pack_path

from mockint.packs import PackError, load_pack, parse_pack

FIXTURE = Path(__file__).parent / "packs" / "many_problems.toml"
EXPECTED = [
    "question 'q1', field 'rubric[0].weight', Input should be greater than 0",
    "question 'q1', field 'intnet', unknown field",
    "question 'q1', duplicate id 'spread' in rubric",
    "question 'q2', field 'rubric[0].level', Input should be 'core' or 'senior'",
    "question 'q2', follow_ups[0].probes names unknown rubric point 'nope'",
    "question 'q2', needs rubric points or a reference_answer",
    "duplicate id 'q2' in questions",
]


def test_every_problem_is_collected_in_file_order() -> None:
    with pytest.raises(PackError) as info:
        load_pack(FIXTURE)
    assert list(info.value.problems) == [f"{FIXTURE}: {problem}" for problem in EXPECTED]


def test_the_one_line_message_counts_the_rest() -> None:
    with pytest.raises(PackError) as info:
        load_pack(FIXTURE)
    message = str(info.value)
    assert message == f"{FIXTURE}: {EXPECTED[0]} (and {len(EXPECTED) - 1} more problems)"
    assert "\n" not in message


def test_a_single_problem_has_no_count() -> None:
    text = '[pack]\nid = "a"\ntitle = "A"\n[[questions]]\nid = "1"\ntext = "Q?"\n'
    with pytest.raises(PackError) as info:
        parse_pack(text, "a.toml")
    assert str(info.value) == "a.toml: question '1', needs rubric points or a reference_answer"
    assert info.value.problems == (str(info.value),)


def test_consistency_problems_of_valid_questions_are_all_reported() -> None:
    """Several problems inside one otherwise valid question: none hides another."""
    text = (
        '[pack]\nid = "a"\ntitle = "A"\n[[questions]]\nid = "1"\ntext = "Q?"\n'
        '[[questions.rubric]]\nid = "p"\ndescription = "d"\nterms = ["x"]\n'
        '[[questions.rubric]]\nid = "p"\ndescription = "d"\nterms = ["y"]\n'
        '[[questions.red_flags]]\nid = "f"\ndescription = "d"\nterms = ["z"]\n'
        '[[questions.red_flags]]\nid = "f"\ndescription = "d"\nterms = ["w"]\n'
        '[[questions.follow_ups]]\ntext = "F?"\nprobes = ["a", "b"]\n'
    )
    with pytest.raises(PackError) as info:
        parse_pack(text, "a.toml")
    assert [p.removeprefix("a.toml: question '1', ") for p in info.value.problems] == [
        "duplicate id 'p' in rubric",
        "duplicate id 'f' in red_flags",
        "follow_ups[0].probes names unknown rubric point 'a'",
        "follow_ups[0].probes names unknown rubric point 'b'",
    ]


def test_validate_prints_every_problem_on_a_mockint_line(tmp_path: Path) -> None:
    good = pack_path("minimal")
    result = mockint("packs", "validate", str(FIXTURE), str(good))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines == [f"mockint: {FIXTURE}: {problem}" for problem in EXPECTED]
    assert "more problem" not in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.strip() == f"ok: {good} (texas-cs, 1 questions)"


def test_validate_reports_unreadable_and_invalid_files(tmp_path: Path) -> None:
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[pack\nid = 1\n")
    missing = tmp_path / "missing.toml"
    result = mockint("packs", "validate", str(bad_toml), str(missing))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("mockint: ") for line in lines)
    assert "invalid TOML" in lines[0] and "line 1" in lines[0]
    assert lines[1] == f"mockint: {missing}: no such file"
