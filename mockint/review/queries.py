"""Every fixed SQL statement of the review layer, one named function each.

Stats, history, the scheduler, per-question results and import read and write the derived
tables of mockint.schema (question_results, point_results, rubric_points, question_reviews,
session_summaries) and aggregate `sessions`; their SQL lives here, so the modules above
speak in names, each statement runs under the store's lock (the TUI reads from worker
threads), and a screen never holds SQL. Results are plain tuples in the column order the
docstring gives. The search query builder (mockint.review.search) is the one exception: it
composes its statement from the parsed search text.

A `window` is a WHERE clause on `session_id` built by `session_window`.
"""

from __future__ import annotations

from typing import Any

from mockint.store import Store

# The result rows that say something about the candidate: a question answered (and graded) or
# skipped on purpose. A question left open when a session was abandoned says nothing; older
# databases may hold such rows (grader '' and not skipped), so readers filter with this too.
ATTEMPTED = "(skipped = 1 OR grader != '')"

Params = list[Any]


# sessions ---------------------------------------------------------------------------------


def completed_packs(store: Store, pack_id: str | None = None) -> list[tuple[Any, ...]]:
    """(pack id, title, sessions, average, best) of packs with a completed, scored session,
    most practised first."""
    where, params = "status = 'completed' AND score IS NOT NULL", []
    if pack_id:
        where += " AND pack_id = ?"
        params.append(pack_id)
    return store.fetch(
        f"SELECT pack_id, MAX(pack_title), COUNT(*), AVG(score), MAX(score) FROM sessions "
        f"WHERE {where} GROUP BY pack_id ORDER BY COUNT(*) DESC, pack_id",
        params,
    )


def completed_pack_ids(store: Store) -> list[str]:
    """Ids of the packs with a completed, scored session, most practised first."""
    return [row[0] for row in completed_packs(store)]


def recent_scores(store: Store, pack_id: str, limit: int) -> list[tuple[int, str, float]]:
    """(session id, started at, score) of the pack's last `limit` completed sessions, oldest
    first."""
    rows = store.fetch(
        "SELECT id, started_at, score FROM sessions WHERE pack_id = ? AND status = 'completed' "
        "AND score IS NOT NULL ORDER BY started_at DESC LIMIT ?",
        [pack_id, limit],
    )
    return [(r[0], r[1], r[2]) for r in reversed(rows)]


def weekly_scores(store: Store, pack_id: str, first_monday: str) -> dict[str, tuple[float, int]]:
    """Monday (YYYY-MM-DD, UTC) -> (average score, completed sessions), from `first_monday`."""
    rows = store.fetch(
        "SELECT date(started_at, 'weekday 0', '-6 days') AS week, AVG(score), COUNT(*) "
        "FROM sessions WHERE pack_id = ? AND status = 'completed' AND score IS NOT NULL "
        "AND started_at >= ? GROUP BY week",
        [pack_id, first_monday],
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def practice_days(store: Store, limit: int = 400) -> list[str]:
    """Local days (YYYY-MM-DD) with a completed session, newest first."""
    rows = store.fetch(
        "SELECT DISTINCT date(started_at, 'localtime') AS day FROM sessions "
        "WHERE status = 'completed' ORDER BY day DESC LIMIT ?",
        [limit],
    )
    return [row[0] for row in rows if row[0]]


def count_sessions(store: Store, where: str, params: Params) -> int:
    """Sessions matching `where` (a " WHERE ..." clause on `sessions`, or empty)."""
    return int(store.fetch(f"SELECT COUNT(*) FROM sessions{where}", params)[0][0])


def session_page(
    store: Store,
    where: str,
    params: Params,
    order: str,
    limit: int,
    offset: int,
    *,
    count_answered: bool,
) -> list[tuple[Any, ...]]:
    """(id, started at, ended at, pack id, pack title, score, grader, model, status, questions
    [, answered]) of one page of sessions; `order` is an ORDER BY list of `sessions` columns.

    `count_answered` adds how many main questions got an answer (a skipped one did not): one
    correlated count over the turns index, a question having one main turn."""
    answered = (
        ", (SELECT COUNT(*) FROM turns t WHERE t.session_id = sessions.id "
        "AND t.kind = 'main' AND t.submitted_at IS NOT NULL AND t.skipped = 0)"
        if count_answered
        else ""
    )
    return store.fetch(
        "SELECT id, started_at, ended_at, pack_id, pack_title, score, grader, model, status, "
        f"json_array_length(question_ids){answered} FROM sessions{where} "
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, int(limit), int(offset)],
    )


