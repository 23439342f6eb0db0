"""FAIR inputs as plain mappings (as stored with a risk or sent over the API) and back."""

from __future__ import annotations

from typing import Any

from aisms.domain.fair import Distribution, Estimate, FairInputError, RiskFactors

FACTOR_FIELDS = (
    "tef",
    "vulnerability",
    "lef",
    "primary_loss",
    "secondary_loss_probability",
    "secondary_loss",
)
FACTOR_LABELS = {
    "tef": "Threat event frequency (per year)",
    "vulnerability": "Vulnerability (probability an event becomes a loss)",
    "lef": "Loss event frequency (per year), instead of TEF and vulnerability",
    "primary_loss": "Primary loss per event",
    "secondary_loss_probability": "Probability of secondary loss per loss event",
    "secondary_loss": "Secondary loss per event (fines, claims, reputation)",
}


def estimate_from_mapping(field: str, raw: Any) -> Estimate:
    """{low, most_likely?, high, distribution?} -> Estimate; raises FairInputError naming the field."""
    if not isinstance(raw, dict):
        raise FairInputError(field, "expected low, high and optionally most_likely and distribution")
    try:
        low = float(raw["low"])
        high = float(raw["high"])
        most_likely = None if raw.get("most_likely") in (None, "") else float(raw["most_likely"])
        distribution = Distribution(raw.get("distribution") or Distribution.PERT.value)
    except KeyError as exc:
        raise FairInputError(f"{field}.{exc.args[0]}", "required") from exc
    except ValueError as exc:
        raise FairInputError(field, str(exc)) from exc
    if distribution is Distribution.PERT and most_likely is None:
        most_likely = (low + high) / 2
    return Estimate(low=low, high=high, most_likely=most_likely, distribution=distribution)


def estimate_to_mapping(estimate: Estimate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "low": estimate.low,
        "high": estimate.high,
        "distribution": estimate.distribution.value,
    }
    if estimate.most_likely is not None:
        out["most_likely"] = estimate.most_likely
    return out


def factors_from_mapping(risk_id: str, name: str, data: dict[str, Any]) -> RiskFactors:
    """Build and validate one risk's factors from {factor: mapping or None}."""
    estimates = {
        field: estimate_from_mapping(field, data[field])
        for field in FACTOR_FIELDS
        if data.get(field) is not None
    }
    if "primary_loss" not in estimates:
        raise FairInputError("primary_loss", "required", risk_id)
    return RiskFactors(id=risk_id, name=name, **estimates)
