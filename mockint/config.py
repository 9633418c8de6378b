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

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from mockint import locations
from mockint.errors import UserError

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
    model_config = ConfigDict(extra="forbid")

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

    @property
    def llm_configured(self) -> bool:
        return bool(self.model)

    @property
    def active_grader(self) -> GraderName:
        """The grader used when none is asked for: the LLM only when a model is configured."""
        if self.grader:
            return self.grader
        return "llm" if self.llm_configured else "offline"


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the config file: {exc.strerror}") from None


def load_settings(
    config_path: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    path = config_path or locations.config_file()
    values = _read_config_file(path)
    env = os.environ if environ is None else environ
    for env_key, field in ENV_KEYS.items():
        if env.get(env_key):
            values[field] = env[env_key]
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}"
            for err in exc.errors()
        )
        raise UserError(f"{path}: bad setting ({problems})") from None
