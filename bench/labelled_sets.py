"""Each offline grader on each built-in pack's labelled answers: agreement, and means by kind.

For every labelled set in tests/data/ (answers written for this purpose, each with the score a
careful interviewer would give) and each grader: Pearson r and MAE against those scores, the
mean score per kind of answer (strong, paraphrased, negated, stuffed, injected, ...), and the
mean score of the strong answers sent to the *next* question of the pack (an answer to another
question should earn little).

With --reference-only each pack is first cut down to the minimal pack form: every question
keeps its wording and, as its only reference answer, its model-answer outline (no rubric, no
terms). That checks the reference-only path, tuned on Mohler et al., on answers it never saw.

    .venv/bin/python bench/labelled_sets.py [--graders offline,keyword] [--markdown]
        [--reference-only]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from mockint.grading import make_grader
from mockint.grading.metrics import agreement
from mockint.packs import Pack, Question, resolve_pack

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = (
    ("service-mesh", "service_mesh_labels.jsonl"),
    ("service-mesh", "service_mesh_labels_extra.jsonl"),
    ("kubernetes", "kubernetes_labels.jsonl"),
    ("distributed-systems", "distributed_systems_labels.jsonl"),
)


def reference_only(pack: Pack) -> Pack:
    """The pack in its minimal form: wording plus the model answer as the reference."""
    questions = [
        Question(
            id=q.id,
            text=q.text,
            reference_answer=" ".join(q.model_answer) or " ".join(p.description for p in q.rubric),
        )
        for q in pack.questions
    ]
    return Pack(pack=pack.pack, questions=tuple(questions))


def measure(pack_ref: str, labels: Path, grader_name: str, minimal: bool = False) -> dict:
    pack, _ = resolve_pack(pack_ref)
    if minimal:
        pack = reference_only(pack)
    grader = make_grader(grader_name, None, pack=pack)
    following = {
        q.id: pack.questions[(i + 1) % len(pack.questions)] for i, q in enumerate(pack.questions)
    }
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line]
    human, machine, kinds, wrong = [], [], {}, []
    for row in rows:
        score = grader.grade(pack.question(row["question_id"]), row["answer"]).score
        human.append(10 * row["human_score"] / row.get("scale_max", 10))
        machine.append(score)
        kinds.setdefault(row.get("kind", "?"), []).append(score)
        if row.get("kind") == "strong":
            wrong.append(grader.grade(following[row["question_id"]], row["answer"]).score)
    figures = agreement(machine, human).to_dict()
    return {
        "n": len(rows),
        "pearson": figures["pearson"],
        "mae": figures["mae"],
        "kinds": {kind: round(statistics.mean(scores), 1) for kind, scores in kinds.items()},
        "wrong_question": round(statistics.mean(wrong), 2) if wrong else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graders", default="keyword,offline")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--reference-only", action="store_true", help="grade against the packs' minimal form"
    )
    args = parser.parse_args(argv)
    for pack_ref, name in SETS:
        results = {
            g: measure(pack_ref, DATA / name, g, args.reference_only)
            for g in args.graders.split(",")
        }
        kinds = list(next(iter(results.values()))["kinds"])
        print(f"\n{name} ({pack_ref}, {next(iter(results.values()))['n']} answers)")
        if args.markdown:
            print("\n| grader | r | MAE | " + " | ".join(kinds) + " | strong → next question |")
            print("|---" * (4 + len(kinds)) + "|")
        for grader_name, r in results.items():
            cells = [f"{r['kinds'][k]:.1f}" for k in kinds]
            wrong = "–" if r["wrong_question"] is None else f"{r['wrong_question']:.2f}"
            if args.markdown:
                row = [grader_name, f"{r['pearson']:.3f}", f"{r['mae']:.2f}", *cells, wrong]
                print("| " + " | ".join(row) + " |")
            else:
                means = ", ".join(f"{k} {c}" for k, c in zip(kinds, cells, strict=True))
                print(
                    f"  {grader_name:<8} r={r['pearson']:.3f} MAE={r['mae']:.2f}  {means}; "
                    f"strong answers sent to the next question: {wrong}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
