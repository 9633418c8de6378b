"""`mockint history` filters like the History screen, and `show --json` reads through review/."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cli_runner import assert_one_line_error, run_cli
from review_factory import T0, Answer, add_session, mtls_session

from mockint.cli.session_cmd import SORT_KEYS
from mockint.review import history
from mockint.store import Store

ALL_COVERED = Answer("q", "a", {"identity": "covered", "rotation": "covered"})


@pytest.fixture
def sessions(store: Store) -> dict[str, int]:
    """Sessions that differ in pack, status, grader, score and date."""
    ids = {
        "mesh-low": mtls_session(store, T0),  # service-mesh, keyword, 4.7
        "mesh-high": add_session(store, T0 + timedelta(days=3), {"sm-04": [ALL_COVERED]}),
        "kube-llm": add_session(
            store,
            T0 + timedelta(days=6),
            {"sm-04": [ALL_COVERED]},
            pack_id="kubernetes",
            pack_title="Kubernetes basics",
            grader="llm",
            model="tiny",
        ),
        "kube-open": add_session(
            store,
            T0 + timedelta(days=8),
            {"sm-04": [Answer("q", None, {})]},
            pack_id="kubernetes",
            pack_title="Kubernetes basics",
            status="in_progress",
        ),
    }
    return ids


def listed(db: Path, *args: str) -> list[int]:
    result = run_cli("history", "--json", *args, db=db)
    assert result.returncode == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


def test_history_filters_match_the_history_screen(
    store: Store, db_path: Path, sessions: dict[str, int]
) -> None:
    cases = [
        (("--pack", "kubernetes"), "pack:kubernetes"),
        (("--status", "completed"), "status:completed"),
        (("--status", "in-progress"), "status:in-progress"),
        (("--grader", "llm"), "grader:llm"),
        (("--score", "<5"), "score:<5"),
        (("--score", "8-10"), "score:8-10"),
        (("--since", "2026-03-05"), "since:2026-03-05"),
        (("--until", "2026-03-05"), "until:2026-03-05"),
        (("--match", "basics"), "basics"),
        (("--filter", "pack:service-mesh score:>=8"), "pack:service-mesh score:>=8"),
        (("--pack", "kubernetes", "--status", "completed"), "pack:kubernetes status:completed"),
    ]
    for args, text in cases:
        screen = [row.id for row in history.page(store, history.parse_filter(text))]
        assert listed(db_path, *args) == screen, args
        assert screen and len(screen) < len(sessions), text  # each filter keeps some, not all
    assert listed(db_path, "--grader", "llm") == [sessions["kube-llm"]]
    assert listed(db_path, "--match", "Kubernetes basics") == [
        sessions["kube-open"],
        sessions["kube-llm"],
    ]
    assert listed(db_path, "--match", "status:completed") == []  # text, not a filter
    assert listed(db_path, "--score", "<5") == [sessions["mesh-low"]]


def test_history_sorts_like_the_screen(
    store: Store, db_path: Path, sessions: dict[str, int]
) -> None:
    assert set(SORT_KEYS) == set(history.SORTS)
    by_score = listed(db_path, "--sort", "score")
    assert by_score == [row.id for row in history.page(store, sort="score")]
    assert by_score[0] in (sessions["mesh-high"], sessions["kube-llm"])
    assert by_score[-1] == sessions["kube-open"]  # no score: last
    oldest_first = listed(db_path, "--ascending")
    assert oldest_first[0] == sessions["mesh-low"]
    assert listed(db_path, "--ascending", "--limit", "2") == oldest_first[:2]


def test_history_text_with_filters(db_path: Path, sessions: dict[str, int]) -> None:
    result = run_cli("history", "--pack", "kubernetes", db=db_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("kubernetes" in line for line in lines[1:])
    result = run_cli("history", "--pack", "no-such-pack", db=db_path)
    assert result.returncode == 0 and result.stdout.strip() == "No sessions match these filters."


def test_history_cuts_a_long_pack_id_with_an_ellipsis(db_path: Path, store: Store) -> None:
    long_id = "distributed-systems-and-more"  # longer than the pack column
    exact = "eighteen-chars-id!"  # fills the column exactly: not cut
    for when, pack_id in ((T0, long_id), (T0 + timedelta(days=1), exact)):
        add_session(store, when, {"sm-04": [ALL_COVERED]}, pack_id=pack_id, pack_title="x")
    result = run_cli("history", db=db_path)
    assert result.returncode == 0, result.stderr
    [header, exact_row, long_row] = result.stdout.splitlines()
    pack_column = slice(header.index("pack"), header.index("pack") + 18)
    assert exact_row[pack_column] == exact
    assert long_row[pack_column] == long_id[:17] + "…"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--score", "lots"), "--score lots: use score:<5"),
        (("--status", "done"), "--status done: status is one of in_progress, completed"),
        (("--since", "2026-13"), "--since 2026-13: use a date like 2026-01-31"),
        (("--last", "3m"), "--last 3m: use last:30d or last:4w"),
        (("--filter", "colour:blue"), "colour:blue: unknown filter"),
        (("--sort", "name"), "'name' is not one of"),
    ],
)
def test_bad_history_filters_are_one_line(
    db_path: Path, sessions: dict[str, int], args: tuple[str, ...], message: str
) -> None:
    result = run_cli("history", *args, db=db_path)
    assert_one_line_error(result, message)
    assert result.stdout == ""


def test_show_json_reads_the_stored_grades(
    store: Store, db_path: Path, sessions: dict[str, int]
) -> None:
    session_id = sessions["mesh-low"]
    result = run_cli("show", str(session_id), "--json", db=db_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    row = history.one(store, session_id)
    assert row is not None and {k: data[k] for k in row.as_json()} == row.as_json()
    stored = store.session_grades(session_id)
    turns = store.turns(session_id)
    assert [t["id"] for t in data["turns"]] == [t.id for t in turns]
    for turn, shown in zip(turns, data["turns"], strict=True):
        grades = stored.get(turn.id, [])
        assert [g["score"] for g in shown["grades"]] == [g.score for g in grades]
        for grade, shown_grade in zip(grades, shown["grades"], strict=True):
            assert [p["id"] for p in shown_grade["points"]] == [p.point_id for p in grade.points]
            assert [p["verdict"] for p in shown_grade["points"]] == [
                p.verdict for p in grade.points
            ]
