"""`mockint packs draft`, offline: questions found by a guide's structure, each with its answer.

The seed guide the service-mesh pack was written from (../shared/seed, read at test time and
never copied here) must give all 15 questions; tests/packs/guide.md holds the other forms a
guide takes (Markdown headings, numbered lines, Q:/A: lines, code, labels, sections that are
not questions).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from cli_runner import run_cli as mockint

from mockint import locations
from mockint.authoring.draft import DraftQuestion, draft_pack, read_guide, render_pack
from mockint.authoring.guide import parse_guide
from mockint.errors import UserError
from mockint.grading.keyword import KeywordGrader
from mockint.packs import load_pack, parse_pack

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout (a git worktree may sit one folder deeper)
SEED = next(
    (
        folder / "shared" / "seed" / "service-mesh-interview-questions.txt"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "seed").is_dir()
    ),
    ROOT.parent / "shared" / "seed" / "service-mesh-interview-questions.txt",
)
GUIDE = Path(__file__).parent / "packs" / "guide.md"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"{SEED} is not on this machine")


@needs_seed
def test_the_seed_guide_gives_all_15_questions_in_order() -> None:
    guide = parse_guide(SEED.read_text(encoding="utf-8"))
    assert guide.title == "Service Mesh Interview Questions for Senior Engineers (2026)"
    assert [q.number for q in guide.questions] == list(range(1, 16))
    first, last = guide.questions[0], guide.questions[-1]
    assert first.text.startswith("What is a service mesh and what problems does it solve?")
    assert first.intent.startswith("Can you articulate the specific problems")
    assert first.answer.startswith("A service mesh is a dedicated infrastructure layer")
    for question in guide.questions:
        assert question.intent and len(question.answer.split()) > 150, question.number
        assert "Answer framework" not in question.answer
        assert "What the interviewer is really asking" not in question.answer
        assert "\nyaml" not in question.answer and "see our" not in question.answer.lower()
    # the sections after the last question are not part of its answer
    assert "How to Practice" not in last.answer and "kind or minikube" not in last.answer


@needs_seed
def test_the_seed_draft_is_a_pack_the_offline_grader_grades_at_once() -> None:
    result = draft_pack(
        SEED.read_text(encoding="utf-8"), pack_id="sm-guide", title=None, source=str(SEED)
    )
    pack = result.pack
    assert [q.id for q in pack.questions] == [f"q{n:02d}" for n in range(1, 16)]
    assert all(q.reference_answer and not q.rubric for q in pack.questions)
    assert result.notes == []
    question = pack.question("q08")
    grader = KeywordGrader(pack)
    said = grader.grade(question, question.reference_answer or "").score
    unrelated = grader.grade(question, "I would write unit tests and refactor the UI.").score
    assert said > 5 > unrelated
    assert parse_pack(result.text, "again.toml") == pack  # the file reads back as drafted


def test_the_forms_a_guide_takes() -> None:
    guide = parse_guide(GUIDE.read_text(encoding="utf-8"))
    assert guide.title == "Caching interview notes"
    found = [(q.number, q.text) for q in guide.questions]
    assert found == [
        (1, "What is cache-aside, and when would you use it?"),
        (2, "Explain a cache stampede"),
        (None, "How do you size a cache?"),
        (1, "Describe write-behind caching and its risk."),
        (5, "What does a TTL protect against?"),
        (4, "What goes wrong when the cache is down?"),
    ]
    aside, stampede, size, behind, ttl, down = guide.questions
    assert aside.intent == "whether the candidate knows who fills the cache."
    assert aside.answer == (
        "The application reads the cache first; on a miss it reads the database and stores "
        "the result with a TTL.\n\nOn a write, update the database and delete the key."
    )  # no code, no label, no pointer to another page
    assert "ask about jitter" in stampede.answer  # a sub-heading stays inside the answer
    assert size.answer == "From the working set and the hit rate you need; watch evictions."
    assert "indented list item" in behind.answer and "Run Redis" not in behind.answer
    assert ttl.answer == "Stale data living for ever."
    assert down.answer == ""


def test_a_question_without_answer_text_is_left_out_and_said_so() -> None:
    result = draft_pack(
        GUIDE.read_text(encoding="utf-8"), pack_id="caching", title=None, source="guide.md"
    )
    assert [q.id for q in result.pack.questions] == ["q01", "q02", "q03", "q01-2", "q05"]
    assert result.notes == ["q04: the guide has no answer text after it (line 53); left out"]


def test_text_that_toml_would_choke_on_round_trips() -> None:
    awkward = "He said \"no\" \\ then ''' and a tab\tand a bell\x07 and \x1b[31mred"
    question = DraftQuestion(
        id="q01", text=awkward + "?", reference_answer=awkward + "\nsecond line"
    )
    pack = parse_pack(render_pack("p", 'Title "quoted"', "g.md", [question]), "p.toml")
    [loaded] = pack.questions
    assert loaded.text == "He said \"no\" \\ then ''' and a tab\tand a bell and red?"
    assert loaded.reference_answer.endswith("red\nsecond line")
    assert pack.title == 'Title "quoted"'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Just some notes.\n\nNo questions here.\n", "no questions found"),
        ("Q: What is a cache?\n", "no answer text"),
    ],
)
def test_guides_with_nothing_to_draft(content: str, expected: str) -> None:
    with pytest.raises(UserError) as info:
        draft_pack(content, pack_id="p", title=None, source="g.md")
    assert expected in str(info.value)


def test_read_guide_refuses_what_is_not_a_text_guide(tmp_path: Path) -> None:
    binary = tmp_path / "guide.bin"
    binary.write_bytes(b"# Guide \xff\xfe\x00binary")
    for path, expected in [
        (tmp_path / "missing.md", "no such file"),
        (tmp_path, "is a folder"),
        (binary, "not UTF-8 text"),
    ]:
        with pytest.raises(UserError) as info:
            read_guide(path)
        assert expected in str(info.value)


def test_read_guide_reads_a_pipe_named_on_the_command_line(tmp_path: Path) -> None:
    """`mockint packs draft <(curl ...)`: a guide asked for by name may arrive through a pipe."""
    fifo = tmp_path / "guide.md"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=("# Guide\n\n## Why?\nBecause.\n",))
    writer.start()
    try:
        assert read_guide(fifo) == "# Guide\n\n## Why?\nBecause.\n"
    finally:
        writer.join(timeout=5)


# the command line ----------------------------------------------------------------------------


def test_cli_writes_to_the_pack_folder_and_never_overwrites_without_force() -> None:
    target = locations.user_packs_dir() / "guide.toml"
    result = mockint("packs", "draft", str(GUIDE))
    assert result.returncode == 0, result.stderr
    assert target.is_file()
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Drafted 5 questions from guide.md into {target} (offline")
    assert "  q04: the guide has no answer text after it (line 53); left out" in lines
    assert any(line.startswith("  lint no-red-flags: 5 warnings") for line in lines)
    assert lines[-1] == "Try it: mockint run --pack guide"
    assert load_pack(target).id == "guide"
    listed = mockint("packs", "list")
    assert "guide" in listed.stdout and "Caching interview notes" in listed.stdout

    target.write_text("# my edits\n", encoding="utf-8")
    again = mockint("packs", "draft", str(GUIDE))
    assert again.returncode == 2
    assert again.stderr.strip() == (
        f"mockint: {target} exists; add --force to replace it, or choose another file with -o"
    )
    assert target.read_text(encoding="utf-8") == "# my edits\n"  # nothing lost

    forced = mockint("packs", "draft", str(GUIDE), "--force")
    assert forced.returncode == 0 and load_pack(target).id == "guide"


def test_cli_output_path_id_and_title(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "caching.toml"
    result = mockint(
        "packs", "draft", str(GUIDE), "-o", str(out), "--id", "cache-101", "--title", "Caches"
    )
    assert result.returncode == 0, result.stderr
    pack = load_pack(out)
    assert (pack.id, pack.title) == ("cache-101", "Caches")
    assert result.stdout.splitlines()[-1] == f"Try it: mockint run --pack {out}"
    assert not locations.user_packs_dir().exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nope.md"], "nope.md: no such file"),
        ([str(GUIDE), "-o", "out.txt"], "out.txt: a pack file name ends in .toml"),
        ([str(GUIDE), "--id", "bad id"], "pack id 'bad id' must start with a letter"),
        ([str(GUIDE), "--bogus"], "No such option"),
        ([str(GUIDE), "--grader", "llm"], "needs one: set MOCKINT_MODEL or --model"),
    ],
)
def test_cli_bad_input_is_one_line(args: list[str], expected: str) -> None:
    result = mockint("packs", "draft", *args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mockint: ") and expected in lines[0]
    assert not locations.user_packs_dir().exists()
