"""Every `mockint ...` command line shown in README.md and docs/*.md runs as shown.

A command is a line of a code block: in a block with `$ ` prompts, each prompt line (the lines
after it are its output); in a block without, each line that starts with `mockint` and a
command name. Synopses are run both ways: `resume [ID]` as `resume` and as `resume 14`, with
ID a session of the database and N a small number. Each document runs in order in a folder of
its own, with a home whose database holds 13 finished sessions (the docs show `export 12 13`)
and one open session (14), and the files the commands name (a pack, answers, labels).

What is checked: no traceback, and the exit status the document implies: 2 with every stderr
line a `mockint:` line when it shows such an error, 1 and "not ready" when it shows `mockint
doctor` failing, else 0. Commands that open the app stop where the screen would start, after
every check they make. LLM commands talk to the test's OpenAI-compatible server (the doc's
local URLs point at it; port 9 stays the dead endpoint the doc shows). `../shared` paths need
the seed guide beside the checkout and skip without it.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_runner import CliResult, run_cli
from fake_grader import TermGrader
from fixture_packs import pack_path
from llm_fake_server import FakeLLM, Reply, Request

from mockint.cli.main import COMMAND_MODULES
from mockint.config import load_settings
from mockint.interview import Interview, InterviewOptions
from mockint.packs import resolve_pack
from mockint.store import Store

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# ../shared beside the checkout (a git worktree may sit one folder deeper)
SHARED = next(
    (
        folder / "shared"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared").is_dir()
    ),
    ROOT.parent / "shared",
)
SEED = SHARED / "seed" / "service-mesh-interview-questions.txt"
OPEN_SESSION = "14"
PLACEHOLDERS = {"ID": "12", "N": "3"}
DEAD_ENDPOINT = "http://127.0.0.1:9/v1"


@dataclass
class Shown:
    """One command line of a document, and the output the document shows after it."""

    doc: str
    line: int
    text: str
    output: list[str] = field(default_factory=list)

    def variants(self) -> list[str]:
        """The line itself, or for a synopsis without and with its [optional] parts."""
        if "[" not in self.text:
            return [self.text]
        short = re.sub(r"\s*\[[^\]]*\]", "", self.text)
        long = re.sub(r"\[([^\]]*)\]", r"\1", self.text)
        return [short, long]


def is_command(text: str) -> bool:
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        return False
    if "mockint" not in words:
        return False
    rest = words[words.index("mockint") + 1 :]
    return not rest or rest[0].startswith("-") or rest[0] in COMMAND_MODULES


def shown_commands(doc: Path) -> list[Shown]:
    found: list[Shown] = []
    block: list[tuple[int, str]] | None = None
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            if block is not None:
                found += _commands_of_block(doc, block)
            block = None if block is not None else []
        elif block is not None:
            block.append((number, line))
    return found


def _commands_of_block(doc: Path, block: list[tuple[int, str]]) -> list[Shown]:
    name = str(doc.relative_to(ROOT))
    prompted = any(line.startswith("$ ") for _, line in block)
    found: list[Shown] = []
    current: Shown | None = None
    for number, line in block:
        if current is not None and current.text.endswith("\\"):
            current.text = current.text[:-1] + " " + line.strip()
            continue
        text = line[2:] if prompted and line.startswith("$ ") else line
        starts = line.startswith("$ ") if prompted else line.startswith("mockint")
        if starts and is_command(text):
            current = Shown(name, number, text.strip())
            found.append(current)
        elif prompted and line.startswith("$ "):
            current = None  # another program's command line
        elif current is not None and prompted:
            current.output.append(line)
    return found


ALL = [shown for doc in DOCS for shown in shown_commands(doc)]


def test_the_docs_show_commands_to_check() -> None:
    """The parser finds the commands (an empty list would make the test below check nothing)."""
    docs = {shown.doc for shown in ALL}
    assert {"README.md", "docs/using.md", "docs/review.md", "docs/grading.md"} <= docs, docs
    assert len(ALL) >= 30, [shown.text for shown in ALL]


# the world the commands run in -----------------------------------------------------------------


def reply_for(request: Request) -> Reply:
    """What a capable model writes: {"ok": true} to `mockint doctor`'s ping; to a grading
    request, every rubric point judged missed, no red flag."""
    form = request.body.get("response_format") or {}
    schema = form.get("json_schema", {}).get("schema") or form.get("schema") or {}
    if "ok" in schema.get("properties", {}):
        return Reply(json.dumps({"ok": True}))
    ids = re.findall(r'"id": \{"const": "([^"]+)"\}', json.dumps(schema)) or re.findall(
        r"^- ([\w.-]+) \(weight", request.user_text, re.MULTILINE
    )  # the ids are constants of a grammar schema, else listed in the prompt
    points = [{"id": i, "quote": "", "reason": "not said", "verdict": "missed"} for i in ids]
    return Reply(
        json.dumps(
            {"points": points, "red_flags": [], "feedback": "Say more.", "follow_up": "Why?"}
        )
    )


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    server.models = ["fake-model", "local", "smollm2-135m", "gpt-4o-mini", "llama3.1"]
    server.default = reply_for
    yield server
    server.close()


def populate(db: Path) -> None:
    """13 finished one-question sessions (ids 1-13, weak answers to sm-04 and sm-08, three days
    ago) and an open one (14)."""
    pack, _ = resolve_pack("service-mesh")
    store = Store(db)
    try:
        for number in range(13):
            question = ("sm-04", "sm-08")[number % 2]
            options = InterviewOptions(questions=1, question_ids=(question,), max_follow_ups=0)
            interview = Interview.start(store, pack, TermGrader(), options)
            interview.advance(interview.grade(interview.submit("mtls rotation and a sidecar")))
            interview.finish()
        options = InterviewOptions(questions=1, question_ids=("sm-04",), max_follow_ups=0)
        interview = Interview.start(store, pack, TermGrader(), options)
        interview.save_draft("half an answer")
        interview.release()
        assert str(interview.session_id) == OPEN_SESSION
        # answered three days ago: the weak answers are due again (`run --due` has work)
        past = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="milliseconds")
        with store.atomic():
            store.db.execute(
                "UPDATE turns SET started_at = ?, submitted_at = ? WHERE submitted_at IS NOT NULL",
                [past.replace("+00:00", "Z")] * 2,
            )
    finally:
        store.close()


def workspace(folder: Path, doc: str) -> None:
    """The files the document's commands name, in the folder they run in."""
    if doc == "docs/packs.md":  # validate shows a broken pack
        shutil.copy(ROOT / "tests" / "packs" / "many_problems.toml", folder / "my-pack.toml")
    else:
        shutil.copy(pack_path("engine"), folder / "my-pack.toml")
    (folder / "answer.txt").write_text("A cache keeps copies close to the reader.\n")
    (folder / "answers.jsonl").write_text(
        '{"question_id": "q2", "answer": "copies near the reader"}\n'
        '{"question_id": "q1", "answer": "it spreads requests with a health check"}\n'
    )
    (folder / "labelled.jsonl").write_text(
        '{"question_id": "q2", "answer": "copies near the reader", "human_score": 9}\n'
        '{"question_id": "q1", "answer": "no idea", "human_score": 1}\n'
        '{"question_id": "q1", "answer": "spread with a health check", "human_score": 7}\n'
    )
    if SEED.is_file():
        shutil.copy(SEED, folder / SEED.name)


