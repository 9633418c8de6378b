"""SQL lives in the store (mockint.store, mockint.schema) and in mockint.review.queries: every
other module, screens above all, reaches the database through named functions, never through
`store.db`. The search query builder is the one other module that writes SQL (it composes its
statement from the parsed search text) and runs it with `store.rows`."""

from __future__ import annotations

import re
from pathlib import Path

import mockint

PACKAGE = Path(mockint.__file__).parent
RAW_ACCESS = re.compile(r"\bstore\.(db|rows|fetch|write)\b|\bdb\.(execute|query|table)\b|\.db\[")
ALLOWED = {
    "store": RAW_ACCESS,  # the package: every module in it
    "schema.py": RAW_ACCESS,
    "review/queries.py": RAW_ACCESS,
    "review/search.py": re.compile(r"store\.rows\("),
}


def test_no_module_outside_the_store_runs_sql() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(PACKAGE))
        allowed = ALLOWED.get(name) or ALLOWED.get(path.parent.relative_to(PACKAGE).as_posix())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RAW_ACCESS.search(line) and not (allowed and allowed.search(line)):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_every_named_query_is_used() -> None:
    source = (PACKAGE / "review" / "queries.py").read_text(encoding="utf-8")
    names = re.findall(r"^def ([a-z]\w*)\(", source, re.M)
    others = "\n".join(
        p.read_text(encoding="utf-8")
        for p in PACKAGE.rglob("*.py")
        if p.name != "queries.py" or p.parent.name != "review"
    )
    unused = [n for n in names if not re.search(rf"\bqueries\.{n}\b", others)]
    assert unused == []
