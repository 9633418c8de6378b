"""Why the Mohler goals are not met together: the trade-off behind the "about this question" check.

The goals for Mohler et al. (bench/agreement.py) are r >= 0.60, MAE <= 2.5 and at most 5% of
the answers people scored >= 4.5/5 passing (>= 5/10) when sent to the next question. This
script grades the same answers with the default offline grader in-process while it varies the
two constants that trade those figures against each other:

- OTHER_QUESTION_MARGIN: how much closer to another question an answer must be before
  resemblance may not lift it ("off": never checked);
- READING_LIFT: how kindly a reference-only share is read (1 - (1 - s) ** lift).

Each row is the grader as shipped but for those two constants; the first row is what ships.

    .venv/bin/python bench/mohler_frontier.py [--data PATH]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from agreement import DEFAULT_DATA, load, write_pack

from mockint.grading import offline
from mockint.grading.metrics import agreement
from mockint.packs import load_pack

SHIPPED = (offline.OTHER_QUESTION_MARGIN, offline.READING_LIFT)
MARGINS = (SHIPPED[0], 0.10, 0.15, 0.25, None)  # None: the check is off
LIFTS = (SHIPPED[1], 2.5)


def measure(pack_path: Path, questions: list[dict], answers: list[dict]) -> list[dict]:
    pack = load_pack(pack_path)
    order = [q["id"] for q in questions]
    following = {qid: order[(i + 1) % len(order)] for i, qid in enumerate(order)}
    good = [a for a in answers if a["human_score"] >= 4.5]
    rows = []
    for lift in LIFTS:
        for margin in MARGINS:
            offline.OTHER_QUESTION_MARGIN = 99.0 if margin is None else margin
            offline.READING_LIFT = lift
            grader = offline.OfflineGrader(pack)  # fresh: nothing cached across settings
            scores = [
                grader.grade(pack.question(a["question_id"]), a["answer"]).score for a in answers
            ]
            people = [10 * a["human_score"] / 5 for a in answers]
            figures = agreement(scores, people).to_dict()
            moved = [
                grader.grade(pack.question(following[a["question_id"]]), a["answer"]).score
                for a in good
            ]
            rows.append(
                {
                    "margin": "off" if margin is None else f"{margin:.2f}",
                    "lift": lift,
                    "r": figures["pearson"],
                    "mae": figures["mae"],
                    "mean": statistics.mean(scores),
                    "next": sum(1 for s in moved if s >= 5) / len(moved),
                }
            )
    offline.OTHER_QUESTION_MARGIN, offline.READING_LIFT = SHIPPED
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="mohler2011 folder")
    args = parser.parse_args(argv)
    questions, answers = load(args.data)
    with tempfile.TemporaryDirectory(prefix="mockint-frontier-") as folder:
        pack = Path(folder) / "mohler2011.toml"
        write_pack(questions, pack)
        rows = measure(pack, questions, answers)
    print("| other-question margin | lift | r | MAE | mean (people 8.37) | next question ≥ 5 |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        shipped = (row["margin"], row["lift"]) == (f"{SHIPPED[0]:.2f}", SHIPPED[1])
        print(
            f"| {row['margin']}{' (shipped)' if shipped else ''} | {row['lift']} | {row['r']:.3f} "
            f"| {row['mae']:.2f} | {row['mean']:.2f} | {row['next']:.1%} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
