"""Progress of an information security objective (clause 6.2) towards its target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Measurement:
    on: date
    value: float


@dataclass(frozen=True)
class Progress:
    latest: float | None
    share: float | None  # 0..1 of the way from baseline to target, None without a measurement
    met: bool
    overdue: bool


def progress(
    baseline: float, target: float, measurements: Sequence[Measurement], due: date, today: date
) -> Progress:
    """Works for both directions: if the target is below the baseline, lower values are progress."""
    if not measurements:
        return Progress(None, None, False, due < today)
    latest = max(measurements, key=lambda m: m.on).value
    span = target - baseline
    if span == 0:
        share = 1.0 if latest == target else 0.0
    else:
        share = min(max((latest - baseline) / span, 0.0), 1.0)
    met = share >= 1.0
    return Progress(latest, share, met, due < today and not met)
