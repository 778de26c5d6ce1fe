"""Grade arithmetic, shared by services (notification data), selectors (pages) and reports.

A course average is the weighted mean of each grade as a percentage of its assessment's
maximum; a term average is the plain mean of the course averages. Both are computed once, on
the server, as percentages; `display` writes a percentage in the school's scale (0-10, 0-100 or
letters) — the one place pages, term reports and notification texts turn grades into text."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from school.models import GradeScale, GradingSettings
from tenants.db import is_public_schema

CENT = Decimal("0.01")

# Letter bands: the lowest percentage of each letter, best first (below the last: F).
LETTER_BANDS = ((Decimal(90), "A"), (Decimal(80), "B"), (Decimal(70), "C"), (Decimal(60), "D"))
FAILING_LETTER = "F"
# The passing mark as a percentage: 6 of 10, 60 of 100, a D.
PASSING_PERCENT = Decimal(60)


@dataclass(frozen=True)
class Scale:
    kind: str = GradeScale.HUNDRED
    decimals: int = 2


def school_scale() -> Scale:
    """The school's scale (a school that never chose one writes percentages, two decimals).
    Outside any school's schema (the operators' console, catalogue checks) there is no
    setting to read: percentages too."""
    if is_public_schema():
        return Scale()
    row = GradingSettings.objects.filter(pk=1).first()
    return Scale(kind=row.scale, decimals=row.decimals) if row else Scale()


def scaled(percentage: Decimal, scale: Scale) -> Decimal:
    """A percentage as a number of the scale, rounded half up to the school's decimals."""
    value = percentage / 10 if scale.kind == GradeScale.TEN else percentage
    return value.quantize(Decimal(1).scaleb(-scale.decimals), rounding=ROUND_HALF_UP)


def display(percentage: Decimal | str | None, scale: Scale | None = None) -> str:
    """A grade or an average (a percentage) as the school writes it: "8.5" (0-10), "85"
    (0-100), "B" (letters); at most the configured decimals, no trailing zeros; "—" for none."""
    if percentage is None or percentage == "":
        return "—"
    value = Decimal(percentage)
    scale = scale or school_scale()
    if scale.kind == GradeScale.LETTERS:
        return next((letter for low, letter in LETTER_BANDS if value >= low), FAILING_LETTER)
    return f"{scaled(value, scale).normalize():f}"


EXAMPLES = (Decimal(100), Decimal("87.5"), Decimal("82.25"), Decimal("59.95"), Decimal(45))


def examples(scale: Scale) -> list[tuple[Decimal, str, bool]]:
    """A few percentages as the scale writes them, and whether they pass (the settings page)."""
    return [(p, display(p, scale), passing(p, scale)) for p in EXAMPLES]


def passing(percentage: Decimal, scale: Scale | None = None) -> bool:
    """At or above the passing mark as the school writes it (8 ≥ 6; 5.95 shown as 6.0 passes)."""
    scale = scale or school_scale()
    if scale.kind == GradeScale.LETTERS:
        return percentage >= PASSING_PERCENT
    mark = PASSING_PERCENT / 10 if scale.kind == GradeScale.TEN else PASSING_PERCENT
    return scaled(percentage, scale) >= mark


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
