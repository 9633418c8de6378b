"""Charts drawn with text, for the terminal: sparklines and horizontal bars.

Plain strings, so the CLI prints them, the stats screen shows them and tests compare them.
"""

from __future__ import annotations

SPARKS = "▁▂▃▄▅▆▇█"
EIGHTHS = " ▏▎▍▌▋▊▉█"


def sparkline(values: list[float], lo: float = 0.0, hi: float = 10.0) -> str:
    """One character per value, ▁ at `lo` to █ at `hi` (scores are 0–10 by default)."""
    span = (hi - lo) or 1.0
    out = []
    for value in values:
        ratio = min(1.0, max(0.0, (value - lo) / span))
        out.append(SPARKS[round(ratio * (len(SPARKS) - 1))])
    return "".join(out)


def bar(value: float, width: int, hi: float = 10.0) -> str:
    """A bar `width` cells long at `hi`, with eighth-cell resolution, padded to `width`."""
    cells = min(1.0, max(0.0, value / hi if hi else 0.0)) * width
    full = int(cells)
    rest = EIGHTHS[int((cells - full) * 8)] if full < width else ""
    return ("█" * full + rest.strip()).ljust(width)


def bar_chart(rows: list[tuple[str, float, str]], width: int = 30, hi: float = 10.0) -> list[str]:
    """Lines 'label  ██████▌      value-text', labels padded to the longest."""
    if not rows:
        return []
    pad = max(len(label) for label, _, _ in rows)
    return [f"{label:<{pad}}  {bar(value, width, hi)}  {text}" for label, value, text in rows]
