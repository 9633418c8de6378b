"""Fill a database with 10,000 realistic sessions and time history, search, stats and practice.

    .venv/bin/python bench/scale.py                      # temporary database, 10,000 sessions
    .venv/bin/python bench/scale.py --db /tmp/big.db --keep --markdown /tmp/scale.md

A session has 5 questions of the built-in service-mesh pack, 0-2 follow-ups each, answers of
200-1,800 characters written from the pack's model answers and rubric terms (2% with Chinese,
Japanese or emoji text), and a grade per answer with a verdict and evidence for every rubric
point; 40% are LLM sessions, some with fallback grades marked for regrade. Rows go in through
the real schema (so the FTS triggers index every turn), then `results.refresh` summarises them
as it would after each session. Every figure is the median of `--runs` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mockint.grading.base import PointVerdict, band_for, compute_score
from mockint.grading.serial import point_to_dict
from mockint.packs import Pack, Question, resolve_pack
from mockint.review import history, results
from mockint.review.scheduler import due_plan
from mockint.review.search import search
from mockint.review.stats import compute_stats
from mockint.review.transcript import load_transcript
from mockint.store import Store

FILLER = [
    "In my last team we learned this the hard way during an incident.",
    "I would start by measuring before changing anything.",
    "The trade-off depends on how many services and engineers you have.",
    "Honestly I am less sure about the details here.",
    "We rolled it out namespace by namespace with a canary first.",
    "That is also why dashboards alone were not enough for us.",
]
UNICODE = [
    "我们使用服务网格来管理流量和证书轮换。",
    "サービスメッシュは通信を暗号化します。",
    "Déployé en production 🚀 avec une rotation des certificats très réussie 👍",
]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_answer(rng: random.Random, question: Question, covered: set[str]) -> tuple[str, dict]:
    """An answer mentioning the covered points' terms, plus model-answer and filler sentences."""
    parts: list[str] = []
    evidence: dict[str, list[str]] = {}
    for point in question.rubric:
        if point.id in covered:
            term = rng.choice(point.terms)
            parts.append(f"It matters that {term} is handled, because {point.description.lower()}")
            evidence[point.id] = [term]
    parts += rng.sample(list(question.model_answer), k=min(len(question.model_answer), 2))
    parts += rng.sample(FILLER, k=rng.randint(0, 3))
    if rng.random() < 0.02:
        parts.append(rng.choice(UNICODE))
    rng.shuffle(parts)
    text = " ".join(parts)
    target = rng.randint(200, 1800)
    return text[: max(target, 200)], evidence


def grade_row(rng: random.Random, question: Question, skill: float) -> tuple[dict, set[str]]:
    points = []
    covered = set()
    for point in question.rubric:
        roll = rng.random()
        verdict = "covered" if roll < skill else ("partial" if roll < skill + 0.2 else "missed")
        if verdict != "missed":
            covered.add(point.id)
        points.append(PointVerdict(point.id, verdict, point.weight, description=point.description))
    return {"points": points}, covered