def argv_of(text: str, llm: FakeLLM, tmp: Path) -> tuple[list[str], str | None]:
    words = shlex.split(text, comments=True)
    words = words[words.index("mockint") + 1 :]
    stdout_to = None
    if ">" in words:
        at = words.index(">")
        stdout_to, words = words[at + 1], words[:at]
    command = words[0] if words and not words[0].startswith("-") else ""
    argv = []
    for word in words:
        if word in PLACEHOLDERS:
            word = OPEN_SESSION if command == "resume" else PLACEHOLDERS[word]
        elif re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", word) and word != DEAD_ENDPOINT:
            word = llm.url
        elif word.startswith("../shared/"):
            word = str(SHARED / word.removeprefix("../shared/"))
        elif word.startswith("/tmp/"):
            word = str(tmp / word.removeprefix("/tmp/"))
        argv.append(word)
    return argv, stdout_to


def needs_llm(argv: list[str]) -> bool:
    return "llm" in argv or (argv[:1] == ["doctor"])


def check(shown: Shown, text: str, result: CliResult) -> None:
    where = f"{shown.doc}:{shown.line}: {text}"
    assert "Traceback" not in result.stderr, (where, result.stderr)
    if any(line.startswith("mockint: ") for line in shown.output):
        assert result.returncode == 2, (where, result)
        assert all(line.startswith("mockint: ") for line in result.stderr.splitlines()), where
    elif any(line.startswith("not ready") for line in shown.output):
        assert result.returncode == 1 and "not ready" in result.stdout, (where, result)
    else:
        assert result.returncode == 0, (where, result)


@pytest.mark.parametrize("doc", sorted({shown.doc for shown in ALL}))
def test_every_command_of_a_document_runs_as_shown(
    doc: str, llm: FakeLLM, tmp_path: Path, isolated_home: Path
) -> None:
    commands = [shown for shown in ALL if shown.doc == doc]
    folder = tmp_path / "work"
    folder.mkdir()
    workspace(folder, doc)
    populate(load_settings().db)
    cwd = ROOT if doc == "docs/benchmarks.md" else folder  # it names tests/data/*.jsonl
    ran = 0
    for shown in commands:
        for text in shown.variants():
            if SEED.name in text and not SEED.is_file():
                continue  # the seed guide is not on this machine
            argv, stdout_to = argv_of(text, llm, tmp_path)
            env = (
                {"OPENAI_BASE_URL": llm.url, "MOCKINT_MODEL": "fake-model"}
                if needs_llm(argv)
                else {}
            )
            result = run_cli(*argv, env=env, cwd=cwd, app=True)
            check(shown, text, result)
            if stdout_to:
                (cwd / stdout_to).write_text(result.stdout)
            ran += 1
    assert ran, f"no command of {doc} could run here"
