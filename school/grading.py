"""Grade arithmetic, shared by services (notification data), selectors (pages) and reports.

A course average is the weighted mean of each grade as a percentage of its assessment's
maximum; a term average is the plain mean of the course averages."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def percent(score: Decimal, max_score: Decimal) -> Decimal:
    return (score * 100 / max_score).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_average(rows: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Decimal | None:
    """rows of (score, max_score, weight); None when there is nothing to average."""
    total = Decimal(0)
    weights = Decimal(0)
    for score, max_score, weight in rows:
        total += score * 100 / max_score * weight
        weights += weight
    if not weights:
        return None
    return (total / weights).quantize(CENT, rounding=ROUND_HALF_UP)


def mean(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return (sum(present, Decimal(0)) / len(present)).quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_text(value: Decimal | None) -> str | None:
    """Decimals travel as strings in JSON so no float rounding creeps in."""
    return None if value is None else str(value.quantize(CENT))
