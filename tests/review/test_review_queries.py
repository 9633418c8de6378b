"""SQL of the review layer lives in mockint.review.queries: screens and the other review
modules reach the database through named functions (and the store), never `store.db`."""

from __future__ import annotations

import re
from pathlib import Path

import mockint

PACKAGE = Path(mockint.__file__).parent
RAW_ACCESS = re.compile(r"\.db\.(execute|query|table)\b|\bdb\s*=\s*store\.db\b|\.db\[")
ALLOWED = {"review/queries.py"}


def test_no_screen_or_review_module_runs_sql_on_store_db() -> None:
    offenders = []
    for folder in ("review", "tui"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            name = str(path.relative_to(PACKAGE))
            if name in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if RAW_ACCESS.search(line):
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
