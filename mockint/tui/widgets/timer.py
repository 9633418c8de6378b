"""The question clock: elapsed time and what is left of the budget, or how far over it is."""

from __future__ import annotations

from textual.widgets import Static


def clock_text(seconds: float) -> str:
    """m:ss, or h:mm:ss past an hour; negative values are shown as zero."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def timer_text(elapsed: float, budget: float | None) -> str:
    """What the timer shows: going over the budget is allowed, so it counts on past zero."""
    if budget is None:
        return f"time {clock_text(elapsed)} · untimed"
    left = budget - elapsed
    if left >= 0:
        return f"time {clock_text(elapsed)} · {clock_text(left)} left"
    return f"time {clock_text(elapsed)} · {clock_text(-left)} over"


class QuestionTimer(Static):
    """Shows `timer_text`; turns to the error colour once the budget is spent."""

    DEFAULT_CSS = """
    QuestionTimer {
        width: auto;
        height: 1;
    }
    QuestionTimer.-low {
        color: $warning;
    }
    QuestionTimer.-over {
        color: $error;
        text-style: bold;
    }
    """

    def show(self, elapsed: float, budget: float | None) -> None:
        over = budget is not None and elapsed > budget
        low = budget is not None and not over and budget - elapsed <= 60
        self.set_class(over, "-over")
        self.set_class(low, "-low")
        self.update(timer_text(elapsed, budget))
