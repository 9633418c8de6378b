"""Fixtures for the LLM grader: a scripted fake endpoint, and a real local model server.

The fake server (llm_fake_server.py) is real HTTP on 127.0.0.1, so the openai client, its
retries, timeouts and streaming run exactly as in production; nothing of ours is mocked.

The real server is llama-cpp-python serving SmolLM2-135M (see .ci/llm-server.sh, which
installs both and exports MOCKINT_TEST_LLM_PYTHON and MOCKINT_TEST_LLM_GGUF). Without it these
tests skip, unless MOCKINT_REQUIRE_LLM_SERVER=1 (CI), where a missing server is a failure.
MOCKINT_TEST_LLM_URL points the tests at a server that is already running instead.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_fake_server import FakeLLM
from llm_helpers import TEST_KEY, RealServer
from pydantic import SecretStr

from mockint.config import Settings
from mockint.grading.keyword import KeywordGrader
from mockint.grading.llm import LLMGrader
from mockint.grading.llm_client import ModeCache
from mockint.packs import Pack


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.close()


@pytest.fixture
def llm_settings(fake_llm: FakeLLM, tmp_path: Path) -> Settings:
    fake_llm.api_key = TEST_KEY
    return Settings(
        db=tmp_path / "mockint.db",
        model="fake-model",
        base_url=fake_llm.url,
        api_key=SecretStr(TEST_KEY),
        timeout=3.0,
    )


@pytest.fixture
def make_llm_grader(llm_settings: Settings, service_mesh: Pack):
    """An LLM grader against the fake server: one retry, a fresh in-memory mode cache."""

    def make(**updates: object) -> LLMGrader:
        settings = llm_settings.model_copy(update=updates)
        return LLMGrader(
            settings, max_retries=1, cache=ModeCache(), keyword=KeywordGrader(service_mesh)
        )

    return make


# the real model server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _models(url: str) -> list[str] | None:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
            return [m["id"] for m in json.load(response)["data"]]
    except (OSError, ValueError, KeyError):
        return None


def _unavailable(reason: str) -> None:
    if os.environ.get("MOCKINT_REQUIRE_LLM_SERVER") == "1":
        pytest.fail(f"MOCKINT_REQUIRE_LLM_SERVER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    """A local OpenAI-compatible model server for the whole session, stopped by its PID."""
    url = os.environ.get("MOCKINT_TEST_LLM_URL")
    if url:
        models = _models(url.rstrip("/"))
        if not models:
            _unavailable(f"MOCKINT_TEST_LLM_URL={url} does not answer /models")
        yield RealServer(url.rstrip("/"), models[0], None, None)
        return
    python = os.environ.get("MOCKINT_TEST_LLM_PYTHON", "")
    gguf = os.environ.get("MOCKINT_TEST_LLM_GGUF", "")
    if not (python and Path(python).exists() and gguf and Path(gguf).is_file()):
        _unavailable(
            "no local model server: source .ci/llm-server.sh (it sets MOCKINT_TEST_LLM_PYTHON "
            "and MOCKINT_TEST_LLM_GGUF) or set MOCKINT_TEST_LLM_URL"
        )
    port = _free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    alias = "smollm2-135m"
    threads = os.environ.get("MOCKINT_TEST_LLM_THREADS")  # default: half the cores
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                python, "-m", "llama_cpp.server", "--model", gguf, "--model_alias", alias,
                "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
                *(["--n_threads", threads] if threads else []),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    try:
        while _models(url) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                pytest.fail(f"the model server did not start:\n{tail}", pytrace=False)
            time.sleep(0.5)
        yield RealServer(url, alias, process.pid, log)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
