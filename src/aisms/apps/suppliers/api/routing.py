"""The supplier router that every endpoint module registers on, and the look-ups they share."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.apps.suppliers.models import (
    Assessment,
    Supplier,
)

router = Router(tags=["suppliers"])


def actor_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]  # set by our auth classes


def user_named(name: str | None) -> User | None:
    if name is None:
        return None
    user = User.objects.filter(username=name).first()
    if user is None:
        raise ValidationError({"owner": f"no user named {name!r}"})
    return user


def assets_by_id(ids: list[int]) -> list[Asset]:
    found = Asset.objects.in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"assets": f"no asset with id {', '.join(missing)}"})
    return [found[i] for i in ids]


def supplier_or_404(supplier_id: int) -> Supplier:
    return get_object_or_404(Supplier.objects.select_related("owner"), pk=supplier_id)


def assessment_or_404(assessment_id: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("supplier", "template_version__template"), pk=assessment_id
    )
