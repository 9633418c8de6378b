"""How fast `mockint` opens and how much memory a session takes.

    .venv/bin/python bench/startup.py [--runs 7]

1. launch to interactive home: the installed `mockint` is started in a tmux pane (a real
   terminal) and the pane is polled until the home screen's "Start interview" button and the
   footer are drawn; median and max of several runs (target: under 1.0 s).
2. in process: the time from `make_app(...)` to the home screen mounted under App.run_test,
   i.e. without interpreter start-up and imports.
3. a scripted 5-question session (pilot, real keyword grader, follow-ups answered) in a fresh
   process: wall time, peak memory (ru_maxrss), and whether openai was imported (must not be).

Each run uses a temporary HOME, config and database, so the user's data is never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HOME_READY = ("Start interview", "Quit")


def isolated_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCKINT_"))}
    env.update(
        HOME=str(root),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        MOCKINT_DB=str(root / "bench.db"),
        TERM="xterm-256color",
        LANG="C.UTF-8",
    )
    env.pop("TMUX", None)
    return env


def mockint_command() -> str:
    beside = Path(sys.executable).parent / "mockint"
    found = str(beside) if beside.exists() else shutil.which("mockint")
    if not found:
        sys.exit("the mockint command is not installed (pip install .)")
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launch_to_home(runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds from starting `mockint` in a tmux pane to the home screen being drawn, and
    the CPU seconds the process had used by then (the wall time of an otherwise idle machine:
    start-up is single-threaded, so on a busy machine CPU time is the fairer figure)."""
    if shutil.which("tmux") is None:
        print("tmux is not installed: skipping the terminal measurement")
        return [], []
    command = mockint_command()
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            env = isolated_env(root)
            # A returning user's case: the database exists (a first run also creates its schema).
            subprocess.run([command, "history"], env=env, check=True, capture_output=True)
            tmux = ["tmux", "-S", str(root / "sock")]
            start = time.perf_counter()
            subprocess.run(
                [*tmux, "new-session", "-d", "-x", "100", "-y", "30", f"exec {command}"],
                env=env,
                check=True,
            )
            deadline = start + 30
            try:
                while time.perf_counter() < deadline:
                    screen = subprocess.run(
                        [*tmux, "capture-pane", "-p"], env=env, capture_output=True, text=True
                    ).stdout
                    if all(marker in screen for marker in HOME_READY):
                        times.append(time.perf_counter() - start)
                        pid = subprocess.run(
                            [*tmux, "display", "-p", "#{pane_pid}"],
                            env=env,
                            capture_output=True,
                            text=True,
                        ).stdout
                        cpu.append(cpu_seconds(int(pid)))
                        break
                    time.sleep(0.005)
                else:
                    print("the home screen never appeared:\n" + screen)
            finally:
                subprocess.run([*tmux, "kill-server"], env=env, capture_output=True)
    return times, cpu


IN_PROCESS = textwrap.dedent(
    """
    import asyncio, json, sys, time
    t0 = time.perf_counter()
    from pathlib import Path
    from mockint.config import load_settings
    from mockint.store import Store
    from mockint.tui.app import default_grader_factory, make_app
    from mockint.tui.screens.home import HomeScreen
    imported = time.perf_counter() - t0

    async def main():
        settings = load_settings()
        start = time.perf_counter()
        app = make_app(settings, Store(settings.db), default_grader_factory(settings))
        async with app.run_test(size=(100, 30)) as pilot:
            while not isinstance(app.screen, HomeScreen) or not app.screen.is_mounted:
                await asyncio.sleep(0.001)
            await pilot.pause()
            ready = time.perf_counter() - start
        print(json.dumps({"imports": imported, "app_to_home": ready}))

    asyncio.run(main())
    """
)

SESSION = textwrap.dedent(
    """
    import asyncio, json, resource, sys, time
    from mockint.config import load_settings
    from mockint.interview import InterviewOptions
    from mockint.packs import resolve_pack
    from mockint.store import Store
    from mockint.tui.app import NewSession, default_grader_factory, make_app

    ANSWER = ("The sidecar proxy (Envoy) intercepts traffic with iptables, terminates mTLS, "
              "retries with timeouts and circuit breaking, and reports golden metrics; the "
              "control plane pushes config and rotates certificates.")

    async def main():
        settings = load_settings()
        pack, path = resolve_pack("service-mesh")
        request = NewSession(pack, InterviewOptions(questions=5, seed=11), "keyword", str(path))
        app = make_app(settings, Store(settings.db), default_grader_factory(settings),
                       start=request, cursor_blink=False)
        start = time.perf_counter()
        turns = 0
        async with app.run_test(size=(100, 30)) as pilot:
            while type(app.screen).__name__ != "ScorecardScreen":
                await pilot.pause(0.01)
                if getattr(app.screen, "phase", "") == "answering":
                    app.screen.editor.insert(ANSWER)
                    await pilot.press("ctrl+s")
                    turns += 1
                if time.perf_counter() - start > 120:
                    raise SystemExit("the session did not finish")
            await pilot.pause()
        wall = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"turns": turns, "seconds": wall, "peak_mib": peak_kib / 1024,
                          "openai_imported": "openai" in sys.modules}))

    asyncio.run(main())
    """
)


def run_script(script: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=isolated_env(Path(tmp)),
            capture_output=True,
            text=True,
            timeout=300,
        )
    if result.returncode != 0:
        sys.exit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="terminal launches to time")
    args = parser.parse_args()

    print(f"mockint start-up and memory ({sys.platform}, Python {sys.version.split()[0]})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cores (a busy machine inflates wall time)")
    times, cpu = launch_to_home(args.runs)
    if times:
        median = statistics.median(times)
        verdict = "ok" if median < 1.0 else "over the 1.0 s target"
        print(
            f"launch to interactive home (tmux, {len(times)} runs): median {median:.2f} s, "
            f"min {min(times):.2f} s, max {max(times):.2f} s — {verdict}"
        )
        print(f"  CPU time used by then: median {statistics.median(cpu):.2f} s")
    in_process = run_script(IN_PROCESS)
    print(
        f"in process: imports {in_process['imports']:.2f} s, make_app to home mounted "
        f"{in_process['app_to_home']:.2f} s"
    )
    session = run_script(SESSION)
    print(
        f"5-question session ({session['turns']} answers incl. follow-ups, keyword grader): "
        f"{session['seconds']:.1f} s, peak memory {session['peak_mib']:.0f} MiB, "
        f"openai imported: {'yes' if session['openai_imported'] else 'no'}"
    )


if __name__ == "__main__":
    main()
