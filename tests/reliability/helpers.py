"""What the fault suite shares: sessions written through the real engine. (The command line
runners are in tests/cli_runner.py, the tmux terminal in tests/tmux_terminal.py.)"""

from __future__ import annotations

import subprocess
import sys

from mockint.grading.base import Grade, PointVerdict, RedFlagHit, finalize
from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack, Question
from mockint.store import Store


class SimpleGrader:
    """Covered when a term appears in the answer; a fixed note (for hostile-note tests)."""

    name = "keyword"

    def __init__(self, note: str = "") -> None:
        self.note = note

    def grade(self, question: Question, answer: str) -> Grade:
        text = answer.lower()
        points = [
            PointVerdict(
                p.id,
                "covered" if any(t.lower() in text for t in p.terms) else "missed",
                p.weight,
                evidence=[t for t in p.terms if t.lower() in text][:1],
                description=p.description,
            )
            for p in question.rubric
        ]
        flags = [
            RedFlagHit(f.id, f.penalty, [t for t in f.terms if t in text][:1], f.description)
            for f in question.red_flags
            if any(t in text for t in f.terms)
        ]
        grade = Grade(question_id=question.id, grader=self.name, points=points, red_flags=flags)
        grade.note = self.note
        return finalize(grade)


def finished_session(store: Store, pack: Pack, answer: str, note: str = "") -> int:
    """One completed session of the pack's first question, answered with `answer`."""
    first = pack.questions[0].id
    options = InterviewOptions(questions=1, question_ids=(first,), max_follow_ups=0)
    interview = Interview.start(store, pack, SimpleGrader(note), options)
    turn_id = interview.submit(answer)
    interview.advance(interview.grade(turn_id))
    interview.finish()
    return interview.session_id


# The line a racing process runs once its imports are done: it says so, then waits for "go".
AT_THE_LINE = "print('ready', flush=True); sys.stdin.readline()\n"


def race(script: str, *args: str, processes: int = 4) -> list[tuple[int, str, str]]:
    """Run `script` (which runs AT_THE_LINE after its imports) in several processes, release
    them together once every one is ready (no sleeping for a guessed start-up time, no busy
    wait), and return each one's (returncode, stdout after "ready", stderr)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == "ready\n", (line, proc.communicate(timeout=60))
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    return results
