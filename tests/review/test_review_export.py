"""Export to JSON and Markdown, import into another database, and nothing lost on the way."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from review_factory import T0, Answer, add_session, grade_for, mtls_session

from mockint.errors import UserError
from mockint.review import export, markdown
from mockint.review.importer import import_document, import_file, read_document
from mockint.review.transcript import load_transcript
from mockint.store import Store

# columns that are database-local ids; everything else must survive a round trip
LOCAL = {"id", "session_id", "turn_id"}


def rows(store: Store, session_id: int) -> dict[str, Any]:
    """Every stored row of a session, ids left out, JSON columns decoded, turn refs as seq."""
    seq = {t.id: t.seq for t in store.turns(session_id)}

    def clean(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in LOCAL}

    session = clean(dict(store.db["sessions"].get(session_id)))
    turns = [
        clean(dict(r))
        for r in store.db.query(
            "SELECT * FROM turns WHERE session_id = ? ORDER BY seq", [session_id]
        )
    ]
    grades = []
    for row in store.db.query(
        "SELECT g.* FROM grades g JOIN turns t ON t.id = g.turn_id WHERE t.session_id = ? "
        "ORDER BY t.seq, g.id",
        [session_id],
    ):
        data = clean(dict(row))
        data["turn_seq"] = seq[row["turn_id"]]
        points = json.loads(data["points"])
        for point in points:
            if point.get("turn_id") is not None:
                point["turn_id"] = seq[point["turn_id"]]
        data["points"] = points
        grades.append(data)
    drafts = [
        {**clean(dict(r)), "turn_seq": seq.get(r["turn_id"])}
        for r in store.db.query("SELECT * FROM drafts WHERE session_id = ?", [session_id])
    ]
    return {"session": session, "turns": turns, "grades": grades, "drafts": drafts}


def rich_sessions(store: Store) -> list[int]:
    """A completed session regraded by an LLM, an in-progress one with a draft, unicode text."""
    first = mtls_session(store, T0)
    turn = store.turns(first)[0]
    answer = Answer("q", turn.answer, {"identity": "covered", "rotation": "covered"})
    llm = grade_for("sm-04", answer, grader="llm", model="tiny")
    llm.points[0].turn_id = turn.id  # points remember which turn earned them
    store.add_grade(turn.id, llm, created_at="2026-03-03T10:00:00.000Z")
    store.mark_needs_regrade(turn.id)
    second = add_session(
        store,
        T0 + timedelta(days=1),
        {
            "sm-07": [
                Answer(
                    "Retries 🚀 und Überlast?",
                    "Wir nutzen 服务网格 — «retry budgets».",
                    {"retries": "covered"},
                ),
                Answer("Follow-up?", None, {}, kind="follow_up", probes=("breaker",)),
            ]
        },
        status="in_progress",
        grader="llm",
        model="tiny",
    )
    open_turn = store.turns(second)[-1]
    store.save_draft(second, open_turn.id, "half an answer about breakers…")
    return [first, second]


def test_json_round_trip_into_another_database(store: Store, tmp_path: Path) -> None:
    ids = rich_sessions(store)
    path = tmp_path / "export.json"
    path.write_text(export.to_json(export.export_document(store, ids)), encoding="utf-8")

    other = Store(tmp_path / "other.db")
    other.create_session(
        pack_id="x", pack_title="X", grader="keyword", question_ids=[], settings={}
    )
    report = import_file(other, path)
    assert list(report.imported) == ids and not report.skipped
    for old, new in report.imported.items():
        assert new != old  # new ids ...
        assert rows(other, new) == rows(store, old)  # ... and nothing else differs

    again = export.export_document(other, list(report.imported.values()))
    first = json.loads(path.read_text())
    second = json.loads(export.to_json(again))
    for doc in (first, second):
        doc.pop("exported_at")
        strip_ids(doc)
    assert first == second
    other.close()


def strip_ids(value: Any) -> None:
    if isinstance(value, dict):
        for key in list(value):
            if key in LOCAL:
                value.pop(key)
            else:
                strip_ids(value[key])
    elif isinstance(value, list):
        for item in value:
            strip_ids(item)


def test_import_twice_skips_what_is_there(store: Store, tmp_path: Path) -> None:
    ids = rich_sessions(store)
    document = export.export_document(store, ids)
    report = import_document(store, document)
    assert report.skipped == {ids[0]: ids[0], ids[1]: ids[1]} and not report.imported


def test_export_never_contains_credentials(store: Store) -> None:
    session = add_session(
        store,
        T0,
        {"sm-04": [Answer("q", "a", {"identity": "covered"})]},
        settings={"timed": True, "api_key": "sk-secret-1", "llm": {"Authorization": "Bearer sk-2"}},
    )
    store.update_session(session, endpoint="https://user:sk-3@llm.example/v1?api-key=sk-4&x=1")
    text = export.to_json(export.export_document(store, [session]))
    for secret in ("sk-secret-1", "sk-2", "sk-3", "sk-4"):
        assert secret not in text
    data = json.loads(text)["sessions"][0]
    assert data["endpoint"] == "https://llm.example/v1?x=1"
    assert data["settings"] == {"timed": True, "llm": {}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"format": "something-else"}', "not a mockint export"),
        ('{"format": "mockint-sessions", "schema_version": 99, "sessions": []}', "newer"),
        (
            '{"format": "mockint-sessions", "schema_version": 1, "exported_at": "x", '
            '"mockint_version": "0", "sessions": [{"id": 1}]}',
            r"session 1 \(number 1 in the file\), field 'pack_id'",
        ),
        ("# Interview: a markdown export", "a Markdown export"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(UserError, match=message) as info:
        read_document(path)
    assert "\n" not in str(info.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        read_document(tmp_path / "nope.json")
    with pytest.raises(UserError, match="folder"):
        read_document(tmp_path)


def test_schema_is_documented_and_versioned() -> None:
    schema = export.json_schema()
    assert schema["properties"]["schema_version"]["const"] == 1
    assert "SessionExport" in schema["$defs"] and "GradeExport" in schema["$defs"]


def test_markdown_reads_well(store: Store) -> None:
    ids = rich_sessions(store)
    text = markdown.render(load_transcript(store, ids[0], with_history=True))
    assert text.startswith("# Interview: Service meshes — 2026-03-02 09:30\n")
    assert "| Score | **4.7 / 10** — no hire |" in text
    assert "**SPIFFE identity**" in text  # evidence highlighted in the answer
    header = next(line for line in text.splitlines() if line.startswith("| Rubric point"))
    assert "keyword" in header and "llm · tiny" in header  # grades side by side
    assert "**7.9** hire | **10.0** strong hire +2.1 |" in text  # with the difference
    assert "**Cert rotation** \\(changed\\)" in text or "**Cert rotation** (changed)" in text
    assert "_Skipped._" in text


def test_markdown_escapes_what_the_candidate_typed(store: Store) -> None:
    nasty = "a | b <script>x</script> **bold** [link](http://x)\n# heading\n- item"
    session = add_session(store, T0, {"sm-04": [Answer("q", nasty, {"identity": "missed"})]})
    text = markdown.render(load_transcript(store, session))
    assert "<script>" not in text and "\\<script\\>" in text
    assert "> \\# heading" in text and "> \\- item" in text
    assert "a \\| b" in text


def test_a_failed_import_leaves_nothing_behind(store: Store, tmp_path: Path) -> None:
    document = export.export_document(store, rich_sessions(store))
    other = Store(tmp_path / "other.db")
    other.db.execute(
        "CREATE TEMP TRIGGER no_grades BEFORE INSERT ON grades "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(Exception, match="disk full"):
        import_document(other, document)
    assert other.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    assert other.db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0
    other.close()


def test_markdown_labels_a_follow_up_by_the_points_it_probes(store: Store) -> None:
    session = add_session(
        store,
        T0,
        {
            "sm-07": [
                Answer("Retries?", "Retry with backoff and a budget.", {"retries": "covered"}),
                Answer(
                    "And circuit breakers?",
                    "They open after repeated failures.",
                    {"breaker": "covered"},
                    kind="follow_up",
                    probes=("breaker",),
                ),
            ]
        },
    )
    text = markdown.render(load_transcript(store, session))
    follow_up = text[text.index("**Follow-up:**") :]
    assert "counts for the probed points only: breaker covered" in follow_up, follow_up
    assert "Missed:" not in follow_up  # the rubric's other points were never asked about
