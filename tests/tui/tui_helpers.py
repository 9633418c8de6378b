"""Helpers shared by the TUI tests: the tiny pack's text and waiting for workers."""

from __future__ import annotations

from textual.pilot import Pilot

TINY_PACK = """
[pack]
id = "tiny"
title = "Tiny pack"
time_budget_minutes = 2

[[questions]]
id = "q1"
text = "What does a **load balancer** do?"
intent = "Knows what a balancer does besides spreading load."
model_answer = ["Spreads requests over backends", "Checks their health"]
[[questions.rubric]]
id = "spread"
description = "Spreads requests over backends"
weight = 3
terms = ["spread", "distribute"]
[[questions.rubric]]
id = "health"
description = "Checks backend health"
weight = 1
terms = ["health check"]
[[questions.red_flags]]
id = "magic"
description = "Thinks it makes servers faster"
terms = ["makes servers faster"]
[[questions.follow_ups]]
text = "How does it know a backend is down?"
probes = ["health"]

[[questions]]
id = "q2"
text = "What is a cache?"
model_answer = ["Copies close to the reader"]
[[questions.rubric]]
id = "fast"
description = "Keeps copies close for speed"
terms = ["copy", "copies"]
[[questions.follow_ups]]
text = "Why keep copies?"
probes = ["fast"]
"""


async def settle(pilot: Pilot) -> None:
    """Let workers (opening, grading) finish and their messages be handled."""
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
