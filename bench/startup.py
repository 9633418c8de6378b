"""How fast `mockint` opens and how much memory a session takes.

    .venv/bin/python bench/startup.py [--runs 7]

1. launch to interactive home, side by side with a floor: the installed `mockint` and a minimal
   Textual app (one Static and a Footer, the least any Textual app costs) are started in turn
   in a tmux pane (a real terminal), interleaved run by run so both see the same load, and the
   pane is polled until "Start interview" and the key bar's "Quit" are drawn; medians, and
   mockint's as a multiple of the floor's (target: at most 1.3x). A bare `mockint` draws that
   first frame before it loads config, store and packs (keys pressed meanwhile wait for them),
   so the time until the form is filled in (the questions hint, "drawn at random") is reported
   too.
2. in process: the time from `make_app(...)` to the home screen filled in under App.run_test,
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
# shown once the packs are loaded and the form's fields are mounted
HOME_FILLED = ("drawn at random",)


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


# The floor: what any Textual app costs to reach an interactive first screen. The same markers
# as mockint's home, so both are timed by the same poll.
FLOOR_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Footer, Static

    class Floor(App):
        BINDINGS = [("ctrl+q", "quit", "Quit")]

        def compose(self):
            yield Static("Start interview")
            yield Footer()

    Floor().run()
    """
)


def time_launch(
    command: str, root: Path, env: dict[str, str], filled: bool = False
) -> tuple[float, float, float | None] | None:
    """Wall seconds from starting `command` in a fresh tmux pane until HOME_READY is on screen,
    the CPU seconds the process had used by then, and (with `filled`) the wall seconds until
    HOME_FILLED is on screen too; None when the first screen never appeared."""
    tmux = ["tmux", "-S", str(root / "sock")]
    start = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "100", "-y", "30", f"exec {command}"],
        env=env,
        check=True,
    )
    deadline = start + 30
    screen = ""
    first: tuple[float, float] | None = None
    try:
        while time.perf_counter() < deadline:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p"], env=env, capture_output=True, text=True
            ).stdout
            if first is None and all(marker in screen for marker in HOME_READY):
                wall = time.perf_counter() - start
                pid = subprocess.run(
                    [*tmux, "display", "-p", "#{pane_pid}"],
                    env=env,
                    capture_output=True,
                    text=True,
                ).stdout
                first = (wall, cpu_seconds(int(pid)))
            if first is not None and not filled:
                return (*first, None)
            if first is not None and all(marker in screen for marker in HOME_FILLED):
                return (*first, time.perf_counter() - start)
            time.sleep(0.005)
        if first is not None:
            print(f"{command} never filled in its first screen:\n{screen}")
            return (*first, None)
    finally:
        subprocess.run([*tmux, "kill-server"], env=env, capture_output=True)
    print(f"{command} never showed its first screen:\n{screen}")
    return None


Launches = dict[str, tuple[list[float], list[float], list[float]]]


def launch_to_home(runs: int) -> Launches:
    """Wall and CPU seconds to an interactive first screen, for mockint and the floor app,
    interleaved (floor, mockint, floor, mockint, ...) so a change in load hits both alike, and
    mockint's wall seconds until its home form is filled in.

    CPU time is the fairer figure on a busy machine (start-up is single-threaded)."""
    if shutil.which("tmux") is None:
        print("tmux is not installed: skipping the terminal measurement")
        return {}
    mockint = mockint_command()
    times: Launches = {"floor": ([], [], []), "mockint": ([], [], [])}
    for _ in range(runs):
        for name in times:
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                env = isolated_env(root)
                if name == "floor":
                    floor = root / "floor.py"
                    floor.write_text(FLOOR_APP)
                    command = f"{sys.executable} {floor}"
                else:
                    command = mockint
                    # a returning user's case: the database exists (a first run also creates it)
                    subprocess.run([command, "history"], env=env, check=True, capture_output=True)
                measured = time_launch(command, root, env, filled=name == "mockint")
                if measured is not None:
                    times[name][0].append(measured[0])
                    times[name][1].append(measured[1])
                    if measured[2] is not None:
                        times[name][2].append(measured[2])
    return times


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
            while not isinstance(app.screen, HomeScreen) or not app.screen.loaded:
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
    from mockint.tui.app import default_grader_factory, make_app
    from mockint.tui.requests import NewSession

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
    parser.add_argument(
        "--launch-only", action="store_true", help="only the side-by-side launch measurement"
    )
    args = parser.parse_args()

    print(f"mockint start-up and memory ({sys.platform}, Python {sys.version.split()[0]})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cores (a busy machine inflates wall time)")
    launches = launch_to_home(args.runs)
    if launches and all(launches[name][0] for name in ("floor", "mockint")):
        for name, label in (("floor", "minimal Textual app (floor)"), ("mockint", "mockint")):
            wall, cpu, _ = launches[name]
            print(
                f"launch to interactive first screen, {label} ({len(wall)} runs, tmux): "
                f"median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max "
                f"{max(wall):.2f}); CPU by then: median {statistics.median(cpu):.2f} s"
            )
        ratio = statistics.median(launches["mockint"][0]) / statistics.median(launches["floor"][0])
        cpu_ratio = statistics.median(launches["mockint"][1]) / statistics.median(
            launches["floor"][1]
        )
        verdict = "ok" if ratio <= 1.3 else "over the 1.3x target"
        print(f"mockint / floor: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU — {verdict}")
        filled = launches["mockint"][2]
        if filled:
            floor_first = statistics.median(launches["floor"][0])
            print(
                f"mockint's home filled in (packs, settings, resume buttons) ({len(filled)} runs): "
                f"median {statistics.median(filled):.2f} s (min {min(filled):.2f}, max "
                f"{max(filled):.2f}), {statistics.median(filled) / floor_first:.2f}x the floor's "
                "first screen"
            )
    if args.launch_only:
        return
    in_process = run_script(IN_PROCESS)
    print(
        f"in process: imports {in_process['imports']:.2f} s, make_app to home filled in "
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
