"""Writes to the supplier register: suppliers, their services, data shared, certifications,
sub-processors, contract clauses, linked assets, the review policy and review dates.

Every write checks the access policy, runs in one transaction and records who made it. Contributors may
edit only suppliers they own. actor None is the system (demo, CLI, jobs)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.jobs.services import ensure_schedule
from aisms.apps.suppliers.models import (
    Certification,
    ContractClause,
    DataShared,
    ReviewPolicy,
    SubProcessor,
    Supplier,
    SupplierService,
)
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.suppliers.clauses import CLAUSE_KEYS
from aisms.domain.suppliers.schedule import ReviewIntervals, Tier, next_review_due

SUPPLIER_FIELDS = (
    "name",
    "description",
    "website",
    "status",
    "tier",
    "owner",
    "contact_name",
    "contact_email",
    "contract_reference",
    "contract_start",
    "contract_end",
    "uses_ai_on_our_data",
    "trains_on_our_data",
    "model_providers",
    "processing_locations",
    "storage_locations",
    "model_change_notification",
    "ai_notes",
    "onboarded_on",
)

# kind -> (model, fields a caller may set)
CHILDREN: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "services": (SupplierService, ("name", "kind", "description")),
    "data": (DataShared, ("category", "classification", "personal_data", "special_category", "description")),
    "certifications": (Certification, ("kind", "name", "scope", "issued_on", "expires_on", "evidence")),
    "subprocessors": (SubProcessor, ("name", "purpose", "location", "uses_ai")),
}
REMINDER_SCHEDULE_KEY = "suppliers.review-reminders"


def _check(actor: User | None, action: Action, supplier: Supplier | None = None) -> None:
    if actor is None:
        return
    require(actor, action)
    if supplier is not None and not can_on_object(
        Role(actor.role), action, is_owner=supplier.owner_id == actor.pk
    ):
        raise PermissionDenied(f"only the supplier's owner may {action.value} {supplier.name}")


def _save(obj: models.Model, actor: User | None) -> None:
    if actor is not None:
        obj._history_user = actor  # type: ignore[attr-defined]  # simple_history reads it
    obj.full_clean()
    obj.save()


def _clean(values: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "not a field you can set"})
    out = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    if "model_providers" in out:
        providers = out["model_providers"] or []
        if not isinstance(providers, list) or not all(isinstance(p, str) for p in providers):
            raise ValidationError({"model_providers": "a list of names"})
        out["model_providers"] = [p.strip() for p in providers if p.strip()][:50]
    return out


# ------------------------------------------------------------------ review policy and dates


def review_policy() -> ReviewPolicy:
    policy = ReviewPolicy.objects.order_by("pk").first()
    if policy is None:
        policy = ReviewPolicy.objects.create()
    return policy


def intervals(policy: ReviewPolicy | None = None) -> ReviewIntervals:
    policy = policy or review_policy()
    return ReviewIntervals(
        tier1_months=policy.tier1_months,
        tier2_months=policy.tier2_months,
        tier3_months=policy.tier3_months,
        reminder_days=policy.reminder_days,
    )


def update_review_policy(actor: User | None, **values: int) -> ReviewPolicy:
    _check(actor, Action.MANAGE_ORGANISATION)
    for name, value in values.items():
        if name not in {"tier1_months", "tier2_months", "tier3_months", "reminder_days"}:
            raise ValidationError({name: "not a field you can set"})
        if not isinstance(value, int) or not (1 if name != "reminder_days" else 0) <= value <= 120:
            raise ValidationError({name: "a whole number from 1 to 120"})
    with transaction.atomic():
        policy = review_policy()
        for name, value in values.items():
            setattr(policy, name, value)
        _save(policy, actor)
        recompute_review_dates(None)
    return policy


def _due(supplier: Supplier, schedule: ReviewIntervals) -> date:
    return next_review_due(
        Tier(supplier.tier),
        last_review=supplier.last_reviewed_on,
        onboarded=supplier.onboarded_on,
        intervals=schedule,
    )


def recompute_review_dates(actor: User | None) -> int:
    """Bring every supplier's next review date in line with the policy; how many changed."""
    schedule = intervals()
    changed = []
    for supplier in Supplier.objects.all():
        due = _due(supplier, schedule)
        if supplier.next_review_due != due:
            supplier.next_review_due = due
            changed.append(supplier)
    Supplier.objects.bulk_update(changed, ["next_review_due"])
    return len(changed)


def ensure_reminder_schedule() -> None:
    """A daily job that reminds owners of reviews coming due (idempotent)."""
    ensure_schedule(
        REMINDER_SCHEDULE_KEY,
        "suppliers.send_review_reminders",
        every=timedelta(days=1),
        title="Supplier review reminders",
    )


