"""Full-text search over every question asked and answer typed (SQLite FTS5).

Two indexes answer a query (both built by store migration 3 and kept current by triggers):

- `turns_fts` (unicode61 with diacritics removed, Porter stems): words in Latin, Greek, Cyrillic
  and other scripts that put spaces between words. Each word of the query is a prefix match, so
  "cert" finds "certificate"; "quoted words" must appear as a phrase.
- `turns_grams` (trigram): only turns containing CJK, Thai or emoji text, where unicode61 sees a
  whole sentence as one token or drops the characters. A query word with such characters is
  matched there as a substring (trigram MATCH from 3 characters, LIKE below that — cheap,
  because that table holds only those turns).

Every word must match (AND). Newest first means by when each session started (then the later
session, then the later turn), not by when it was stored: a session imported today from last
year's export belongs among last year's. `order="relevance"` ranks by bm25 when wanted.

Sorting every match of a broad word like "mesh" (70,000 of 80,000 turns) and cutting a snippet
for each would cost close to a second, so the newest-first search takes two steps. It walks the
sessions from the newest down their start-time index, keeping the turns whose ids the word
index matched and stopping at the LIMIT; then it cuts snippets for those turns alone, scanning
the word index only between the lowest and highest of their ids.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any, Literal

from mockint.errors import UserError
from mockint.store import GRAM_CHARS, Store

MARK_START = "\ue000"
MARK_END = "\ue001"
_GRAM_CHAR = re.compile(f"[{GRAM_CHARS}]")
_QUERY_PART = re.compile(r'"([^"]*)"?|(\S+)')
_WORDISH = re.compile(r"\w")
_SNIPPET_WIDTH = 70

Order = Literal["recent", "relevance"]


@dataclass
class SearchHit:
    """One matching turn: where it is (session, turn, question) and the words around the match."""

    session_id: int
    turn_id: int
    seq: int
    question_id: str
    kind: str
    pack_id: str
    pack_title: str
    session_started_at: str
    turn_started_at: str
    snippet: str  # matches wrapped in MARK_START ... MARK_END

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["snippet"] = plain_snippet(self.snippet, "**", "**")
        return data


@dataclass(frozen=True)
class ParsedQuery:
    fts: str  # the FTS5 MATCH expression for turns_fts ("" when none)
    grams: tuple[str, ...]  # substrings to find in turns_grams
    words: tuple[str, ...]  # every term as typed, for highlighting in Python

    @property
    def empty(self) -> bool:
        return not self.fts and not self.grams


def parse_query(text: str) -> ParsedQuery:
    """Split what the user typed into FTS5 terms and trigram substrings, quoting everything.

    User text never reaches MATCH unquoted, so `AND`, `NEAR(`, `*` or a stray quote cannot
    cause an FTS5 syntax error.
    """
    fts: list[str] = []
    grams: list[str] = []
    words: list[str] = []
    for match in _QUERY_PART.finditer(text):
        phrase, word = match.group(1), match.group(2)
        term = (phrase if phrase is not None else word or "").strip()
        if not term:
            continue
        if _GRAM_CHAR.search(term):
            grams.append(term)
            words.append(term)
        elif _WORDISH.search(term):
            quoted = '"' + term.replace('"', '""') + '"'
            is_prefix = phrase is None and len(term) >= 3
            fts.append(quoted + ("*" if is_prefix else ""))
            words.append(term)
    return ParsedQuery(fts=" ".join(fts), grams=tuple(grams), words=tuple(words))


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_COLUMNS = (
    "t.id AS turn_id, t.session_id, t.seq, t.question_id, t.kind, t.prompt, t.answer, "
    "t.started_at AS turn_started_at, s.pack_id, s.pack_title, s.started_at AS session_started_at"
)
_SNIPPET = f"snippet(turns_fts, -1, '{MARK_START}', '{MARK_END}', '…', 14) AS snip"
# newest first, by the sessions' own start times (`sessions_started` walks them in this order)
_NEWEST = "s.started_at DESC, s.id DESC, t.id DESC"


def search(
    store: Store,
    text: str,
    *,
    pack_id: str | None = None,
    since: str | None = None,
    limit: int = 20,
    offset: int = 0,
    order: Order = "recent",
) -> list[SearchHit]:
    """The turns matching every word of `text`, newest first (or by relevance)."""
    query = parse_query(text)
    if query.empty:
        raise UserError(f"nothing to search for in {text!r}: give a word or a phrase")
    filters, filter_params = _session_filters(pack_id, since)
    try:
        if query.grams:
            rows = _gram_rows(store, query, filters, filter_params, limit, offset)
        elif order == "relevance":
            sql = (
                f"SELECT {_COLUMNS}, {_SNIPPET} FROM turns_fts "
                "JOIN turns t ON t.id = turns_fts.rowid JOIN sessions s ON s.id = t.session_id "
                f"WHERE turns_fts MATCH ?{filters} ORDER BY turns_fts.rank LIMIT ? OFFSET ?"
            )
            rows = store.rows(sql, [query.fts, *filter_params, int(limit), int(offset)])
        else:
            rows = _newest_rows(store, query.fts, filters, filter_params, limit, offset)
    except sqlite3.OperationalError as exc:  # defensive: quoting should make this unreachable
        raise UserError(f"cannot search for {text!r}: {exc}") from None
    hits = []
    for row in rows:
        snip = row["snip"] or make_snippet(row["answer"] or "", row["prompt"], query.words)
        hits.append(
            SearchHit(
                session_id=row["session_id"],
                turn_id=row["turn_id"],
                seq=row["seq"],
                question_id=row["question_id"],
                kind=row["kind"],
                pack_id=row["pack_id"],
                pack_title=row["pack_title"],
                session_started_at=row["session_started_at"],
                turn_started_at=row["turn_started_at"],
                snippet=snip,
            )
        )
    return hits


def _session_filters(pack_id: str | None, since: str | None) -> tuple[str, list[Any]]:
    """The pack and start-date conditions on the sessions (`s`), as SQL to append."""
    sql, params = "", []
    if pack_id:
        sql += " AND s.pack_id = ?"
        params.append(pack_id)
    if since:
        sql += " AND s.started_at >= ?"
        params.append(since)
    return sql, params


def _newest_rows(
    store: Store, fts: str, filters: str, params: list[Any], limit: int, offset: int
) -> list[dict[str, Any]]:
    """The matching turns newest first, in two steps (see the module's docstring)."""
    # CROSS JOIN keeps the sessions outside, walked in start order; `+t.id` checks each of
    # their turns against the matched ids instead of looking every match up in the turns
    ids_sql = (
        "SELECT t.id FROM sessions s CROSS JOIN turns t ON t.session_id = s.id "
        f"WHERE +t.id IN (SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?){filters} "
        f"ORDER BY {_NEWEST} LIMIT ? OFFSET ?"
    )
    ids = [row["id"] for row in store.rows(ids_sql, [fts, *params, int(limit), int(offset)])]
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    sql = (
        f"SELECT {_COLUMNS}, {_SNIPPET} FROM turns_fts "
        "JOIN turns t ON t.id = turns_fts.rowid JOIN sessions s ON s.id = t.session_id "
        "WHERE turns_fts MATCH ? AND turns_fts.rowid BETWEEN ? AND ? "
        f"AND +turns_fts.rowid IN ({marks}) ORDER BY {_NEWEST}"
    )
    return store.rows(sql, [fts, min(ids), max(ids), *ids])


def _gram_rows(
    store: Store,
    query: ParsedQuery,
    filters: str,
    params: list[Any],
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Turns with CJK, Thai or emoji text matching every term; few enough (only such turns
    are in `turns_grams`) to sort all matches. Snippets are cut in Python."""
    where: list[str] = []
    args: list[Any] = []
    for term in query.grams:
        if len(term) >= 3:
            where.append("g.rowid IN (SELECT rowid FROM turns_grams WHERE turns_grams MATCH ?)")
            args.append('"' + term.replace('"', '""') + '"')
        else:
            where.append("(g.prompt LIKE ? ESCAPE '\\' OR g.answer LIKE ? ESCAPE '\\')")
            args += [_like(term), _like(term)]
    if query.fts:
        where.append("g.rowid IN (SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?)")
        args.append(query.fts)
    sql = (
        f"SELECT {_COLUMNS}, NULL AS snip FROM turns_grams g JOIN turns t ON t.id = g.rowid "
        f"JOIN sessions s ON s.id = t.session_id WHERE {' AND '.join(where)}{filters} "
        f"ORDER BY {_NEWEST} LIMIT ? OFFSET ?"
    )
    return store.rows(sql, [*args, *params, int(limit), int(offset)])


def make_snippet(answer: str, prompt: str, words: tuple[str, ...]) -> str:
    """A window of the answer (or prompt) around the first match, every match marked.

    Used for the trigram path, where FTS5's snippet() is not available per substring.
    """
    lowered_words = [w.casefold() for w in words if w]
    for text in (answer, prompt):
        folded = text.casefold()
        positions = [folded.find(w) for w in lowered_words]
        found = [p for p in positions if p >= 0]
        if not found:
            continue
        first = min(found)
        start = max(0, first - _SNIPPET_WIDTH // 2)
        end = min(len(text), start + _SNIPPET_WIDTH * 2)
        window = text[start:end]
        marked = highlight(window, lowered_words)
        return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")
    return answer[: _SNIPPET_WIDTH * 2] or prompt[: _SNIPPET_WIDTH * 2]


def highlight(text: str, words: list[str]) -> str:
    """Wrap every case-insensitive occurrence of the words in MARK_START/MARK_END."""
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    return pattern.sub(lambda m: MARK_START + m.group() + MARK_END, text)


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """(text, is_match) pieces of a marked snippet, for front ends that style matches."""
    parts: list[tuple[str, bool]] = []
    for index, chunk in enumerate(re.split(f"[{MARK_START}{MARK_END}]", snippet)):
        if chunk:
            parts.append((chunk.replace("\n", " "), index % 2 == 1))
    return parts


def plain_snippet(snippet: str, before: str = "[", after: str = "]") -> str:
    return "".join(
        f"{before}{text}{after}" if hit else text for text, hit in snippet_parts(snippet)
    )
