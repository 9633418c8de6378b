"""Graders: the shared models live in `base`, the graders in `keyword` and `llm`.

Every front end picks a grader through `make_grader`, so adding or swapping one is a change in
one place, and the LLM grader (and with it openai) is imported only when someone asks for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from mockint.errors import UserError

if TYPE_CHECKING:
    from mockint.config import Settings
    from mockint.grading.base import Grader
    from mockint.packs import Pack

GRADER_NAMES: tuple[str, ...] = ("offline", "keyword", "llm")


def make_grader(name: str, settings: Settings | None = None, *, pack: Pack | None = None) -> Grader:
    """The grader called `name`: "offline" (keywords plus meaning, the default without a
    model), "keyword" (words only) or "llm" (needs a configured model).

    `pack` lets the keyword grader (also the LLM grader's cross-check) weigh words by how
    informative they are across the pack, which matters for reference-answer-only questions.
    """
    if name == "offline":
        from mockint.grading.offline import OfflineGrader

        return OfflineGrader(pack)
    if name == "keyword":
        from mockint.grading.keyword import KeywordGrader

        return KeywordGrader(pack)
    if name == "llm":
        try:
            llm = importlib.import_module("mockint.grading.llm")
        except ImportError:
            raise UserError("the LLM grader is not available") from None
        # its keyword cross-check uses the pack
        grader: Grader = (
            llm.make_llm_grader(settings, pack=pack) if pack else llm.make_llm_grader(settings)
        )
        return grader
    raise UserError(f"unknown grader {name!r} (choose from: {', '.join(GRADER_NAMES)})")


__all__ = ["GRADER_NAMES", "make_grader"]
