"""Settings: defaults, config file, environment, and keys that stay secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockint.config import load_settings
from mockint.errors import UserError


def test_defaults_use_the_offline_grader(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml", environ={})
    assert settings.active_grader == "offline"
    assert settings.questions == 5 and settings.timeout == 60
    assert settings.db.name == "mockint.db"


def test_environment_overrides_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "from-file"\nquestions = 3\ntimeout = 10\n')
    settings = load_settings(
        config, environ={"MOCKINT_MODEL": "from-env", "MOCKINT_LLM_TIMEOUT": "7.5"}
    )
    assert settings.model == "from-env"
    assert settings.questions == 3
    assert settings.timeout == 7.5
    assert settings.active_grader == "llm"  # a configured model makes the LLM the default


def test_api_key_never_shows_in_repr_or_dump(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", environ={"OPENAI_API_KEY": "sk-supersecret"})
    assert settings.api_key.get_secret_value() == "sk-supersecret"
    assert "sk-supersecret" not in repr(settings)
    assert "sk-supersecret" not in settings.model_dump_json()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("questions = 0\n", "questions"), ("colour = 'blue'\n", "colour"), ("x = [\n", "TOML")],
)
def test_bad_config_is_a_user_error(tmp_path: Path, text: str, fragment: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(UserError) as info:
        load_settings(config, environ={})
    assert str(config) in str(info.value) and fragment in str(info.value)


def test_bad_environment_value_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="timeout"):
        load_settings(tmp_path / "none.toml", environ={"MOCKINT_LLM_TIMEOUT": "soon"})
