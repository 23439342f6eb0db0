"""FAIR quantification of risks: store each risk's inputs, simulate any set of risks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.risks.models import Risk, RiskQuantification
from aisms.apps.risks.services import _may
from aisms.domain.access import Action
from aisms.domain.fair import FairInputError, RiskResult, SimulationResult, simulate
from aisms.domain.fair_inputs import (
    FACTOR_FIELDS,
    estimate_from_mapping,
    estimate_to_mapping,
    factors_from_mapping,
)

UI_RUNS = 20_000
MAX_RUNS = 200_000


@transaction.atomic
def set_quantification(actor: User, risk: Risk, data: dict[str, Any]) -> RiskQuantification:
    """Save a risk's FAIR inputs after validating them with the engine's own rules."""
    _may(actor, Action.EDIT, risk)
    try:
        factors_from_mapping(risk.ref, risk.title, data)
        values = {
            field: estimate_to_mapping(estimate_from_mapping(field, data[field])) if data.get(field) else None
            for field in FACTOR_FIELDS
        }
    except FairInputError as exc:
        raise ValidationError({exc.field.split(".")[0]: exc.message}) from exc
    row = RiskQuantification.objects.filter(risk=risk).first() or RiskQuantification(risk=risk)
    for field, value in values.items():
        setattr(row, field, value)
    row.updated_at = timezone.now()
    row._history_user = actor  # type: ignore[attr-defined]
    row.save()
    return row


@dataclass(frozen=True)
class Analysis:
    result: SimulationResult
    rows: list[tuple[Risk, RiskResult]]


def analyse(risks: list[Risk], runs: int, seed: int) -> Analysis | None:
    """Simulate the risks that have FAIR inputs; None when none of them has."""
    if not 1 <= runs <= MAX_RUNS:
        raise ValidationError({"runs": f"between 1 and {MAX_RUNS}"})
    quantified = {q.risk_id: q for q in RiskQuantification.objects.filter(risk__in=risks)}
    chosen = [r for r in risks if r.pk in quantified]
    if not chosen:
        return None
    factors = [
        factors_from_mapping(
            risk.ref, risk.title, {f: getattr(quantified[risk.pk], f) for f in FACTOR_FIELDS}
        )
        for risk in chosen
    ]
    result = simulate(factors, runs, seed)
    return Analysis(result=result, rows=[(risk, result.risk(risk.ref)) for risk in chosen])
