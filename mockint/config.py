"""Settings from the config file and the environment.

Precedence, lowest first: built-in defaults, the config file, environment variables, command-line
flags (applied by the CLI with `Settings.model_copy(update=...)`). The API key is a SecretStr so it
never shows up in reprs, logs or dumps by accident.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from mockint import locations
from mockint.errors import UserError
from mockint.textfiles import read_text

GraderName = Literal["offline", "keyword", "llm"]

# environment variable -> settings field
ENV_KEYS: dict[str, str] = {
    "MOCKINT_DB": "db",
    "MOCKINT_GRADER": "grader",
    "MOCKINT_MODEL": "model",
    "OPENAI_BASE_URL": "base_url",
    "OPENAI_API_KEY": "api_key",
    "MOCKINT_LLM_TIMEOUT": "timeout",
    "MOCKINT_BUSY_TIMEOUT": "busy_timeout",
}


class Settings(BaseModel):
    # inf and nan are not durations: `timeout = inf` would wait forever
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    db: Path = Field(default_factory=locations.default_db_path)
    grader: GraderName | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout: float = Field(default=60.0, gt=0)
    questions: int = Field(default=5, ge=1)
    max_follow_ups: int = Field(default=2, ge=0, le=5)
    question_minutes: float = Field(default=5.0, gt=0)
    coach: bool = False
    autosave_seconds: float = Field(default=3.0, gt=0)
    # seconds a write waits for another mockint process writing to the same database
    busy_timeout: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        problem = "must be an http:// or https:// URL, like http://127.0.0.1:11434/v1"
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
        except ValueError:
            raise ValueError(problem) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(problem)
        # Neither can work (the client sends user:password@ as Basic auth in place of the key,
        # and appends the request path after a query); the messages never repeat the URL.
        if "@" in parts.netloc:
            raise ValueError(
                "must not hold a user name or password (user:password@ is sent in place of "
                "the API key): remove it and put the key in api_key (environment OPENAI_API_KEY)"
            )
        if parts.query or parts.fragment or value.endswith(("?", "#")):
            raise ValueError(
                "must not have a ?query or #fragment (the request path would go after it): "
                "remove it, and put a key it held in api_key (environment OPENAI_API_KEY)"
            )
        return value

    @property
    def llm_configured(self) -> bool:
        return bool(self.model)

    @property
    def active_grader(self) -> GraderName:
        """The grader used when none is asked for: the LLM only when a model is configured."""
        if self.grader:
            return self.grader
        return "llm" if self.llm_configured else "offline"


CONFIG_LIMIT = 1024 * 1024  # a config file is a few lines


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists() and not path.is_symlink():
        return {}
    text = read_text(path, limit=CONFIG_LIMIT, what="config file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise UserError(f"{path}: not valid TOML: nested too deeply") from None


def load_settings(
    config_path: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    path = config_path or locations.config_file()
    values = _read_config_file(path)
    env = os.environ if environ is None else environ
    from_env: dict[str, str] = {}
    for env_key, field in ENV_KEYS.items():
        if env.get(env_key):
            values[field] = env[env_key]
            from_env[field] = env_key
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "config"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "finite_number":
            message = "must be a finite number"
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        if field in from_env:  # say where the bad value came from
            raise UserError(
                f"{from_env[field]}: bad value for {field}: {message}{suffix}"
            ) from None
        raise UserError(f"{path}: bad setting {field}: {message}{suffix}") from None
