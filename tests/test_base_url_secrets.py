"""A base URL that carries credentials is refused when the settings are loaded.

`user:password@` makes the HTTP client send Basic auth in place of the API key (the server
answers 401) and a `?query` (`?api_key=…`) makes the client append the request path after the
query (404): such a URL can never work. It is refused from the config file, the environment and
`--base-url` alike, in one `mockint:` line that says what to do and never repeats the secret;
`doctor`, `run --grader llm` and the app's start all show that line, with no traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import assert_one_line_error, run_cli

from mockint.config import load_settings
from mockint.errors import UserError

PASSWORD = "pw-Hunter2-91bd"
KEY = "AIzaQueryKey-4417aa"

LEAKY = {
    "userinfo": f"http://alice:{PASSWORD}@127.0.0.1:9/v1",
    "user only": f"http://{KEY}@127.0.0.1:9/v1",
    "query": f"http://127.0.0.1:9/v1?api_key={KEY}",
    "fragment": f"http://127.0.0.1:9/v1#key={KEY}",
}
# what each refusal must tell the user to do
ADVICE = {
    "userinfo": "OPENAI_API_KEY",
    "user only": "OPENAI_API_KEY",
    "query": "remove",
    "fragment": "remove",
}


def assert_secret_free(text: str) -> None:
    assert PASSWORD not in text and KEY not in text, text


@pytest.mark.parametrize("where", LEAKY)
def test_from_the_environment(where: str) -> None:
    env = {"OPENAI_BASE_URL": LEAKY[where], "MOCKINT_MODEL": "m"}
    with pytest.raises(UserError) as caught:
        load_settings(Path("/nonexistent/config.toml"), environ=env)
    message = str(caught.value)
    assert message.startswith("OPENAI_BASE_URL: bad value for base_url: "), message
    assert ADVICE[where] in message and "api_key" in message
    assert_secret_free(message)


@pytest.mark.parametrize("where", LEAKY)
def test_from_the_config_file(tmp_path: Path, where: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'model = "m"\nbase_url = "{LEAKY[where]}"\n')
    with pytest.raises(UserError) as caught:
        load_settings(config, environ={})
    message = str(caught.value)
    assert message.startswith(f"{config}: bad setting base_url: "), message
    assert ADVICE[where] in message
    assert_secret_free(message)


def test_a_plain_url_and_a_path_still_load() -> None:
    env = {"OPENAI_BASE_URL": "https://llm.example:8443/openai/v1", "MOCKINT_MODEL": "m"}
    settings = load_settings(Path("/nonexistent/config.toml"), environ=env)
    assert settings.base_url == "https://llm.example:8443/openai/v1"


@pytest.mark.parametrize("where", ["userinfo", "query"])
def test_doctor_says_it_in_one_line(isolated_home: Path, where: str) -> None:
    env = {"OPENAI_BASE_URL": LEAKY[where], "MOCKINT_MODEL": "m", "OPENAI_API_KEY": "sk-x"}
    for args in (["doctor"], ["doctor", "--json"]):
        result = run_cli(*args, env=env)
        assert_secret_free(result.stdout + result.stderr)
        assert_one_line_error(result, "OPENAI_BASE_URL: bad value for base_url", ADVICE[where])


@pytest.mark.parametrize("where", ["userinfo", "query"])
def test_run_with_the_llm_grader_says_it_in_one_line(isolated_home: Path, where: str) -> None:
    env = {"OPENAI_BASE_URL": LEAKY[where], "MOCKINT_MODEL": "m"}
    result = run_cli("run", "--pack", "service-mesh", "--grader", "llm", env=env, app=True)
    assert not result.opened_app
    assert_secret_free(result.stdout + result.stderr)
    assert_one_line_error(result, "OPENAI_BASE_URL: bad value for base_url")


@pytest.mark.parametrize("where", ["userinfo", "query"])
def test_the_flag_is_refused_without_repeating_the_secret(isolated_home: Path, where: str) -> None:
    result = run_cli("doctor", "--model", "m", "--base-url", LEAKY[where])
    assert_secret_free(result.stdout + result.stderr)
    line = assert_one_line_error(result, "--base-url", ADVICE[where])
    assert "127.0.0.1:9/v1" in line  # the URL is named, scrubbed


def test_without_a_model_the_offline_grader_runs_as_before(isolated_home: Path) -> None:
    result = run_cli("run", "--pack", "service-mesh", app=True)
    assert result.returncode == 0 and result.opened_app, result.stderr


def test_the_app_start_says_it_in_one_line(isolated_home: Path, tmp_path: Path) -> None:
    """A bare `mockint` with a model configured: the home screen's loading meets the URL."""
    config = isolated_home / "config" / "mockint" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'model = "m"\nbase_url = "{LEAKY["userinfo"]}"\n')
    probe = (
        "import sys\n"
        "from mockint.tui.app import MockintApp\n"
        "run = MockintApp.run\n"
        "MockintApp.run = lambda self, **kw: run(self, headless=True, size=(80, 24))\n"
        "from mockint.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "--db", str(tmp_path / "m.db")],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert_secret_free(result.stdout + result.stderr)
    assert_one_line_error(result, "config.toml: bad setting base_url", "OPENAI_API_KEY")
