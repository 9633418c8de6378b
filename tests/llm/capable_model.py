"""A loopback "capable model" for the fake endpoint: it grades correctly, but quotes the way
real models do (quote_variants.py), and writes its reply in the ways real servers send it.

It reads what a real model reads, the prompt: the rubric ids from the rubric lines and the
answer between the boundary lines. Its judgement is the test author's (which passage of the
expert answer shows which point, quote_variants.PASSAGES); a point whose passage is not in the
answer is judged missed, honestly. An "inventing" model instead claims every point, quoting
text the answer does not contain.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field

from llm_fake_server import Reply, Request
from quote_variants import PASSAGES, VARIANTS, Variant

_RUBRIC_LINE = re.compile(r"^- (\S+) \(weight ", re.MULTILINE)
_FENCE_LINE = re.compile(r"^=====ANSWER-[0-9a-f]+=====$", re.MULTILINE)
RETRY_OPENING = "Your reply could not be used"


def prompt_parts(request: Request) -> tuple[list[str], str, bool]:
    """(rubric ids, the candidate's answer, is this a retry) as the prompt states them."""
    messages = request.body["messages"]
    first_user = next(m["content"] for m in messages if m["role"] == "user")
    ids = _RUBRIC_LINE.findall(first_user.split("## Red flags")[0])
    fences = list(_FENCE_LINE.finditer(first_user))
    assert len(fences) == 2, "the answer must sit between two boundary lines"
    answer = first_user[fences[0].end() : fences[1].start()].strip()
    retry = messages[-1]["role"] == "user" and messages[-1]["content"].startswith(RETRY_OPENING)
    return ids, answer, retry


@dataclass
class CapableModel:
    """Builds replies; `style` is how the server sends them."""

    # how the quote of each point is changed (a point not named is quoted exactly)
    variants: dict[str, Variant] = field(default_factory=lambda: mixed())
    style: str = "plain"  # "plain", "fenced" (```json and prose), "plain-body" (ignores stream)
    invent: bool = False  # claim every point with invented quotes, also when asked again
    chunk_delay: float = 0.0
    gates: list[tuple[float, threading.Event]] = field(default_factory=list)  # see Reply.gates
    replies: list[dict] = field(default_factory=list)

    def __call__(self, request: Request) -> Reply:
        if "=====ANSWER-" not in request.user_text:  # not a grading prompt (mockint doctor)
            return Reply('{"ok": true}', plain_body=self.style == "plain-body")
        ids, answer, retry = prompt_parts(request)
        points = []
        for point_id in ids:
            passage = PASSAGES.get(point_id)
            if self.invent:
                quote = "the mesh replaces the CI/CD pipeline and signs every container image"
                points.append(self._point(point_id, quote, "covered"))
            elif passage is not None and passage in answer:
                changed = self.variants.get(point_id)
                quote = changed.transform(passage) if changed and not retry else passage
                points.append(self._point(point_id, quote, "covered"))
            else:
                points.append(self._point(point_id, "", "missed"))
        reply = {
            "points": points,
            "red_flags": [],
            "feedback": "A thorough answer: clear definition, concrete capabilities, and sound "
            "judgement about when a mesh is not worth its cost.",
            "follow_up": "" if all(p["verdict"] == "covered" for p in points) else "Say more?",
        }
        self.replies.append(reply)
        content = json.dumps(reply, ensure_ascii=False)
        if self.style == "fenced":
            content = f"Here is my assessment.\n\n```json\n{content}\n```\n"
        return Reply(
            content,
            plain_body=self.style == "plain-body",
            chunk_delay=self.chunk_delay,
            gates=list(self.gates),
        )

    @staticmethod
    def _point(point_id: str, quote: str, verdict: str) -> dict[str, str]:
        reason = "Not in the answer." if verdict == "missed" else "The answer says so."
        return {"id": point_id, "quote": quote, "reason": reason, "verdict": verdict}


def variant(name: str) -> Variant:
    return next(v for v in VARIANTS if v.name == name)


# One realistic reply: each point quoted with a different slip.
MIXED = {
    "definition": "cut-at-cap",
    "capabilities": "joined-bullets",
    "scale-threshold": "dropped-word",
    "simpler-alternatives": "backticks",
    "wrong-problem": "bold",
    "operational-cost": "colon-dash",
}


def mixed() -> dict[str, Variant]:
    return {point: variant(name) for point, name in MIXED.items()}


def only(changed: Variant) -> dict[str, Variant]:
    """`changed` on the point it is about, or on every point."""
    return {point: changed for point in ([changed.point] if changed.point else PASSAGES)}