# ------------------------------------------------------------------ suppliers


def create_supplier(actor: User | None, *, assets: list[Asset] | None = None, **values: Any) -> Supplier:
    _check(actor, Action.CREATE)
    values = _clean(values, SUPPLIER_FIELDS)
    if "tier" in values and values["tier"] not in {t.value for t in Tier}:
        raise ValidationError({"tier": "1, 2 or 3"})
    with transaction.atomic():
        supplier = Supplier(**values)
        if actor is not None and supplier.owner is None:
            supplier.owner = actor
        supplier.next_review_due = _due(supplier, intervals())
        _save(supplier, actor)
        if assets:
            supplier.assets.set(assets)
        ensure_reminder_schedule()
    return supplier


def update_supplier(
    actor: User | None, supplier: Supplier, *, assets: list[Asset] | None = None, **values: Any
) -> Supplier:
    _check(actor, Action.EDIT, supplier)
    values = _clean(values, SUPPLIER_FIELDS)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        for name, value in values.items():
            setattr(supplier, name, value)
        supplier.next_review_due = _due(supplier, intervals())
        _save(supplier, actor)
        if assets is not None and set(supplier.assets.values_list("pk", flat=True)) != {a.pk for a in assets}:
            supplier.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple_history flag
            try:
                supplier.assets.set(assets)
            finally:
                del supplier.skip_history_when_saving  # type: ignore[attr-defined]  # simple_history flag
            _save(supplier, actor)  # one history record with the new assets
    return supplier


def delete_supplier(actor: User | None, supplier: Supplier) -> None:
    _check(actor, Action.DELETE)
    with transaction.atomic():
        if actor is not None:
            supplier._history_user = actor  # type: ignore[attr-defined]  # simple_history reads it
        supplier.delete()


def mark_reviewed(actor: User | None, supplier: Supplier, on: date) -> Supplier:
    """Record a completed review; the next one moves out by the tier's interval."""
    _check(actor, Action.EDIT, supplier)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        supplier.last_reviewed_on = on
        supplier.next_review_due = _due(supplier, intervals())
        _save(supplier, actor)
    return supplier


# ------------------------------------------------------------ services, data, certifications, sub-processors


def add_child(actor: User | None, supplier: Supplier, what: str, /, **values: Any) -> models.Model:
    """Add a service, data shared, certification or sub-processor (``what`` is a key of CHILDREN)."""
    model, fields = CHILDREN[what]
    _check(actor, Action.EDIT, supplier)
    values = _clean(values, fields)
    with transaction.atomic():
        obj = model(supplier=supplier, **values)
        _save(obj, actor)
    return obj


def update_child(actor: User | None, obj: models.Model, what: str, /, **values: Any) -> models.Model:
    _model, fields = CHILDREN[what]
    _check(actor, Action.EDIT, obj.supplier)  # type: ignore[attr-defined]  # every child has one
    values = _clean(values, fields)
    with transaction.atomic():
        for name, value in values.items():
            setattr(obj, name, value)
        _save(obj, actor)
    return obj


def delete_child(actor: User | None, obj: models.Model) -> None:
    _check(actor, Action.EDIT, obj.supplier)  # type: ignore[attr-defined]  # every child has one
    with transaction.atomic():
        if actor is not None:
            obj._history_user = actor  # type: ignore[attr-defined]  # simple_history reads it
        obj.delete()


# ------------------------------------------------------------------ contract clauses


def set_clause(
    actor: User | None,
    supplier: Supplier,
    key: str,
    *,
    status: str,
    reference: str = "",
    notification_hours: int | None = None,
    notes: str = "",
) -> ContractClause:
    """Record whether the contract has the clause (one row per supplier and clause)."""
    _check(actor, Action.EDIT, supplier)
    if key not in CLAUSE_KEYS:
        raise ValidationError({"key": f"unknown clause {key!r}"})
    with transaction.atomic():
        clause = ContractClause.objects.filter(supplier=supplier, key=key).first() or ContractClause(
            supplier=supplier, key=key
        )
        clause.status = status
        clause.reference = reference.strip()
        clause.notification_hours = notification_hours
        clause.notes = notes.strip()
        _save(clause, actor)
    return clause


def record_assessment_review(supplier: Supplier, on: date, actor: User | None) -> None:
    """A scored assessment counts as the supplier's review (called inside the scoring transaction)."""
    supplier.last_reviewed_on = on
    supplier.next_review_due = _due(supplier, intervals())
    _save(supplier, actor)


def today() -> date:
    return timezone.localdate()