def session_with_key(store: Store, pack_id: str, started_at: str, grader: str) -> int | None:
    """The session holding this key (pack, start, grader: what an import matches on)."""
    rows = store.fetch(
        "SELECT session_id FROM session_keys WHERE key = ? || char(31) || ? || char(31) || ?",
        [pack_id, started_at, grader],
    )
    return int(rows[0][0]) if rows else None


# per-question results ---------------------------------------------------------------------


def unsummarized_sessions(store: Store) -> list[int]:
    """Finished (completed or abandoned) sessions not summarised yet, oldest first."""
    rows = store.fetch(
        "SELECT s.id FROM sessions s LEFT JOIN session_summaries m ON m.session_id = s.id "
        "WHERE m.session_id IS NULL AND s.status != 'in_progress' ORDER BY s.started_at, s.id"
    )
    return [row[0] for row in rows]


def forget_results(store: Store, session_id: int) -> None:
    for table in ("question_results", "point_results", "session_summaries"):
        store.write(f"DELETE FROM {table} WHERE session_id = ?", [session_id])


def add_question_result(
    store: Store,
    session_id: int,
    pack_id: str,
    question_id: str,
    *,
    position: int,
    at: str,
    score: float,
    seconds: float,
    skipped: bool,
    grader: str,
) -> None:
    store.write(
        "INSERT INTO question_results (session_id, pack_id, question_id, position, at, "
        "score, seconds, skipped, grader) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [session_id, pack_id, question_id, position, at, score, seconds, int(skipped), grader],
    )


def add_point_result(
    store: Store,
    session_id: int,
    pack_id: str,
    question_id: str,
    point_id: str,
    verdict: str,
    at: str,
) -> None:
    store.write(
        "INSERT OR REPLACE INTO point_results (session_id, pack_id, question_id, "
        "point_id, verdict, at) VALUES (?, ?, ?, ?, ?, ?)",
        [session_id, pack_id, question_id, point_id, verdict, at],
    )


def remember_rubric_point(
    store: Store, pack_id: str, question_id: str, point_id: str, description: str, weight: float
) -> None:
    store.write(
        "INSERT OR REPLACE INTO rubric_points (pack_id, question_id, point_id, "
        "description, weight) VALUES (?, ?, ?, ?, ?)",
        [pack_id, question_id, point_id, description, weight],
    )


def mark_summarized(store: Store, session_id: int, at: str) -> None:
    store.write(
        "INSERT OR REPLACE INTO session_summaries (session_id, summarized_at) VALUES (?, ?)",
        [session_id, at],
    )


def question_attempts(
    store: Store, pack_id: str, question_id: str, limit: int
) -> list[tuple[int, str, float]]:
    """(session id, at, score) of the last `limit` attempts at one question, oldest first."""
    rows = store.fetch(
        "SELECT session_id, at, score FROM question_results WHERE pack_id = ? AND "
        f"question_id = ? AND {ATTEMPTED} ORDER BY at DESC LIMIT ?",
        [pack_id, question_id, limit],
    )
    return [(row[0], row[1], row[2]) for row in reversed(rows)]


def session_window(pack_id: str, last: int) -> tuple[str, Params]:
    """A WHERE clause on `session_id` (plus `pack_id` for all sessions) and its parameters:
    the pack's last `last` finished sessions, or all of them (`last` <= 0)."""
    if last <= 0:
        return "pack_id = ?", [pack_id]
    return (
        "session_id IN (SELECT id FROM sessions WHERE pack_id = ? AND status != 'in_progress' "
        "ORDER BY started_at DESC LIMIT ?)",
        [pack_id, last],
    )


