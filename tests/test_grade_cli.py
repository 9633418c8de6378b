"""`mockint grade` and `mockint eval`, through click's runner and through `main`, which the
installed entry point calls."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import CliResult, run_cli
from click.testing import CliRunner
from grading_fixtures import MESH_STRONG, mesh_pack, write_mesh_pack

from mockint.cli import cli
from mockint.errors import UserError
from mockint.grading import make_grader
from mockint.grading.keyword import KeywordGrader
from mockint.grading.metrics import agreement


@pytest.fixture
def pack_path(tmp_path: Path) -> Path:
    return write_mesh_pack(tmp_path)


def run(tmp_path: Path, *args: str, input: str | None = None):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def run_main(tmp_path: Path, *args: str) -> CliResult:
    return run_cli(*args, db=tmp_path / "m.db")


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_grade_one_answer_prints_a_readable_report(tmp_path, pack_path) -> None:
    result = run(
        tmp_path,
        "grade",
        "--pack",
        str(pack_path),
        "--question",
        "mesh",
        "--answer",
        "It runs on kubernetes, and mTLS encrypts traffic.",
    )
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("mesh: ") and " / 10 — " in first and "grader: offline" in first
    assert "✓ orchestrator" in result.output
    assert "✗ latency" in result.output
    assert 'evidence: "kubernetes"' in result.output
    assert "Missed:" in result.output and "To add:" not in result.output


def test_grade_json_has_the_documented_shape(tmp_path, pack_path) -> None:
    result = run(
        tmp_path,
        "grade",
        "--pack",
        str(pack_path),
        "--question",
        "mesh",
        "--answer",
        MESH_STRONG + " If istiod dies, the data plane stops.",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["question_id"] == "mesh"
    assert data["grader"] == "offline"
    assert data["score"] == 8.0  # every point covered, minus the 2.0 red flag
    assert data["band"] == "strong hire"
    assert {"id", "verdict", "evidence"} <= set(data["points"][0])
    assert {p["verdict"] for p in data["points"]} == {"covered"}
    assert data["red_flags"][0]["id"] == "data-plane-stops"
    assert data["red_flags"][0]["evidence"] == ["data plane stops"]


def test_answer_from_a_file_and_from_stdin(tmp_path, pack_path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("Everything runs on kubernetes.", encoding="utf-8")
    from_file = run(
        tmp_path,
        "grade",
        "--pack",
        str(pack_path),
        "--question",
        "mesh",
        "--answer-file",
        str(answer),
        "--json",
    )
    from_stdin = run(
        tmp_path,
        "grade",
        "--pack",
        str(pack_path),
        "--question",
        "mesh",
        "--json",
        "-",
        input="Everything runs on kubernetes.",
    )
    assert json.loads(from_file.output)["score"] > 0
    assert json.loads(from_file.output) == json.loads(from_stdin.output)


def test_batch_grades_every_line_in_order_and_reports_bad_lines(tmp_path, pack_path) -> None:
    batch = write_jsonl(
        tmp_path / "batch.jsonl",
        [
            json.dumps({"question_id": "mesh", "answer": MESH_STRONG}),
            "this is not json",
            json.dumps({"question_id": "nope", "answer": "x"}),
            "",
            json.dumps({"question_id": "prototype", "answer": "It simulates the product."}),
            json.dumps({"question_id": "mesh"}),
        ],
    )
    result = run(tmp_path, "grade", "--pack", str(pack_path), "--batch", str(batch), "--json")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["line"] for row in rows] == [1, 2, 3, 5, 6]
    assert rows[0]["question_id"] == "mesh" and rows[0]["score"] == 10.0
    assert rows[1]["error"].startswith("line 2: not JSON")
    assert "line 3" in rows[2]["error"] and "'nope'" in rows[2]["error"]
    assert rows[3]["question_id"] == "prototype" and rows[3]["score"] > 0
    assert rows[4]["error"] == "line 6: missing answer"


def test_batch_without_bad_lines_exits_zero(tmp_path, pack_path) -> None:
    batch = write_jsonl(
        tmp_path / "batch.jsonl",
        [json.dumps({"question_id": "mesh", "answer": a}) for a in ("kubernetes", "", "mTLS")],
    )
    result = run(tmp_path, "grade", "--pack", str(pack_path), "--batch", str(batch))
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 3


def test_mistakes_are_one_line_with_exit_code_2(tmp_path, pack_path) -> None:
    unknown = run_main(
        tmp_path, "grade", "--pack", str(pack_path), "--question", "zz", "--answer", "x"
    )
    assert unknown.returncode == 2
    assert unknown.stderr.strip().startswith("mockint: pack 'grading-test' has no question 'zz'")
    assert "Traceback" not in unknown.stderr
    two_sources = run_main(
        tmp_path,
        "grade",
        "--pack",
        str(pack_path),
        "--question",
        "mesh",
        "--answer",
        "x",
        "--answer-file",
        "y.txt",
    )
    assert two_sources.returncode == 2
    assert "exactly one way" in two_sources.stderr
    assert len(two_sources.stderr.strip().splitlines()) == 1


def test_eval_prints_agreement_and_disagreements(tmp_path, pack_path) -> None:
    pack = mesh_pack()
    labelled = [
        ("mesh", MESH_STRONG, 9.5, 10),
        ("mesh", "It runs on kubernetes and keeps its last known configuration.", 2.5, 5),
        ("mesh", "I do not know.", 0, 10),
        ("prototype", "It simulates portions of the desired software product.", 5, 5),
        ("prototype", "A prototype is a kind of program.", 1, 10),
        ("variable", "A place in memory that stores a value.", 9, 10),
    ]
    labels = write_jsonl(
        tmp_path / "labels.jsonl",
        [
            json.dumps({"question_id": q, "answer": a, "human_score": h, "scale_max": m})
            for q, a, h, m in labelled
        ],
    )
    result = run(
        tmp_path,
        "eval",
        "--pack",
        str(pack_path),
        "--labels",
        str(labels),
        "--grader",
        "keyword",
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    grader = KeywordGrader(pack)
    machine = [grader.grade(pack.question(q), a).score for q, a, _, _ in labelled]
    human = [10 * h / m for _, _, h, m in labelled]
    expected = agreement(machine, human).to_dict()
    assert report["n"] == 6
    for key in ("pearson", "spearman", "qwk", "mae"):
        assert report[key] == expected[key], key
    assert report["pearson"] > 0.8
    worst = report["largest_disagreements"]
    assert [abs(d["difference"]) for d in worst] == sorted(
        (abs(d["difference"]) for d in worst), reverse=True
    )
    assert {d["line"] for d in worst} == set(range(1, 7))
    assert worst[0]["human"] in human

    text = run(tmp_path, "eval", "--pack", str(pack_path), "--labels", str(labels))
    for label in ("Pearson r", "Spearman rho", "quadratic weighted kappa", "mean absolute error"):
        assert label in text.output
    assert "Largest disagreements:" in text.output


def test_eval_refuses_a_bad_labels_file(tmp_path, pack_path) -> None:
    labels = write_jsonl(
        tmp_path / "labels.jsonl",
        [json.dumps({"question_id": "mesh", "answer": "x", "human_score": 12})],
    )
    result = run_main(tmp_path, "eval", "--pack", str(pack_path), "--labels", str(labels))
    assert result.returncode == 2
    assert "line 1: human_score must be a number in 0..scale_max" in result.stderr


def test_every_help_has_an_example(tmp_path) -> None:
    for command in ("grade", "eval"):
        result = run(tmp_path, command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output and f"mockint {command} --pack" in result.output


def test_make_grader_selects_and_reports_an_unavailable_llm(monkeypatch) -> None:
    assert isinstance(make_grader("keyword", None, pack=mesh_pack()), KeywordGrader)
    monkeypatch.setitem(sys.modules, "mockint.grading.llm", None)  # import raises ImportError
    with pytest.raises(UserError, match="the LLM grader is not available"):
        make_grader("llm", None)
    with pytest.raises(UserError, match="unknown grader"):
        make_grader("magic", None)


def test_grading_from_the_cli_never_imports_openai(tmp_path, pack_path) -> None:
    script = (
        "import sys; from mockint.cli import main\n"
        f"sys.argv = ['mockint', 'grade', '--pack', {str(pack_path)!r}, '--question', 'mesh',"
        " '--answer', 'kubernetes', '--grader', 'keyword', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('openai' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert json.loads(done.stdout)["question_id"] == "mesh"
    assert done.stderr.strip() == "False"


def test_eval_without_a_model_names_only_what_eval_can_use(tmp_path, pack_path) -> None:
    """eval has no --model flag: the missing model is set in the environment or config."""
    labels = write_jsonl(
        tmp_path / "labels.jsonl",
        [json.dumps({"question_id": "mesh", "answer": "x", "human_score": 5})],
    )
    for source in (("--labels", str(labels)), ("--disputes",)):
        args = ("eval", "--pack", str(pack_path), *source, "--grader", "llm")
        result = run_main(tmp_path, *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("mockint: ") and "MOCKINT_MODEL" in line
        assert "--model" not in line


def test_an_empty_answer_is_a_one_line_error(tmp_path, pack_path) -> None:
    """`--answer "$ANSWER"` with the variable unset, or an empty file, is a mistake: one line,
    exit 2, instead of a report grading nothing."""
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    base = ("grade", "--pack", str(pack_path), "--question", "mesh")
    for extra, where in (
        (("--answer", ""), "(--answer)"),
        (("--answer-file", str(empty)), f"({empty})"),
    ):
        result = run_main(tmp_path, *base, *extra)
        assert result.returncode == 2 and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert lines == [f"mockint: the answer is empty {where}: nothing to grade"], lines
    piped = run_cli(*base, "-", db=tmp_path / "m.db", stdin="")
    assert piped.returncode == 2 and "the answer is empty (standard input)" in piped.stderr
