"""Writes to the asset inventory: create, update, archive, software components, dependencies.

Every write checks the access policy (contributors change only the assets they own), runs in one
transaction and records who made it in the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets import selectors
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.domain.access import Action, Role, can, can_on_object
from aisms.domain.asset_table import ASSET_FIELDS, normalise_text
from aisms.domain.assets import find_path, is_cpe23

EDITABLE = ASSET_FIELDS
CPE_HELP = "cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other"


# --- who may do what -----------------------------------------------------------------------------------


def _role(user: User | None) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Role(user.role)


def may_create(user: User | None) -> bool:
    return can(_role(user), Action.CREATE)


def may_edit(user: User | None, asset: Asset) -> bool:
    """Whether the user may change this asset (contributors: only assets they own)."""
    is_owner = user is not None and asset.owner_id is not None and asset.owner_id == user.pk
    return can_on_object(_role(user), Action.EDIT, is_owner=is_owner)


def may_archive(user: User | None) -> bool:
    return can(_role(user), Action.DELETE)


def require_edit(actor: User | None, asset: Asset) -> None:
    """Raise PermissionDenied unless the actor may change the asset (None: the system itself)."""
    if actor is None:
        return
    require(actor, Action.EDIT)
    if not may_edit(actor, asset):
        raise PermissionDenied("your role may not edit assets owned by someone else")


# --- validation ----------------------------------------------------------------------------------------


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values for the model: text stripped, enum members as their values, the EU AI Act tier checked."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not an asset field"))
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        plain = value.value if isinstance(value, StrEnum) else value
        cleaned[name] = normalise_text(plain) if isinstance(plain, str) else plain
    if "name" in cleaned and not cleaned["name"]:
        raise ValidationError({"name": "an asset needs a name"})
    tier = cleaned.get("eu_ai_act_tier")
    if tier:
        tiers = selectors.eu_ai_act_tiers()
        if tier not in tiers:
            raise ValidationError(
                {
                    "eu_ai_act_tier": f"{tier!r} is not an EU AI Act risk tier of the catalogue; "
                    f"use one of: {', '.join(tiers)}"
                }
            )
    return cleaned


def check_cpe(cpe: str, field: str = "cpe") -> None:
    if cpe and not is_cpe23(cpe):
        raise ValidationError({field: f"{cpe!r} is not a CPE 2.3 name ({CPE_HELP})"})


def dependency_cycle(asset: Asset, targets: Iterable[Asset]) -> list[Asset] | None:
    """The cycle that making asset depend on targets would close (asset ... asset), or None."""
    graph = selectors.dependency_edges()
    graph[asset.pk] = [t.pk for t in targets]
    for target in graph[asset.pk]:
        path = find_path(graph, target, asset.pk)
        if path is not None:
            names = Asset.objects.in_bulk(path)
            return [asset, *(names[pk] for pk in path)]
    return None


def check_dependencies(asset: Asset, targets: Iterable[Asset]) -> list[Asset]:
    targets = list(dict.fromkeys(targets))
    if any(t.pk == asset.pk for t in targets):
        raise ValidationError({"depends_on": "an asset cannot depend on itself"})
    cycle = dependency_cycle(asset, targets)
    if cycle is not None:
        raise ValidationError({"depends_on": f"dependency cycle: {' → '.join(a.name for a in cycle)}"})
    return targets


def _check_unique_name(name: str, asset: Asset | None) -> None:
    clash = Asset.objects.filter(name=name)
    if asset is not None and asset.pk is not None:
        clash = clash.exclude(pk=asset.pk)
    if clash.exists():
        raise ValidationError({"name": f"an asset named {name!r} already exists"})


def save_asset(asset: Asset, actor: User | None) -> None:
    """Validate and save, recording the actor in the history."""
    if actor is not None:
        asset._history_user = actor  # type: ignore[attr-defined]
    asset.full_clean(validate_unique=False)
    asset.save()


def replace_dependencies(asset: Asset, targets: list[Asset]) -> bool:
    """Replace the asset's dependencies without a history record per change; True when they changed."""
    current = set(asset.depends_on.values_list("pk", flat=True))
    if current == {t.pk for t in targets}:
        return False
    asset.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        asset.depends_on.set(targets)
    finally:
        del asset.skip_history_when_saving  # type: ignore[attr-defined]
    return True


# --- writes --------------------------------------------------------------------------------------------


def create_asset(actor: User | None, *, depends_on: Iterable[Asset] = (), **values: Any) -> Asset:
    """Add an asset. actor None is the system (demo, CLI)."""
    if actor is not None:
        require(actor, Action.CREATE)
    cleaned = clean_values(values)
    if "name" not in cleaned or "kind" not in cleaned:
        raise ValidationError({"name" if "name" not in cleaned else "kind": "required"})
    with transaction.atomic():
        _check_unique_name(cleaned["name"], None)
        asset = Asset(**cleaned)
        save_asset(asset, actor)
        targets = check_dependencies(asset, depends_on)
        if replace_dependencies(asset, targets):
            save_asset(asset, actor)  # one record of the dependencies
    return asset


def update_asset(
    actor: User | None, asset: Asset, *, depends_on: Iterable[Asset] | None = None, **values: Any
) -> Asset:
    """Change some fields (and, when given, the whole list of dependencies) in one history record."""
    require_edit(actor, asset)
    cleaned = clean_values(values)
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        if "name" in cleaned:
            _check_unique_name(cleaned["name"], asset)
        changed = any(getattr(asset, k) != v for k, v in cleaned.items())
        for name, value in cleaned.items():
            setattr(asset, name, value)
        if depends_on is not None:
            targets = check_dependencies(asset, depends_on)
            changed = replace_dependencies(asset, targets) or changed
        if changed:
            save_asset(asset, actor)
    return asset


def set_dependencies(actor: User | None, asset: Asset, depends_on: Iterable[Asset]) -> Asset:
    """Replace what the asset depends on; refuses self-dependencies and cycles (naming the cycle)."""
    return update_asset(actor, asset, depends_on=depends_on)


def archive_asset(actor: User | None, asset: Asset) -> Asset:
    """Take an asset out of the inventory; it stays in the database and its history (never deleted)."""
    return _set_archived(actor, asset, archived=True)


def restore_asset(actor: User | None, asset: Asset) -> Asset:
    return _set_archived(actor, asset, archived=False)


def _set_archived(actor: User | None, asset: Asset, *, archived: bool) -> Asset:
    if actor is not None:
        require(actor, Action.DELETE)
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        if asset.archived != archived:
            asset.archived = archived
            save_asset(asset, actor)
    return asset


def add_component(
    actor: User | None, asset: Asset, *, vendor: str, product: str, version: str = "", cpe: str = ""
) -> SoftwareComponent:
    """Record a software component (vendor, product, version, CPE 2.3 name where known) of the asset."""
    require_edit(actor, asset)
    vendor, product, version, cpe = (normalise_text(v) for v in (vendor, product, version, cpe))
    if not vendor:
        raise ValidationError({"vendor": "a component needs a vendor"})
    if not product:
        raise ValidationError({"product": "a component needs a product"})
    check_cpe(cpe)
    component = SoftwareComponent(asset=asset, vendor=vendor, product=product, version=version, cpe=cpe)
    with transaction.atomic():
        if actor is not None:
            component._history_user = actor  # type: ignore[attr-defined]
        component.full_clean()
        component.save()
    return component


def remove_component(actor: User | None, component: SoftwareComponent) -> None:
    require_edit(actor, component.asset)
    with transaction.atomic():
        if actor is not None:
            component._history_user = actor  # type: ignore[attr-defined]
        component.delete()