def most_missed_points(
    store: Store, window: str, params: Params, top: int
) -> list[tuple[str, str, int, int, int]]:
    """(question id, point id, missed, partial, judged) of the points most often missed or
    partly covered in the window, worst first."""
    rows = store.fetch(
        "SELECT question_id, point_id, SUM(verdict = 'missed') AS missed, "
        "SUM(verdict = 'partial') AS partial, COUNT(*) AS judged "
        f"FROM point_results WHERE {window} "
        "GROUP BY question_id, point_id HAVING missed + partial > 0 "
        "ORDER BY missed DESC, partial DESC, question_id, point_id LIMIT ?",
        [*params, top],
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def rubric_descriptions(store: Store, pack_id: str) -> dict[tuple[str, str], str]:
    """(question id, point id) -> the point's description, as last graded."""
    rows = store.fetch(
        "SELECT question_id, point_id, description FROM rubric_points WHERE pack_id = ?",
        [pack_id],
    )
    return {(r[0], r[1]): r[2] for r in rows}


def question_times(
    store: Store, window: str, params: Params
) -> list[tuple[str, int, float, float]]:
    """(question id, attempts, average seconds, average score) of answered questions."""
    rows = store.fetch(
        "SELECT question_id, COUNT(*), AVG(seconds), AVG(score) FROM question_results "
        f"WHERE {window} AND skipped = 0 AND {ATTEMPTED} GROUP BY question_id "
        "ORDER BY question_id",
        params,
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


# practice cards ---------------------------------------------------------------------------


def stored_cards(store: Store, pack_id: str) -> list[tuple[str, str, int, int, float | None]]:
    """(question id, card JSON, reviews, seen result id, last score) of the pack's cards."""
    rows = store.fetch(
        "SELECT question_id, card, reviews, seen_result_id, last_score FROM question_reviews "
        "WHERE pack_id = ?",
        [pack_id],
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def result_counts(store: Store, pack_id: str) -> list[tuple[str, int, int]]:
    """(question id, attempts, newest result id) per question of the pack."""
    rows = store.fetch(
        "SELECT question_id, COUNT(*), MAX(id) FROM question_results WHERE pack_id = ? "
        f"AND {ATTEMPTED} GROUP BY question_id",
        [pack_id],
    )
    return [(r[0], r[1], r[2]) for r in rows]


def attempts_after(
    store: Store, pack_id: str, question_id: str, after_id: int = 0
) -> list[tuple[int, str, float, int]]:
    """(result id, at, score, skipped) of the attempts at a question with an id above
    `after_id`, in time order."""
    rows = store.fetch(
        "SELECT id, at, score, skipped FROM question_results WHERE pack_id = ? AND "
        f"question_id = ? AND {ATTEMPTED} AND id > ? ORDER BY at, id",
        [pack_id, question_id, after_id],
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def attempts_up_to(store: Store, pack_id: str, question_id: str, last_id: int) -> int:
    """How many attempts at a question have an id of `last_id` or less."""
    rows = store.fetch(
        "SELECT COUNT(*) FROM question_results WHERE pack_id = ? AND question_id = ? "
        f"AND {ATTEMPTED} AND id <= ?",
        [pack_id, question_id, last_id],
    )
    return int(rows[0][0])


def save_card(
    store: Store,
    pack_id: str,
    question_id: str,
    *,
    card: str,
    due: str,
    last_review: str | None,
    reviews: int,
    seen_result_id: int,
    last_score: float | None,
) -> None:
    store.write(
        "INSERT OR REPLACE INTO question_reviews (pack_id, question_id, card, due, "
        "last_review, reviews, seen_result_id, last_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [pack_id, question_id, card, due, last_review, reviews, seen_result_id, last_score],
    )


def recent_point_misses(
    store: Store, pack_id: str, question_id: str, attempts: int
) -> dict[str, tuple[int, int]]:
    """Point id -> (missed, partial) over the last `attempts` attempts at a question, for the
    points missed or partly covered at least once."""
    # CROSS JOIN keeps this order: the few latest attempts first, then their points by primary
    # key (left to itself, the planner scans every point row of the pack)
    rows = store.fetch(
        "SELECT p.point_id, SUM(p.verdict = 'missed'), SUM(p.verdict = 'partial') FROM "
        "(SELECT session_id FROM question_results WHERE pack_id = ? AND question_id = ? "
        f"AND {ATTEMPTED} ORDER BY at DESC LIMIT ?) AS r CROSS JOIN point_results p "
        "ON p.session_id = r.session_id AND p.question_id = ? GROUP BY p.point_id",
        [pack_id, question_id, attempts, question_id],
    )
    return {row[0]: (row[1], row[2]) for row in rows if row[1] or row[2]}
