"""Agreement between a grader and people, in plain Python (no numpy or scipy to install).

Pearson r says whether the grader orders and spaces answers like people do, Spearman rho
whether it orders them the same way, quadratic weighted kappa whether it gives the same
integer marks (big disagreements cost quadratically more), and mean absolute error how far
off the numbers are on the 0-10 scale. An undefined value (fewer than two answers, or one side
that never varies) is None, never a made-up 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation coefficient; None when undefined."""
    _check(xs, ys)
    n = len(xs)
    if n < 2:
        return None
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        average = (i + j) / 2 + 1
        for k in range(i, j + 1):
            result[order[k]] = average
        i = j + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman rank correlation (Pearson on average ranks, so ties are handled)."""
    _check(xs, ys)
    return pearson(ranks(xs), ranks(ys))


def round_half_up(value: float) -> int:
    """5.5 -> 6 and 4.5 -> 5 (Python's round() would give 6 and 4)."""
    return math.floor(value + 0.5)


def quadratic_weighted_kappa(
    xs: Sequence[int], ys: Sequence[int], low: int = 0, high: int = 10
) -> float | None:
    """Cohen's kappa with quadratic weights on integer marks in [low, high]."""
    _check(xs, ys)
    n = len(xs)
    if n == 0:
        return None
    size = high - low + 1
    observed = [[0.0] * size for _ in range(size)]
    for x, y in zip(xs, ys, strict=True):
        if not (low <= x <= high and low <= y <= high):
            raise ValueError(f"marks must be integers in {low}..{high}, got {x} and {y}")
        observed[x - low][y - low] += 1
    hist_x = [sum(row) for row in observed]
    hist_y = [sum(observed[i][j] for i in range(size)) for j in range(size)]
    numerator = denominator = 0.0
    for i in range(size):
        for j in range(size):
            weight = (i - j) ** 2 / (size - 1) ** 2
            numerator += weight * observed[i][j]
            denominator += weight * hist_x[i] * hist_y[j] / n
    if denominator == 0:
        return None
    return 1.0 - numerator / denominator


def mean_absolute_error(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    _check(xs, ys)
    if not xs:
        return None
    return math.fsum(abs(x - y) for x, y in zip(xs, ys, strict=True)) / len(xs)


@dataclass(frozen=True)
class Agreement:
    n: int
    pearson: float | None
    spearman: float | None
    qwk: float | None
    mae: float | None

    def to_dict(self, digits: int = 3) -> dict[str, float | int | None]:
        def fix(value: float | None) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "n": self.n,
            "pearson": fix(self.pearson),
            "spearman": fix(self.spearman),
            "qwk": fix(self.qwk),
            "mae": fix(self.mae),
        }


def agreement(machine: Sequence[float], human: Sequence[float]) -> Agreement:
    """All four figures for scores that are both on the 0-10 scale."""
    _check(machine, human)
    return Agreement(
        n=len(machine),
        pearson=pearson(machine, human),
        spearman=spearman(machine, human),
        qwk=quadratic_weighted_kappa(
            [_clamp(round_half_up(x)) for x in machine], [_clamp(round_half_up(y)) for y in human]
        ),
        mae=mean_absolute_error(machine, human),
    )


def _clamp(mark: int) -> int:
    return max(0, min(10, mark))


def _check(xs: Sequence[float], ys: Sequence[float]) -> None:
    if len(xs) != len(ys):
        raise ValueError(f"need pairs: {len(xs)} values against {len(ys)}")
