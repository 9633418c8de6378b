"""A 5-question session graded by the default offline grader: time per answer, memory.

Plays a session through the interview engine (the code path of the app's grading worker) on
a temporary database: five service-mesh questions, each answered with a labelled strong answer
and its follow-ups with a middling one. Reports the sentence encoder's load time (paid once, in
the background, when a session opens), the grading time of each answer once it is loaded, and
the process's peak resident memory.

    .venv/bin/python bench/offline_session.py

Targets: one answer graded in <= 150 ms once the model is loaded; peak RSS <= 300 MB.
"""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from mockint.grading import make_grader
from mockint.interview import Interview, InterviewOptions
from mockint.packs import resolve_pack
from mockint.store import Store

LABELS = Path(__file__).resolve().parent.parent / "tests" / "data" / "service_mesh_labels.jsonl"


def main() -> int:
    pack, _ = resolve_pack("service-mesh")
    answers: dict[tuple[str, str], str] = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        answers[(row["question_id"], row["kind"])] = row["answer"]
    grader = make_grader("offline", None, pack=pack)
    begin = time.perf_counter()
    grader.warm_up()  # type: ignore[attr-defined]
    load = time.perf_counter() - begin
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        options = InterviewOptions(questions=5, seed=1, max_follow_ups=2)
        interview = Interview.start(store, pack, grader, options)
        while not interview.done:
            turn = interview.current
            assert turn is not None
            kind = "strong" if turn.kind == "main" else "middling"
            turn_id = interview.submit(answers[(turn.question.id, kind)])
            started = time.perf_counter()
            outcome = interview.grade(turn_id)
            timings.append(time.perf_counter() - started)
            interview.advance(outcome)
        interview.finish()
        store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"offline grader, 5-question session: {len(timings)} answers graded")
    print(f"  sentence encoder load (once, in the background): {load:.2f} s")
    print(
        f"  grading per answer once loaded: median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms"
    )
    print(f"  peak resident memory: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
