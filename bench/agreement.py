"""How well does a grader agree with people? Measured on Mohler et al. (ACL 2011).

The data set (81 questions, 2273 student answers, each graded 0-5 by two people) is read from
../shared/datasets/mohler2011 at run time and never copied into the repository. The script
builds, in a temporary folder, a pack with only reference answers (the minimal pack form) and a
labels file (human_score = the two graders' average `ave`, scale_max = 5), then runs the
installed `mockint eval` on them, exactly as a user would, and prints its figures.

No training, no per-question tuning: the grader sees each question's text and reference answer
only, and weighs words by IDF over the pack's own questions and reference answers.

    .venv/bin/python bench/agreement.py [--data PATH] [--grader offline|keyword] [--json]

Cite: Michael Mohler, Razvan Bunescu and Rada Mihalcea. Learning to Grade Short Answer
Questions using Semantic Similarity Measures and Dependency Graph Alignments. ACL-HLT 2011.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "mohler2011"
# For scale (Pearson r against the averaged human grade).
REFERENCE_POINTS = {
    "tf-idf cosine": 0.45,
    "share of reference words": 0.48,
    "Mohler et al. trained system": 0.518,
    "human vs human": 0.586,
}


def _read(path: Path) -> str:
    # Latin-1 bytes and double-encoded UTF-8 occur in a few files: never decode strictly.
    return path.read_text(encoding="utf-8", errors="replace")


def _by_id(path: Path) -> dict[str, str]:
    rows = {}
    for line in _read(path).splitlines():
        if line.strip():
            qid, _, text = line.partition(" ")
            rows[qid] = text.strip()
    return rows


def load(data: Path) -> tuple[list[dict], list[dict]]:
    """Questions (id, text, reference) and answers (question_id, answer, ave, annotated)."""
    root = data / "ShortAnswerGrading_v2.0" / "data"
    if not root.is_dir():
        raise SystemExit(f"no data set at {root} (give --data PATH to the mohler2011 folder)")
    active = [
        line.strip()
        for line in _read(root / "docs" / "files").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    texts, references = _by_id(root / "raw" / "questions"), _by_id(root / "raw" / "answers")
    annotated = {p.name for p in (root / "annotations").glob("*")}
    questions, answers = [], []
    for qid in active:
        questions.append({"id": qid, "text": texts[qid], "reference_answer": references[qid]})
        lines = [line for line in _read(root / "raw" / qid).splitlines() if line.strip()]
        # `ave` is on 0-5 for every assignment (the exams' `me`/`other` are 0-10: not used).
        scores = _read(root / "scores" / qid / "ave").split()
        if len(lines) != len(scores):
            raise SystemExit(f"{qid}: {len(lines)} answers but {len(scores)} scores")
        for index, (line, score) in enumerate(zip(lines, scores, strict=True)):
            answers.append(
                {
                    "question_id": qid,
                    "answer": line.partition(" ")[2].strip(),
                    "human_score": float(score),
                    "scale_max": 5,
                    "annotated": f"{qid}.{index}" in annotated,
                }
            )
    return questions, answers


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(text, ensure_ascii=False)


def write_pack(questions: list[dict], path: Path) -> None:
    lines = [
        "[pack]",
        'id = "mohler2011"',
        'title = "Mohler et al. 2011 short answers (reference answers only)"',
        "",
    ]
    for question in questions:
        lines += [
            "[[questions]]",
            f"id = {_toml_string(question['id'])}",
            f"text = {_toml_string(question['text'])}",
            f"reference_answer = {_toml_string(question['reference_answer'])}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_labels(answers: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in answers:
            fields = ("question_id", "answer", "human_score", "scale_max")
            handle.write(json.dumps({k: row[k] for k in fields}, ensure_ascii=False) + "\n")


def run_eval(pack: Path, labels: Path, grader: str, home: Path) -> dict:
    """The installed CLI, in a clean home so no user config or database is involved."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCKINT_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        MOCKINT_DB=str(home / "bench.db"),
    )
    command = [sys.executable, "-m", "mockint", "eval", "--pack", str(pack)]
    command += ["--labels", str(labels), "--grader", grader, "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mockint eval failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def wrong_question_share(
    questions: list[dict], answers: list[dict], pack: Path, grader: str, home: Path
) -> tuple[int, float]:
    """Answers people scored >= 4.5/5, each sent to the next question of the set: the share
    that still scores >= 5/10 (an off-question answer should not pass)."""
    order = [q["id"] for q in questions]
    following = {qid: order[(i + 1) % len(order)] for i, qid in enumerate(order)}
    batch = home / "wrong-question.jsonl"
    good = [a for a in answers if a["human_score"] >= 4.5]
    with batch.open("w", encoding="utf-8") as handle:
        for row in good:
            line = {"question_id": following[row["question_id"]], "answer": row["answer"]}
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCKINT_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))
    env.update(XDG_DATA_HOME=str(home / "data"), MOCKINT_DB=str(home / "bench.db"))
    command = [sys.executable, "-m", "mockint", "grade", "--pack", str(pack), "--batch"]
    done = subprocess.run(
        [*command, str(batch), "--grader", grader],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"mockint grade failed ({done.returncode}): {done.stderr.strip()}")
    scores = [json.loads(line)["score"] for line in done.stdout.splitlines() if line.strip()]
    return len(scores), sum(1 for score in scores if score >= 5) / max(1, len(scores))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="mohler2011 folder")
    parser.add_argument("--grader", default="offline")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    questions, answers = load(args.data)
    results = {}
    with tempfile.TemporaryDirectory(prefix="mockint-agreement-") as folder:
        tmp = Path(folder)
        pack = tmp / "mohler2011.toml"
        write_pack(questions, pack)
        subsets = {
            "all": answers,
            # the paper's evaluation set: without the 32 answers it trained on
            "paper_2241": [a for a in answers if not a["annotated"]],
        }
        for name, rows in subsets.items():
            labels = tmp / f"labels-{name}.jsonl"
            write_labels(rows, labels)
            started = time.perf_counter()
            results[name] = run_eval(pack, labels, args.grader, tmp)
            results[name]["seconds"] = round(time.perf_counter() - started, 2)
        wrong_n, wrong_share = wrong_question_share(questions, answers, pack, args.grader, tmp)

    if args.json:
        figures = {
            k: {**v, "largest_disagreements": v["largest_disagreements"][:3]}
            for k, v in results.items()
        }
        figures["wrong_question"] = {"n": wrong_n, "share_scoring_5_or_more": wrong_share}
        print(json.dumps(figures, indent=2))
        return 0
    full = results["all"]
    print(
        f"Mohler et al. 2011: {len(questions)} questions, {full['n']} answers, grader {args.grader}"
    )
    print("(human score = average of the two graders, 0-5, compared on 0-10)")
    for name, result in results.items():
        print(
            f"  {name:<11} n={result['n']:<5} Pearson r={result['pearson']:.3f}  "
            f"Spearman rho={result['spearman']:.3f}  QWK={result['qwk']:.3f}  "
            f"MAE={result['mae']:.2f}  ({result['seconds']:.1f} s)"
        )
    print(f"  mean score: human {full['mean_human']:.2f}, grader {full['mean_grader']:.2f} (0-10)")
    print(
        f"  answers people scored >= 4.5/5, sent to the next question: "
        f"{wrong_share:.1%} of {wrong_n} score >= 5/10"
    )
    print("For scale (Pearson r):")
    for label, value in REFERENCE_POINTS.items():
        print(f"  {label:<30} {value:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
