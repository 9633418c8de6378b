"""Keeping credentials out of what mockint stores and shows: the one scrubber for URLs and
settings.

An endpoint URL can carry a secret in three places: `user:password@` before the host, a query
parameter (`?api_key=…`, `?key=…`, `?token=…`) and the fragment. Everything that stores,
prints or serialises an endpoint — the database rows, `show`, `grade`, `doctor`, exports, the
LLM client's own messages — goes through `scrub_url`, so the rule lives in one place. A setting
whose name says it is a credential (`api_key`, `token`, `password`, …) is dropped at any depth
by `scrub_settings`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# names of query parameters and settings that hold credentials
SECRET_NAME = re.compile(
    r"api[_-]?key|(?:^|[_-])key$|token|secret|passw(?:or)?d|pwd|auth|bearer|signature|^sig$"
    r"|credential",
    re.IGNORECASE,
)

# strings shaped like an API key wherever they appear (sk-…, key-…), and what follows "Bearer "
TOKEN_SHAPED = re.compile(r"(?i)\b(?:sk|pk|rk|key)-[A-Za-z0-9_\-]{6,}|(?<=bearer )\S+")

REDACTED = "[redacted]"


def scrub_url(url: str | None) -> str | None:
    """The URL without user:password@, credential-named query parameters, the fragment, and
    anything shaped like an API key in its path; other query parameters stay."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL we can take apart (a bad IPv6 host): keep only the safe part
        return re.sub(r"//[^/?#]*@", "//", url).split("?", 1)[0].split("#", 1)[0]
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not SECRET_NAME.search(name)
        ]
    )
    path = TOKEN_SHAPED.sub(REDACTED, parts.path)
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def url_secrets(url: str | None) -> list[str]:
    """The secret values a URL carries (its password, credential query values), so text a
    server echoes back can have them removed too."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        found = [parts.password or "", parts.username or ""] if "@" in parts.netloc else []
    except ValueError:
        return []
    for query in (parts.query, parts.fragment):
        found += [v for k, v in parse_qsl(query, keep_blank_values=True) if SECRET_NAME.search(k)]
    return [value for value in found if value]


def scrub_settings(value: Any) -> Any:
    """Settings with every key that names a credential removed, at any depth."""
    if isinstance(value, dict):
        return {k: scrub_settings(v) for k, v in value.items() if not SECRET_NAME.search(str(k))}
    if isinstance(value, list):
        return [scrub_settings(v) for v in value]
    return value
