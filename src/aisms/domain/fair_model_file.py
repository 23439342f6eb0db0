"""Read a FAIR model file (YAML) into ``RiskFactors``; errors name the file, line and field.

Format::

    currency: EUR                 # optional; shown with the figures
    risks:
      - id: R1                    # required, unique
        name: Prompt injection exfiltrates patient data     # optional; defaults to the id
        tef: {low: 0.5, most_likely: 2, high: 6}             # threat events per year (PERT)
        vulnerability: {low: 0.05, most_likely: 0.2, high: 0.4}   # probability, PERT in [0, 1]
        primary_loss: {low: 20000, high: 400000, distribution: lognormal}   # 90% interval
        secondary_loss_probability: {low: 0.1, most_likely: 0.3, high: 0.5}
        secondary_loss: {low: 50000, high: 2000000, distribution: lognormal}
      - id: R2
        name: Training data poisoned through a supplier
        lef: {low: 0.02, most_likely: 0.1, high: 0.5}        # loss events per year, instead of
        primary_loss: {low: 10000, most_likely: 80000, high: 900000}   # tef + vulnerability
      - id: R3
        lef: 1                                               # a bare number is a constant
        primary_loss: 5000

A range is a mapping with ``low``, ``high``, optional ``most_likely`` and optional
``distribution``: ``pert`` (the default; needs ``most_likely``; lambda = 4) or ``lognormal``
(``low`` and ``high`` are the 5th and 95th percentiles; no ``most_likely``). A risk gives
``lef``, or ``tef`` with ``vulnerability``; ``secondary_loss_probability`` (the chance that a loss
event also brings secondary loss) and ``secondary_loss`` (its magnitude) go together. Unknown
keys are refused, so a misspelt key cannot be silently ignored. Numbers may be written as
``2e6`` or ``2_000_000``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.yaml_lines import line_of, load_yaml
from aisms.domain.fair import Distribution, Estimate, FairInputError, RiskFactors

TOP_LEVEL_KEYS = frozenset({"risks", "currency"})
RANGE_FIELDS = (
    "tef",
    "vulnerability",
    "lef",
    "primary_loss",
    "secondary_loss_probability",
    "secondary_loss",
)
RISK_KEYS = frozenset({"id", "name", *RANGE_FIELDS})
RANGE_KEYS = frozenset({"low", "most_likely", "high", "distribution"})


class _ErrorAt(Protocol):
    def __call__(self, message: str, path: list[str | int], field: str | None = None) -> CatalogueError: ...


@dataclass(frozen=True)
class FairModelDocument:
    """The risks of a model file, in file order, and the currency its amounts are in (if given)."""

    risks: tuple[RiskFactors, ...]
    currency: str | None = None


def parse_fair_model(text: str, filename: str) -> FairModelDocument:
    """Parse a model file's text. Raises ``CatalogueError`` naming the file, line and field."""
    document = load_yaml(text, filename)

    def error(message: str, path: list[str | int], field: str | None = None) -> CatalogueError:
        return CatalogueError(filename, message, line=line_of(document, path), field=field)

    if not isinstance(document, dict):
        raise error("a FAIR model file is a mapping with a 'risks' list", [])
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        raise error(f"unknown key; expected {_listing(TOP_LEVEL_KEYS)}", [unknown[0]], unknown[0])
    currency = document.get("currency")
    if currency is not None and not isinstance(currency, str):
        raise error("currency must be text, such as EUR", ["currency"], "currency")
    entries = document.get("risks")
    if not isinstance(entries, list) or not entries:
        raise error("'risks' must be a list with at least one risk", ["risks"], "risks")
    risks: list[RiskFactors] = []
    first_line_of_id: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        risk = _parse_risk(entry, ["risks", index], error)
        if risk.id in first_line_of_id:
            raise error(
                f"risk id {risk.id!r} is already used (line {first_line_of_id[risk.id]})",
                ["risks", index, "id"],
                "id",
            )
        first_line_of_id[risk.id] = line_of(document, ["risks", index, "id"])
        risks.append(risk)
    return FairModelDocument(tuple(risks), currency)


def _parse_risk(entry: Any, path: list[str | int], error: _ErrorAt) -> RiskFactors:
    if not isinstance(entry, dict):
        raise error("each risk is a mapping (id, name, tef, vulnerability, ...)", path)
    unknown = sorted(set(entry) - RISK_KEYS)
    if unknown:
        raise error(f"unknown key; expected {_listing(RISK_KEYS)}", [*path, unknown[0]], unknown[0])
    raw_id = entry.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        raise error("each risk needs an id (text)", [*path, "id"], "id")
    risk_id = str(raw_id).strip()
    name = entry.get("name", risk_id)
    if not isinstance(name, str):
        raise error(f"risk {risk_id!r}: name must be text", [*path, "name"], "name")
    ranges = {
        key: _parse_range(entry[key], [*path, key], key, risk_id, error)
        for key in RANGE_FIELDS
        if entry.get(key) is not None
    }
    try:
        return RiskFactors(id=risk_id, name=name, **ranges)
    except FairInputError as exc:
        field_path: list[str | int] = [*path, *exc.field.split(".")]
        raise error(f"risk {risk_id!r}: {exc.message}", field_path, exc.field) from exc


def _parse_range(value: Any, path: list[str | int], field: str, risk_id: str, error: _ErrorAt) -> Estimate:
    if _is_number(value):
        return Estimate.constant(float(value))
    if not isinstance(value, dict):
        raise error(
            f"risk {risk_id!r}: a range is a mapping like {{low: 1, most_likely: 2, high: 5}} or a number",
            path,
            field,
        )
    unknown = sorted(set(value) - RANGE_KEYS)
    if unknown:
        raise error(
            f"risk {risk_id!r}: unknown key in a range; expected {_listing(RANGE_KEYS)}",
            [*path, unknown[0]],
            f"{field}.{unknown[0]}",
        )
    numbers: dict[str, float] = {}
    for key in ("low", "most_likely", "high"):
        if key not in value:
            continue
        if not _is_number(value[key]):
            raise error(
                f"risk {risk_id!r}: {key} must be a number, not {value[key]!r}",
                [*path, key],
                f"{field}.{key}",
            )
        numbers[key] = float(value[key])
    for key in ("low", "high"):
        if key not in numbers:
            raise error(f"risk {risk_id!r}: a range needs {key}", path, f"{field}.{key}")
    distribution_name = value.get("distribution", Distribution.PERT.value)
    try:
        distribution = Distribution(str(distribution_name).lower())
    except ValueError:
        raise error(
            f"risk {risk_id!r}: distribution must be one of {', '.join(d.value for d in Distribution)}",
            [*path, "distribution"],
            f"{field}.distribution",
        ) from None
    return Estimate(
        low=numbers["low"],
        most_likely=numbers.get("most_likely"),
        high=numbers["high"],
        distribution=distribution,
    )


def _is_number(value: Any) -> bool:
    """A finite int or float, or text YAML 1.1 leaves unparsed such as ``2e6``."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    return False


def _listing(keys: frozenset[str]) -> str:
    return ", ".join(sorted(keys))
