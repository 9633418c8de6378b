"""Agreement metrics against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from mockint.grading.metrics import (
    agreement,
    mean_absolute_error,
    pearson,
    quadratic_weighted_kappa,
    ranks,
    round_half_up,
    spearman,
)


def test_pearson_by_hand() -> None:
    # deviations (-1.5, -.5, .5, 1.5) and (-1.5, .5, -.5, 1.5): sxy = 4, sxx = syy = 5
    assert pearson([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert pearson([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_pearson_is_undefined_without_variation_or_pairs() -> None:
    assert pearson([5, 5, 5], [1, 2, 3]) is None
    assert pearson([1], [1]) is None
    with pytest.raises(ValueError, match="pairs"):
        pearson([1, 2], [1])


def test_ranks_share_ties() -> None:
    assert ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert ranks([3, 1, 2]) == [3, 1, 2]


def test_spearman_by_hand_with_ties() -> None:
    # ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): sxy = 4.5, sxx = 4.5, syy = 5
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / math.sqrt(22.5))
    # monotone but not linear: rank correlation is perfect
    assert spearman([1, 2, 3, 4], [1, 4, 9, 100]) == pytest.approx(1.0)


def test_quadratic_weighted_kappa_by_hand() -> None:
    # marks 0..2: observed (0,0) (1,1) (2,1) (2,2); weights (i-j)^2/4.
    # numerator: 1/4 for the (2,1) pair; expected-weighted denominator: 1.25.
    assert quadratic_weighted_kappa([0, 1, 2, 2], [0, 1, 1, 2], 0, 2) == pytest.approx(0.8)
    # complete disagreement on a two-mark scale
    assert quadratic_weighted_kappa([0, 1], [1, 0], 0, 1) == pytest.approx(-1.0)
    assert quadratic_weighted_kappa([3, 7, 10], [3, 7, 10]) == pytest.approx(1.0)


def test_quadratic_weighted_kappa_rejects_marks_off_the_scale() -> None:
    with pytest.raises(ValueError, match=r"0\.\.10"):
        quadratic_weighted_kappa([11], [3])
    assert quadratic_weighted_kappa([], []) is None
    assert quadratic_weighted_kappa([4, 4], [4, 4]) is None  # no disagreement possible


def test_mean_absolute_error_by_hand() -> None:
    assert mean_absolute_error([1, 2, 3], [2, 2, 5]) == pytest.approx(1.0)
    assert mean_absolute_error([], []) is None


def test_round_half_up() -> None:
    assert [round_half_up(x) for x in (4.5, 5.5, 4.49, 0.0, 9.96)] == [5, 6, 4, 0, 10]


def test_agreement_rounds_for_kappa_only() -> None:
    result = agreement([4.6, 7.2, 1.0], [5.0, 7.0, 2.0])
    # rounded marks 5, 7, 1 vs 5, 7, 2
    assert result.qwk == pytest.approx(quadratic_weighted_kappa([5, 7, 1], [5, 7, 2]))
    assert result.mae == pytest.approx((0.4 + 0.2 + 1.0) / 3)
    assert result.n == 3
    assert result.to_dict()["mae"] == 0.533
