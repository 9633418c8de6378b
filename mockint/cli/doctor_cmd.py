"""`mockint doctor`: is the LLM endpoint usable, in which structured-output mode, how fast.

A person setting up the LLM grader wants one command that says what is wrong in words they
can act on: nothing configured, the server not running, a bad key, a model the server does
not list, a server that rejects every structured-output mode. The mode that works is
remembered for the grader, so the first grade does not have to probe again.

The interview screen always asks for a streamed reply, `mockint grade` never does: both
paths are checked. A server that ignores `stream` is fine (the body is read whole); one that
refuses streaming, or streams something unusable, is remembered so grades are requested
without streaming.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from mockint.cli.main import Context, cli, echo_json, llm_options, pass_context
from mockint.marks import OFFLINE_GRADERS
from mockint.safe_text import safe_text

if TYPE_CHECKING:
    from mockint.grading.llm_client import LLMClient

EPILOG = """\b
Examples:
  mockint doctor
  mockint doctor --base-url http://127.0.0.1:8080/v1 --model qwen2.5 --json
  MOCKINT_MODEL=gpt-4o-mini OPENAI_API_KEY=... mockint doctor
"""


@cli.command("doctor", epilog=EPILOG)
@llm_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def doctor(ctx: Context, as_json: bool) -> None:
    """Check the LLM grader's endpoint; exit 1 when it cannot grade.

    With nothing of an LLM configured there is nothing to check: the offline grader needs no
    setup, so doctor says so and contacts no server.
    """
    settings = ctx.settings
    if not (settings.model or settings.base_url or settings.api_key):
        _offline(settings.active_grader, as_json)
        return
    # openai is imported here, not at start-up: the other commands never pay for it.
    from mockint.grading.llm_client import LLMClient

    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    client = LLMClient(
        model=settings.model or "",
        base_url=settings.base_url,
        api_key=api_key,
        timeout=settings.timeout,
        max_retries=1,
    )
    report: dict[str, Any] = {
        "endpoint": client.endpoint,
        "model": settings.model,
        "api_key": "set" if api_key else "not set",
        "timeout_s": settings.timeout,
        "models": None,
        "chat": None,
        "stream": None,
        "ok": False,
        "problem": None,
    }
    try:
        report["models"] = _check_models(client, settings.model)
        reachable = report["models"]["error"] is None or report["models"]["kind"] not in (
            "timeout",
            "connection",
        )
        if not settings.model:
            report["problem"] = "no model configured: set MOCKINT_MODEL or --model"
        elif not reachable:
            report["problem"] = report["models"]["error"]
        else:
            report["chat"] = _check_chat(client)
            report["ok"] = report["chat"]["mode"] is not None
            report["problem"] = None if report["ok"] else report["chat"]["error"]
            if report["ok"]:
                report["stream"] = _check_stream(client, report["chat"]["mode"])
                if report["stream"]["result"] == "failed":
                    report["ok"] = False
                    report["problem"] = f"the streamed path failed: {report['stream']['detail']}"
    finally:
        client.close()
    if as_json:
        echo_json(report)
    else:
        _print(report)
    if not report["ok"]:
        raise SystemExit(1)


def _offline(grader: str, as_json: bool) -> None:
    if as_json:
        echo_json(
            {
                "llm_configured": False,
                "grader": grader,
                "ok": True,
                "problem": None,
                "endpoint": None,
                "model": None,
            }
        )
        return
    kind = OFFLINE_GRADERS.get(grader, grader)
    click.echo(f"No LLM is configured, so mockint grades offline ({grader} grader: {kind}).")
    click.echo("The offline grader needs no setup, no network and no account: nothing to check.")
    click.echo(
        "To grade with a model, set MOCKINT_MODEL (and OPENAI_BASE_URL, OPENAI_API_KEY) or "
        "pass --model/--base-url, then run doctor again."
    )


def _check_models(client: LLMClient, model: str | None) -> dict[str, Any]:
    from mockint.grading.llm_client import LLMFailure

    try:
        ids, ms = client.list_models()
    except LLMFailure as exc:
        return {"error": str(exc), "kind": exc.kind, "ms": None, "listed": [], "model_listed": None}
    return {
        "error": None,
        "kind": None,
        "ms": round(ms, 1),
        "listed": ids[:50],
        "model_listed": (model in ids) if model else None,
    }


def _check_chat(client: LLMClient) -> dict[str, Any]:
    from mockint.grading.llm_client import LLMFailure

    try:
        tried = client.probe()
    except LLMFailure as exc:
        return {"mode": None, "ms": None, "tried": [], "error": str(exc)}
    rows = [
        {"mode": str(mode), "result": "ok" if problem is None else problem, "ms": round(ms, 1)}
        for mode, problem, ms in tried
    ]
    working = [row for row in rows if row["result"] == "ok"]
    if not working:
        error = "the endpoint answers, but no structured-output mode produced the JSON asked for"
        return {"mode": None, "ms": None, "tried": rows, "error": error}
    return {"mode": working[0]["mode"], "ms": working[0]["ms"], "tried": rows, "error": None}


def _check_stream(client: LLMClient, mode: str) -> dict[str, Any]:
    from mockint.grading.llm_endpoint import Mode

    outcome, detail, ms = client.probe_stream(Mode(mode))
    return {"result": outcome, "detail": detail, "ms": round(ms, 1)}


def _echo(text: str = "") -> None:
    """Print text that may come from a pack or a server, without its control sequences."""
    click.echo(safe_text(text))


def _print(report: dict[str, Any]) -> None:
    models = report["models"] or {}
    model = report["model"] or "(none: set MOCKINT_MODEL or --model)"
    if report["model"] and models.get("model_listed") is False:
        model += "  (not listed by the endpoint; it may use its default model instead)"
    _echo(f"endpoint   {report['endpoint']}")
    _echo(f"model      {model}")
    _echo(f"api key    {report['api_key']}")
    _echo(f"timeout    {report['timeout_s']:g} s")
    if models.get("error"):
        _echo(f"models     {models['error']}")
    elif models:
        listed = ", ".join(models["listed"][:5]) + (", ..." if len(models["listed"]) > 5 else "")
        _echo(f"models     answered in {models['ms']:.0f} ms: {listed or '(none listed)'}")
    chat = report["chat"]
    if chat:
        for row in chat["tried"]:
            _echo(f"  {row['mode']:<20} {row['result']} ({row['ms']:.0f} ms)")
        if chat["mode"]:
            _echo(f"structured output  {chat['mode']} (remembered for this endpoint and model)")
            _echo(f"round trip         {chat['ms']:.0f} ms")
    stream = report["stream"]
    if stream:
        _echo(f"streaming          {stream['result']}: {stream['detail']} ({stream['ms']:.0f} ms)")
    if report["ok"]:
        _echo("ready: the LLM grader (--grader llm) can use this endpoint")
    else:
        _echo(f"not ready: {report['problem']}")
