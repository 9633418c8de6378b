"""How fast is an offline grader? All 2273 Mohler et al. (2011) answers in one batch process.

`--grader keyword` (the default) or `--grader offline` (keywords plus sentence similarity).
For the offline grader the model is loaded first and timed apart, and only the first pass
counts: later passes would find every sentence's vector in the encoder's cache. Sentences
per second counts what the encoder really embedded.

- start-up: importing the grader and loading the pack (the reference-only pack built from the
  data set, loaded with the normal pack loader) and building the grader, timed in fresh
  Python processes (an import can only be timed once per process), with bytecode caches as
  an installed package has them; best and median wall time and best CPU time of
  --startup-runs;
- first grade: the first answer also builds the pack's IDF table (reference-only questions
  need it) and compiles its question; timed apart;
- throughput: every answer graded through `make_grader("keyword", pack=...)`, the code path
  of `mockint grade --batch`, after that first answer; --passes passes, the best reported
  (the usual benchmark practice on a shared machine: other load only ever slows a pass down);
- per-answer latency, median and 99th percentile over all passes;
- peak memory: tracemalloc over one more, untimed pass (tracing slows allocation down), and
  the process's maximum resident set size (resource.getrusage).

    .venv/bin/python bench/grader_speed.py [--data PATH] [--passes N] [--json]

Targets: >= 2000 answers/s after start-up; start-up < 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import agreement  # noqa: E402  (data loading is shared with the agreement benchmark)

STARTUP_SCRIPT = """
import sys, time
begin, cpu = time.perf_counter(), time.process_time()
from pathlib import Path
from mockint.grading import make_grader
from mockint.packs import load_pack
pack = load_pack(Path(sys.argv[1]))
grader = make_grader(sys.argv[2], None, pack=pack)
print(time.perf_counter() - begin, time.process_time() - cpu)
"""


def startup_seconds(pack_path: Path, runs: int, grader: str) -> list[tuple[float, float]]:
    """(wall, CPU) seconds per fresh process; CPU time is what load on the machine hides."""
    # As installed code runs: with bytecode caches (an environment may switch them off), and
    # one run first to write them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs + 1):
        done = subprocess.run(
            [sys.executable, "-c", STARTUP_SCRIPT, str(pack_path), grader],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        wall, cpu = done.stdout.split()
        times.append((float(wall), float(cpu)))
    return times[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=agreement.DEFAULT_DATA)
    parser.add_argument("--passes", type=int, default=5, help="timed passes over all answers")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--grader", choices=("keyword", "offline"), default="keyword")
    args = parser.parse_args(argv)
    semantic = args.grader == "offline"
    if semantic:
        args.passes = 1

    questions, answers = agreement.load(args.data)
    with tempfile.TemporaryDirectory(prefix="mockint-speed-") as folder:
        pack_path = Path(folder) / "mohler2011.toml"
        agreement.write_pack(questions, pack_path)
        startups = startup_seconds(pack_path, args.startup_runs, args.grader)

        from mockint.grading import make_grader
        from mockint.packs import load_pack

        pack = load_pack(pack_path)
    grader = make_grader(args.grader, None, pack=pack)
    load_seconds = 0.0
    embedded_before = 0
    if semantic:
        from mockint.grading.semantic import load_encoder

        load_begin = time.perf_counter()
        grader.warm_up()  # type: ignore[attr-defined]
        load_seconds = time.perf_counter() - load_begin
        embedded_before = len(load_encoder()._cache)
    jobs = [(pack.question(a["question_id"]), a["answer"]) for a in answers]
    # The first grade also builds the pack's IDF table and compiles its question: time it apart.
    first_begin = time.perf_counter()
    grader.grade(*jobs[0])
    first_grade = time.perf_counter() - first_begin

    clock = time.perf_counter
    latencies: list[float] = []
    pass_seconds: list[float] = []
    for _ in range(args.passes):
        pass_begin = clock()
        for question, answer in jobs:
            begin = clock()
            grader.grade(question, answer)
            latencies.append(clock() - begin)
        pass_seconds.append(clock() - pass_begin)

    sentences = 0
    traced_peak = 0
    if semantic:
        sentences = len(load_encoder()._cache) - embedded_before
    else:
        tracemalloc.start()
        for question, answer in jobs:
            grader.grade(question, answer)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    latencies.sort()
    figures = {
        "grader": args.grader,
        "answers": len(jobs),
        "model_load_s": round(load_seconds, 2),
        "sentences_embedded": sentences,
        "sentences_per_s": round(sentences / min(pass_seconds)) if sentences else None,
        "passes": args.passes,
        "startup_best_s": round(min(w for w, _ in startups), 3),
        "startup_median_s": round(statistics.median(w for w, _ in startups), 3),
        "startup_cpu_best_s": round(min(c for _, c in startups), 3),
        "first_grade_ms": round(first_grade * 1000, 1),
        "answers_per_s_best": round(len(jobs) / min(pass_seconds)),
        "answers_per_s_median": round(len(jobs) / statistics.median(pass_seconds)),
        "latency_median_ms": round(statistics.median(latencies) * 1000, 3),
        "latency_p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 3),
        "peak_traced_mib": round(traced_peak / 2**20, 2),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    f = figures
    print(f"{args.grader} grader, {f['answers']} answers (Mohler et al. 2011), one batch process")
    if semantic:
        print(
            f"  sentence encoder load                    {f['model_load_s']:.2f} s; "
            f"{f['sentences_embedded']} texts embedded, {f['sentences_per_s']} per second"
        )
    print(
        f"  start-up (imports + pack load + grader)  best {f['startup_best_s'] * 1000:.0f} ms, "
        f"median {f['startup_median_s'] * 1000:.0f} ms, "
        f"CPU {f['startup_cpu_best_s'] * 1000:.0f} ms ({args.startup_runs} fresh processes)"
    )
    print(f"  first grade (IDF table + compile)        {f['first_grade_ms']:.0f} ms")
    print(
        f"  throughput                               best {f['answers_per_s_best']} answers/s, "
        f"median {f['answers_per_s_median']} answers/s ({f['passes']} passes)"
    )
    print(
        f"  latency per answer                       median {f['latency_median_ms']:.3f} ms, "
        f"p99 {f['latency_p99_ms']:.3f} ms"
    )
    print(
        f"  peak memory while grading                {f['peak_traced_mib']} MiB traced, "
        f"max RSS {f['max_rss_mib']} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
