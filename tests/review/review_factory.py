"""Sessions with fixed timestamps, answers and verdicts, written straight into a store.

Review tests and snapshots need stable data that does not move when a grader is tuned, so the
grades here are built by hand (verdicts and evidence chosen per answer) and scored by `finalize`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mockint.grading.base import Grade, PointVerdict, RedFlagHit, finalize
from mockint.packs import Pack, Question
from mockint.review.results import resummarize, session_outcomes, session_score
from mockint.store import Store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday: the tests' "now" and first session

POINTS = {
    "sm-01": [("definition", 2.5, "Defines a mesh"), ("operational-cost", 2.0, "Running cost")],
    "sm-04": [("identity", 2.0, "Workload identity (SPIFFE)"), ("rotation", 1.5, "Cert rotation")],
    "sm-07": [("retries", 1.5, "Retry budgets"), ("breaker", 2.0, "Circuit breaking")],
}


@dataclass
class Answer:
    prompt: str
    text: str | None
    verdicts: dict[str, str]  # point id -> verdict
    evidence: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 90.0
    kind: str = "main"
    probes: tuple[str, ...] = ()
    skipped: bool = False
    red_flag: str | None = None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def grade_for(
    question_id: str,
    answer: Answer,
    grader: str = "keyword",
    model: str | None = None,
    note: str = "",
    override: dict[str, str] | None = None,
) -> Grade:
    verdicts = {**answer.verdicts, **(override or {})}
    points = [
        PointVerdict(
            pid,
            verdicts.get(pid, "missed"),  # type: ignore[arg-type]
            weight,
            evidence=list(answer.evidence.get(pid, [])),
            description=description,
        )
        for pid, weight, description in POINTS[question_id]
    ]
    flags = [RedFlagHit(answer.red_flag, 1.5, [answer.red_flag])] if answer.red_flag else []
    grade = Grade(question_id, grader, points, flags, model=model, note=note)
    if model:
        grade.endpoint = "http://127.0.0.1:9/v1"
    return finalize(grade)


def add_session(
    store: Store,
    started: datetime,
    questions: dict[str, list[Answer]],
    *,
    pack_id: str = "service-mesh",
    pack_title: str = "Service meshes",
    grader: str = "keyword",
    model: str | None = None,
    status: str = "completed",
    settings: dict | None = None,
) -> int:
    """A session of the given questions and answers; completed ones get their score."""
    session_id = store.create_session(
        pack_id=pack_id,
        pack_title=pack_title,
        grader=grader,
        model=model,
        endpoint="http://127.0.0.1:9/v1" if model else None,
        question_ids=list(questions),
        settings=settings or {"timed": True, "question_minutes": 5.0},
        started_at=iso(started),
    )
    clock = started
    seq = 0
    for question_id, answers in questions.items():
        for answer in answers:
            turn_id = store.start_turn(
                session_id,
                question_id=question_id,
                kind=answer.kind,
                prompt=answer.prompt,
                seq=seq,
                probes=answer.probes,
                budget_seconds=300.0,
                started_at=iso(clock),
            )
            seq += 1
            clock += timedelta(seconds=answer.seconds)
            if answer.text is None and not answer.skipped:
                continue
            store.submit_answer(
                turn_id, answer.text or "", skipped=answer.skipped, submitted_at=iso(clock)
            )
            if not answer.skipped:
                grade = grade_for(question_id, answer, grader, model)
                store.add_grade(turn_id, grade, created_at=iso(clock + timedelta(seconds=2)))
            clock += timedelta(seconds=5)
    if status != "in_progress":
        session = store.session(session_id)
        assert session is not None
        score = session_score(session_outcomes(store, session)) if status == "completed" else None
        store.update_session(session_id, status=status, score=score, ended_at=iso(clock))
        resummarize(store, session_id)
    return session_id


MTLS_ANSWER = (
    "Each workload gets a SPIFFE identity; the sidecar proxies do mutual TLS, so both ends are "
    "authenticated. Certificates are short-lived and rotated automatically by the control plane."
)


def mtls_session(store: Store, started: datetime, **kwargs) -> int:
    """Three questions with a follow-up, evidence and a red flag: the showcase session."""
    return add_session(
        store,
        started,
        {
            "sm-04": [
                Answer(
                    "How does a mesh secure service-to-service traffic with mTLS?",
                    MTLS_ANSWER,
                    {"identity": "covered", "rotation": "partial"},
                    {"identity": ["SPIFFE identity"], "rotation": ["rotated automatically"]},
                    seconds=150,
                ),
                Answer(
                    "Who rotates the certificates, and how often?",
                    "Istiod rotates them every 24 hours; the proxies fetch them over SDS.",
                    {"rotation": "covered"},
                    {"rotation": ["rotates them every 24 hours"]},
                    seconds=60,
                    kind="follow_up",
                    probes=("rotation",),
                ),
            ],
            "sm-01": [
                Answer(
                    "Define a service mesh. When would you not adopt one?",
                    "A mesh is an infrastructure layer of proxies. Always use a service mesh.",
                    {"definition": "covered", "operational-cost": "missed"},
                    {"definition": ["infrastructure layer of proxies"]},
                    seconds=200,
                    red_flag="Always use a service mesh",
                )
            ],
            "sm-07": [
                Answer(
                    "How do retries interact with circuit breakers?",
                    None,
                    {},
                    skipped=True,
                    seconds=10,
                )
            ],
        },
        **kwargs,
    )


def review_pack() -> Pack:
    """A pack whose questions and rubric points match the sessions built above."""
    from mockint.packs import parse_pack

    lines = ['[pack]\nid = "service-mesh"\ntitle = "Service meshes"\n']
    texts = {"sm-01": "Define a mesh.", "sm-04": "Explain mTLS.", "sm-07": "Retries?"}
    for qid, points in POINTS.items():
        lines.append(f'[[questions]]\nid = "{qid}"\ntext = "{texts[qid]}"\n')
        for pid, weight, description in points:
            lines.append(
                f'[[questions.rubric]]\nid = "{pid}"\ndescription = "{description}"\n'
                f'weight = {weight}\nterms = ["{pid}"]\n'
            )
        first = points[1][0]
        lines.append(f'[[questions.follow_ups]]\ntext = "More on {first}?"\nprobes = ["{first}"]\n')
    return parse_pack("\n".join(lines), "review-pack.toml")


class VerdictGrader:
    """Covers every rubric point whose id appears in the answer; `fail` imitates an LLM grader
    that fell back (a keyword grade with a note)."""

    def __init__(self, name: str = "llm", fail: bool = False, model: str | None = "tiny") -> None:
        self.name = name
        self.fail = fail
        self.model = model if name == "llm" else None
        self.calls = 0

    def grade(self, question: Question, answer: str) -> Grade:
        self.calls += 1
        points = [
            PointVerdict(
                p.id,
                "covered" if p.id in answer.lower() or "all" in answer.lower() else "partial",
                p.weight,
                description=p.description,
            )
            for p in question.rubric
        ]
        if self.fail:
            return finalize(Grade(question.id, "keyword", points, note="LLM timed out"))
        return finalize(Grade(question.id, self.name, points, model=self.model))


def bulk_sessions(store: Store, count: int, start: datetime) -> list[int]:
    """`count` completed sessions without turns (the history list reads sessions only)."""
    rows = [
        {
            "pack_id": "service-mesh" if i % 3 else "system-design",
            "pack_title": "Service meshes" if i % 3 else "System design",
            "started_at": iso(start + timedelta(hours=6 * i)),
            "ended_at": iso(start + timedelta(hours=6 * i, minutes=10 + i % 20)),
            "status": "completed" if i % 10 else "abandoned",
            "grader": "llm" if i % 4 == 0 else "keyword",
            "model": "tiny" if i % 4 == 0 else None,
            "score": round((i * 37 % 100) / 10, 1) if i % 10 else None,
            "question_ids": '["sm-01"]',
            "settings": "{}",
        }
        for i in range(count)
    ]
    with store.atomic():
        store.db["sessions"].insert_all(rows)
    return [r[0] for r in store.db.execute("SELECT id FROM sessions ORDER BY id")]