def fill(store: Store, pack: Pack, sessions: int, seed: int) -> None:
    rng = random.Random(seed)
    conn = store.db.conn
    start = datetime.now(UTC) - timedelta(days=540)
    turn_id = 0
    grade_id = 0
    with conn:
        for sid in range(1, sessions + 1):
            started = start + timedelta(minutes=sid * 540 * 24 * 60 // sessions)
            skill = min(0.9, 0.25 + 0.5 * sid / sessions + rng.uniform(-0.15, 0.15))
            llm = rng.random() < 0.4
            status = "completed" if rng.random() < 0.95 else "abandoned"
            if sid > sessions - 2:
                status = "in_progress"
            chosen = rng.sample(list(pack.questions), k=5)
            asked = chosen if status == "completed" else chosen[: rng.randint(1, 4)]
            clock = started
            seq = 0
            session_turns = []
            session_grades = []
            for question in asked:
                follow_ups = rng.choice([0, 0, 1, 1, 2])
                prompts = [("main", question.text, ())]
                for follow in question.follow_ups[:follow_ups]:
                    prompts.append(("follow_up", follow.text, follow.probes))
                for kind, prompt, probes in prompts:
                    turn_id += 1
                    graded, covered = grade_row(rng, question, skill)
                    answer, evidence = write_answer(rng, question, covered)
                    used = rng.uniform(40, 280)
                    submitted = clock + timedelta(seconds=used)
                    fallback = llm and rng.random() < 0.03
                    session_turns.append(
                        (
                            turn_id,
                            sid,
                            question.id,
                            kind,
                            prompt,
                            answer,
                            iso(clock),
                            iso(submitted),
                            seq,
                            json.dumps(list(probes)),
                            300.0,
                            int(fallback),
                        )
                    )
                    for point in graded["points"]:
                        point.evidence = evidence.get(point.point_id, [])
                    score = compute_score(graded["points"], [])
                    grade_id += 1
                    session_grades.append(
                        (
                            grade_id,
                            turn_id,
                            "llm" if llm and not fallback else "keyword",
                            "tiny" if llm and not fallback else None,
                            score,
                            band_for(score),
                            json.dumps([point_to_dict(p) for p in graded["points"]]),
                            iso(submitted + timedelta(seconds=3)),
                            "LLM timed out" if fallback else "",
                        )
                    )
                    clock = submitted + timedelta(seconds=5)
                    seq += 1
            conn.execute(
                "INSERT INTO sessions (id, pack_id, pack_title, started_at, ended_at, status, "
                "grader, model, question_ids, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    pack.id,
                    pack.title,
                    iso(started),
                    None if status == "in_progress" else iso(clock),
                    status,
                    "llm" if llm else "keyword",
                    "tiny" if llm else None,
                    json.dumps([q.id for q in chosen]),
                    json.dumps({"timed": True}),
                ),
            )
            conn.executemany(
                "INSERT INTO turns (id, session_id, question_id, kind, prompt, answer, "
                "started_at, submitted_at, seq, probes, budget_seconds, needs_regrade) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                session_turns,
            )
            conn.executemany(
                "INSERT INTO grades (id, turn_id, grader, model, score, band, points, "
                "created_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                session_grades,
            )


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, max) milliseconds of `runs` calls."""
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - begin) * 1000)
    return statistics.median(samples), max(samples)


async def history_screen(
    store: Store, presses: int, bare: bool = False
) -> tuple[float, list[float], list[float]]:
    """Drive the history screen headless: (ms to push it and show its first page, ms per page-down,
    ms per `load_more` — the next 100 sessions read and added to the table).

    `bare`: a plain DataTable holding 1,000 in-memory rows instead, for comparison — what
    Textual itself costs per page-down on this machine in headless mode, no database involved.
    """
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import DataTable

    from mockint.tui.screens.history import HistoryScreen

    class Bare(Screen[None]):
        def compose(self) -> ComposeResult:
            table: DataTable[str] = DataTable(cursor_type="row")
            for name in "abcdefgh":
                table.add_column(name)
            for i in range(1000):
                table.add_row(*(f"{name} {i}" for name in "abcdefgh"))
            yield table

    class Bench(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Bare() if bare else HistoryScreen(store))

    app = Bench()
    loads: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        steps = []
        for _ in range(presses):
            step = time.perf_counter()
            await pilot.press("pagedown")
            await pilot.pause()
            steps.append((time.perf_counter() - step) * 1000)
        screen = app.screen
        if isinstance(screen, HistoryScreen):
            for _ in range(9):
                step = time.perf_counter()
                screen.load_more()
                loads.append((time.perf_counter() - step) * 1000)
        # opening it again inside the running app: the screen alone, without app start-up
        pushes = []
        for _ in range(5):
            step = time.perf_counter()
            await app.push_screen(Bare() if bare else HistoryScreen(store))
            await pilot.pause()
            pushes.append((time.perf_counter() - step) * 1000)
            await app.pop_screen()
            await pilot.pause()
    return statistics.median(pushes), steps, loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="reuse --db if it is already filled")
    parser.add_argument("--markdown", type=Path, help="also write the figures as Markdown here")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "scale.db"
    pack, _ = resolve_pack("service-mesh")
    store = Store(path)
    figures: list[tuple[str, str]] = []
    filled = store.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    if not (args.keep and filled):
        if filled:
            sys.exit(f"{path} already holds sessions; use --keep or another --db")
        begin = time.perf_counter()
        fill(store, pack, args.sessions, args.seed)
        figures.append(("fill (insert + FTS triggers)", f"{time.perf_counter() - begin:.1f} s"))
        begin = time.perf_counter()
        summarised = results.refresh(store)
        store.db.execute(
            "UPDATE sessions SET score = (SELECT ROUND(AVG(score), 1) FROM question_results r "
            "WHERE r.session_id = sessions.id) WHERE status = 'completed'"
        )
        store.db.conn.commit()
        figures.append(
            (
                f"summarise {summarised} sessions once (results.refresh)",
                f"{time.perf_counter() - begin:.1f} s",
            )
        )
        begin = time.perf_counter()
        due_plan(store, pack, 5)
        figures.append(
            (
                "build the FSRS cards once (replay every result)",
                f"{time.perf_counter() - begin:.1f} s",
            )
        )
    counts = {
        t: store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("sessions", "turns", "grades")
    }
    size = path.stat().st_size / 1e6
    print(f"{path}: {counts} ({size:.0f} MB)", file=sys.stderr)

    def ms(label: str, fn: Callable[[], object]) -> float:
        median, worst = timed(fn, args.runs)
        figures.append((label, f"{median:.1f} ms (max {worst:.1f})"))
        return median

    ms("history: count + first page of 100", lambda: (history.count(store), history.page(store)))
    ms("history: page 50 (offset 4,900)", lambda: history.page(store, offset=4900))
    ms(
        "history: sorted by score, filtered score:<5",
        lambda: history.page(store, history.parse_filter("score:<5"), sort="score"),
    )
    queries = [
        "mtls",
        "certificate rotation",
        '"control plane"',
        "resilience4j",
        "kafka sqs",
        "服务网格",
        "🚀",
        "retries",
        "xyzzy-not-there",
    ]
    search_times = [ms(f"search {q}", lambda q=q: search(store, q)) for q in queries]
    ms(
        "search mtls --pack service-mesh --since (a month ago)",
        lambda: search(
            store, "mtls", pack_id=pack.id, since=iso(datetime.now(UTC) - timedelta(30))
        ),
    )
    ms("search mtls, by relevance", lambda: search(store, "mtls", order="relevance"))
    stats_time = ms("stats (weak spots over the last 100 sessions)", lambda: compute_stats(store))
    ms("stats --last 0 (weak spots over every session)", lambda: compute_stats(store, last=0))
    ms("due_plan (5 questions)", lambda: due_plan(store, pack, 5))
    ms(
        "transcript of one session",
        lambda: load_transcript(store, counts["sessions"] // 2, with_history=True),
    )
    # headless page-downs are noisy (rendering, other load on the machine): the history
    # screen and a bare DataTable are measured in turns, twice each, and compared
    screen_steps: list[float] = []
    bare_steps: list[float] = []
    for _ in range(2):
        opened, steps, loads = asyncio.run(history_screen(store, 30))
        screen_steps += steps
        bare_opened, more_steps, _ = asyncio.run(history_screen(store, 30, bare=True))
        bare_steps += more_steps
    figures.append(
        (
            "history screen: push it, first page on screen (headless, median of 5)",
            f"{opened:.0f} ms",
        )
    )
    figures.append(
        (
            "same, a bare screen with a DataTable of 1,000 rows (Textual alone)",
            f"{bare_opened:.0f} ms",
        )
    )
    figures.append(
        (
            "history screen: read + add the next 100 sessions (load_more)",
            f"{statistics.median(loads):.1f} ms (max {max(loads):.1f})",
        )
    )
    figures.append(
        (
            "history screen: page-down, headless, median (max) of 60",
            f"{statistics.median(screen_steps):.0f} ms (max {max(screen_steps):.0f})",
        )
    )
    figures.append(
        (
            "same, a bare DataTable of 1,000 in-memory rows (Textual alone)",
            f"{statistics.median(bare_steps):.0f} ms (max {max(bare_steps):.0f})",
        )
    )
    figures.append(
        ("search, median over the queries above", f"{statistics.median(search_times):.1f} ms")
    )
    verdict = "OK" if max(search_times) < 50 and stats_time < 200 else "TOO SLOW"
    lines = ["| What | Time |", "|---|---|", *(f"| {k} | {v} |" for k, v in figures)]
    header = (
        f"{counts['sessions']:,} sessions, {counts['turns']:,} turns, "
        f"{counts['grades']:,} grades, {size:.0f} MB; median of {args.runs} runs; "
        f"targets (search < 50 ms, stats < 200 ms): {verdict}"
    )
    print(header)
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text(header + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
