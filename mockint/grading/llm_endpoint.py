"""What an endpoint and model accept, learnt once and remembered.

OpenAI-compatible servers differ in ways that cost a request to find out:

- the structured-output mode (`Mode`): OpenAI takes `json_schema`; llama.cpp's server answers
  it with HTTP 500 but takes `{"type": "json_object", "schema": ...}`; others take only plain
  `json_object`; some take nothing, and the JSON is then found in the reply's text;
- streaming: some refuse `stream` or `stream_options` (HTTP 400);
- the token limit: reasoning models refuse `max_tokens` and want `max_completion_tokens`;
- the temperature: some models accept only their default.

What worked is remembered per endpoint and model (`ModeCache`), in memory and in a small JSON
file in the data folder, so each quirk costs one extra request once, not on every grade.
No openai here: `mockint doctor` and the tests read the file without the client.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from mockint import locations


class Mode(StrEnum):
    JSON_SCHEMA = "json_schema"
    JSON_OBJECT_SCHEMA = "json_object+schema"
    JSON_OBJECT = "json_object"
    TEXT = "text"


MODES: tuple[Mode, ...] = tuple(Mode)
TOKENS_PARAMS = ("max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class Quirks:
    """Request parameters an endpoint refused, and what is sent instead."""

    stream: bool = True  # False: it refused stream/stream_options; grade without streaming
    tokens_param: str = "max_tokens"  # or "max_completion_tokens"
    temperature: bool = True  # False: send no temperature (the model allows only its default)

    def changed(self, **changes: Any) -> Quirks:
        return replace(self, **changes)


class ModeCache:
    """What worked for which endpoint and model: its mode and its quirks (None: memory only)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._modes: dict[str, Mode] = {}
        self._quirks: dict[str, Quirks] = {}
        self._loaded = False

    @classmethod
    def default(cls) -> ModeCache:
        """The process-wide cache, kept in the data folder so each `mockint grade` need not
        probe again."""
        global _DEFAULT_CACHE
        if _DEFAULT_CACHE is None:
            _DEFAULT_CACHE = cls(locations.data_dir() / "llm-modes.json")
        return _DEFAULT_CACHE

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.path is None:
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(raw, dict):
            return
        for key, value in raw.items():
            entry = value if isinstance(value, dict) else {"mode": value}  # older files
            with contextlib.suppress(ValueError, TypeError):
                if entry.get("mode"):
                    self._modes.setdefault(str(key), Mode(entry["mode"]))
                quirks = Quirks(
                    stream=bool(entry.get("stream", True)),
                    tokens_param=str(entry.get("tokens_param", "max_tokens")),
                    temperature=bool(entry.get("temperature", True)),
                )
                if quirks.tokens_param not in TOKENS_PARAMS:
                    quirks = quirks.changed(tokens_param="max_tokens")
                self._quirks.setdefault(str(key), quirks)

    def get(self, key: str) -> Mode | None:
        with self._lock:
            self._load()
            return self._modes.get(key)

    def quirks(self, key: str) -> Quirks:
        with self._lock:
            self._load()
            return self._quirks.get(key, Quirks())

    def set(self, key: str, mode: Mode) -> None:
        with self._lock:
            self._load()
            if self._modes.get(key) == mode:
                return
            self._modes[key] = mode
            self._save()

    def set_quirks(self, key: str, quirks: Quirks) -> None:
        with self._lock:
            self._load()
            if self._quirks.get(key, Quirks()) == quirks:
                return
            self._quirks[key] = quirks
            self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        data: dict[str, dict[str, Any]] = {}
        for key in sorted({*self._modes, *self._quirks}):
            entry: dict[str, Any] = {"mode": str(self._modes[key]) if key in self._modes else None}
            entry.update(asdict(self._quirks.get(key, Quirks())))
            data[key] = entry
        try:
            text = json.dumps(data, indent=1, sort_keys=True)
            locations.private_dir(self.path.parent)
            locations.write_private(self.path, text)  # 0600 in a 0700 folder
        except OSError:
            pass  # remembering is an optimisation; failing to write costs one probe later


_DEFAULT_CACHE: ModeCache | None = None
