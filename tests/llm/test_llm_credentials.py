"""A base URL carrying credentials (user:password@, ?api_key=) against the test server: `grade`
and `doctor` refuse it without repeating it, and a server that echoes the request (its 404
names the path, query included) has the URL's secrets redacted from what is printed and stored
(an endpoint stored before such URLs were refused, or given to the client directly)."""

from __future__ import annotations

import httpx2
import pytest
from capable_model import CapableModel
from llm_fake_server import FakeLLM
from llm_helpers import TEST_KEY, run_mockint
from quote_variants import EXPERT_ANSWER, QUESTION_ID

from mockint.grading.llm_client import LLMClient, ModeCache

PASSWORD = "pw-Hunter2-7c1d9a"
KEY = "AIzaQueryKey5e8a1f3b77"


def leaky_url(fake: FakeLLM, where: str) -> str:
    if where == "userinfo":
        return fake.url.replace("http://", f"http://alice:{PASSWORD}@")
    return f"{fake.url}?api_key={KEY}"


def env(fake: FakeLLM, where: str) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": leaky_url(fake, where),
        "OPENAI_API_KEY": TEST_KEY,
        "MOCKINT_MODEL": "fake-model",
        "MOCKINT_LLM_TIMEOUT": "10",
    }


def assert_clean(text: str) -> None:
    assert PASSWORD not in text and KEY not in text


@pytest.mark.parametrize("where", ["userinfo", "query"])
@pytest.mark.parametrize("command", ["grade", "doctor"])
def test_grade_and_doctor_refuse_the_url_without_repeating_it(
    fake_llm: FakeLLM, where: str, command: str
) -> None:
    """Neither URL can get a grade from this server (httpx turns user:password@ into Basic
    auth in place of the key, openai appends the request path after the query): both are
    refused in one line that names the setting and not the secret, and no request is sent."""
    fake_llm.api_key = TEST_KEY
    fake_llm.default = CapableModel()
    args = [command]
    if command == "grade":
        args += ["--pack", "service-mesh", "--question", QUESTION_ID, "--grader", "llm"]
        args += ["--answer", EXPERT_ANSWER]
    for extra in ([], ["--json"]):
        result = run_mockint(*args, *extra, env=env(fake_llm, where))
        assert_clean(result.stdout + result.stderr)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("mockint: OPENAI_BASE_URL: bad value for base_url")
    assert not fake_llm.requests


@pytest.mark.parametrize("where", ["userinfo", "query"])
def test_an_echo_of_the_url_loses_its_secrets(fake_llm: FakeLLM, where: str) -> None:
    """What a failing connection says is shown and stored (a grade's note): the URL's
    password and key are cut from it like the API key is."""
    url = leaky_url(fake_llm, where)
    client = LLMClient(model="m", base_url=url, api_key=None, timeout=1, cache=ModeCache())
    failure = client._failure(httpx2.ConnectError(f"cannot reach {url}: refused"))
    assert_clean(str(failure))
    assert client.endpoint == fake_llm.url
