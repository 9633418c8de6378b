"""Loading packs: the minimal form, the full form, and every way a pack can be broken."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_packs import pack_text

from mockint.packs import PackError, load_pack, resolve_pack

MINIMAL = pack_text("minimal")

FULL = """
[pack]
id = "demo"
title = "Demo"
description = "A demo pack"
tags = ["a", "b"]

[[questions]]
id = "q1"
text = "Why use a sidecar?"
intent = "Knows the pattern"
model_answer = ["one", "two"]

[[questions.rubric]]
id = "lang"
description = "Language agnostic"
weight = 2
level = "core"
terms = ["language agnostic", "any language"]

[[questions.rubric]]
id = "cost"
description = "Costs resources"
level = "senior"
terms = ["memory", "cpu"]

[[questions.red_flags]]
id = "free"
description = "Thinks it is free"
terms = ["no overhead"]

[[questions.follow_ups]]
text = "What does it cost?"
probes = ["cost"]
"""


def write(tmp_path: Path, text: str, name: str = "pack.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_form_loads(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, MINIMAL))
    assert pack.id == "texas-cs"
    question = pack.questions[0]
    assert question.reference_answer.startswith("To simulate")
    assert question.rubric == ()


def test_full_form_loads(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, FULL))
    question = pack.question("q1")
    assert question is not None
    assert [p.id for p in question.rubric] == ["lang", "cost"]
    assert question.point("cost").level == "senior"
    assert question.rubric[1].weight == 1.0  # default
    assert question.red_flags[0].penalty > 0
    assert question.follow_ups[0].probes == ("cost",)
    assert pack.pack.tags == ("a", "b")


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        # invalid TOML names the line
        (lambda t: t.replace('id = "q1"', 'id = "q1'), ["invalid TOML", "line"]),
        # unknown field
        (lambda t: t.replace('intent = "Knows', 'intnet = "Knows'), ["'q1'", "intnet", "unknown"]),
        # missing field
        (lambda t: t.replace('text = "Why use a sidecar?"\n', ""), ["'q1'", "'text'", "missing"]),
        # weight <= 0
        (lambda t: t.replace("weight = 2", "weight = 0"), ["'q1'", "rubric[0].weight", "greater"]),
        # follow-up naming an unknown point
        (lambda t: t.replace('probes = ["cost"]', 'probes = ["nope"]'), ["'q1'", "'nope'"]),
        # duplicate rubric ids
        (lambda t: t.replace('id = "cost"', 'id = "lang"'), ["'q1'", "duplicate", "lang"]),
        # duplicate question ids
        (lambda t: t + t[t.index("[[questions]]") :], ["duplicate", "'q1'"]),
        # empty terms
        (lambda t: t.replace('terms = ["memory", "cpu"]', "terms = []"), ["rubric[1].terms"]),
        # bad level
        (lambda t: t.replace('level = "senior"', 'level = "guru"'), ["rubric[1].level"]),
    ],
)
def test_broken_pack_names_file_question_and_field(
    tmp_path: Path, mutation, expected: list[str]
) -> None:
    path = write(tmp_path, mutation(FULL))
    with pytest.raises(PackError) as info:
        load_pack(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message, message
    assert "\n" not in message


def test_empty_pack_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[pack]\nid = "e"\ntitle = "Empty"\n')
    with pytest.raises(PackError, match="questions"):
        load_pack(path)


def test_question_without_rubric_or_reference_is_refused(tmp_path: Path) -> None:
    text = '[pack]\nid = "e"\ntitle = "E"\n[[questions]]\nid = "x"\ntext = "Why?"\n'
    with pytest.raises(PackError, match="reference_answer"):
        load_pack(write(tmp_path, text))


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no such file"):
        load_pack(tmp_path / "absent.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(PackError, match="UTF-8"):
        load_pack(binary)


def test_user_pack_folder_and_paths_are_found(tmp_path: Path, isolated_home: Path) -> None:
    user_dir = isolated_home / "data" / "mockint" / "packs"
    user_dir.mkdir(parents=True)
    write(user_dir, MINIMAL, "texas.toml")
    pack, path = resolve_pack("texas-cs")
    assert pack.id == "texas-cs" and path.parent == user_dir
    by_path, _ = resolve_pack(str(write(tmp_path, FULL, "demo.toml")))
    assert by_path.id == "demo"
    builtin, _ = resolve_pack("service-mesh")
    assert len(builtin.questions) == 15


def test_unknown_pack_id_lists_the_known_ones() -> None:
    with pytest.raises(Exception, match="service-mesh"):
        resolve_pack("no-such-pack")
