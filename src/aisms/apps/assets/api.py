"""API: the asset inventory (AI assets included), software components, dependencies, CSV/XLSX files."""

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets import selectors, services, tabular
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.config.api_imports import ImportOut, ImportRejectedOut
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action
from aisms.domain.assets import AssetKind, CiaValue, Classification

router = Router(tags=["assets"])

TIER_HELP = "Catalogue identifier of an EU AI Act risk tier, e.g. eu-ai-act:2024:high (empty: not assessed)."
BOOL_HELP = "true, false or null (unknown)."


class AssetRef(Schema):
    id: int
    name: str
    kind: AssetKind
    archived: bool


class ComponentOut(Schema):
    id: int
    vendor: str
    product: str
    version: str
    cpe: str = Field(description="CPE 2.3 formatted string, empty when unknown.")


class AssetOut(Schema):
    id: int
    name: str
    kind: AssetKind
    kind_label: str
    is_ai: bool
    description: str
    owner: str | None = Field(description="User name of the owner.")
    classification: Classification
    confidentiality: CiaValue
    integrity: CiaValue
    availability: CiaValue
    hosting: str
    supplier: str
    in_scope: bool
    ai_purpose: str
    model_type: str
    data_sources: str
    deployment: str
    learns_from_user_data: bool | None
    processes_personal_data: bool | None
    reads_untrusted_content: bool | None
    can_act: bool | None
    publicly_exposed: bool | None
    eu_ai_act_tier: str
    depends_on: list[AssetRef]
    dependents: list[AssetRef]
    components: list[ComponentOut]
    archived: bool
    created_at: datetime

    @staticmethod
    def resolve_owner(obj: Asset) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_kind_label(obj: Asset) -> str:
        return AssetKind(obj.kind).label

    @staticmethod
    def resolve_depends_on(obj: Asset) -> list[Asset]:
        return sorted(obj.depends_on.all(), key=lambda a: a.name)

    @staticmethod
    def resolve_dependents(obj: Asset) -> list[Asset]:
        return sorted(obj.dependents.all(), key=lambda a: a.name)

    @staticmethod
    def resolve_components(obj: Asset) -> list[SoftwareComponent]:
        return list(obj.components.all())


class AssetIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: AssetKind
    description: str = Field(default="", max_length=20_000)
    owner: str | None = Field(
        default=None, description="User name of the owner; when creating, omitted means you."
    )
    classification: Classification = Classification.INTERNAL
    confidentiality: CiaValue = CiaValue.MEDIUM
    integrity: CiaValue = CiaValue.MEDIUM
    availability: CiaValue = CiaValue.MEDIUM
    hosting: str = Field(default="", max_length=200, description="Location or hosting, e.g. 'AWS eu-west-1'.")
    supplier: str = Field(default="", max_length=200)
    in_scope: bool = True
    ai_purpose: str = Field(default="", max_length=20_000)
    model_type: str = Field(default="", max_length=200)
    data_sources: str = Field(default="", max_length=20_000)
    deployment: str = Field(default="", max_length=200)
    learns_from_user_data: bool | None = Field(default=None, description=BOOL_HELP)
    processes_personal_data: bool | None = Field(default=None, description=BOOL_HELP)
    reads_untrusted_content: bool | None = Field(default=None, description=BOOL_HELP)
    can_act: bool | None = Field(default=None, description=BOOL_HELP)
    publicly_exposed: bool | None = Field(default=None, description=BOOL_HELP)
    eu_ai_act_tier: str = Field(default="", max_length=40, description=TIER_HELP)
    depends_on: list[int] | None = Field(
        default=None, description="Ids of the assets this one depends on (null: leave as they are)."
    )


class AssetPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: AssetKind | None = None
    description: str | None = Field(default=None, max_length=20_000)
    owner: str | None = Field(default=None, description="User name of the owner; null: nobody.")
    classification: Classification | None = None
    confidentiality: CiaValue | None = None
    integrity: CiaValue | None = None
    availability: CiaValue | None = None
    hosting: str | None = Field(default=None, max_length=200)
    supplier: str | None = Field(default=None, max_length=200)
    in_scope: bool | None = None
    ai_purpose: str | None = Field(default=None, max_length=20_000)
    model_type: str | None = Field(default=None, max_length=200)
    data_sources: str | None = Field(default=None, max_length=20_000)
    deployment: str | None = Field(default=None, max_length=200)
    learns_from_user_data: bool | None = None
    processes_personal_data: bool | None = None
    reads_untrusted_content: bool | None = None
    can_act: bool | None = None
    publicly_exposed: bool | None = None
    eu_ai_act_tier: str | None = Field(default=None, max_length=40, description=TIER_HELP)
    depends_on: list[int] | None = None


class ComponentIn(Schema):
    vendor: str = Field(min_length=1, max_length=200)
    product: str = Field(min_length=1, max_length=200)
    version: str = Field(default="", max_length=100)
    cpe: str = Field(
        default="",
        max_length=500,
        description="CPE 2.3 formatted string, e.g. cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*",
    )


class DependenciesIn(Schema):
    depends_on: list[int] = Field(description="Ids of every asset this one depends on (replaces the list).")


class ReachOut(Schema):
    id: int
    name: str
    kind: AssetKind
    depth: int = Field(description="1: directly; 2: through one other asset; ...")


class GraphOut(Schema):
    id: int
    name: str
    depends_on: list[ReachOut]
    dependents: list[ReachOut]


class AssetFilter(Schema):
    kind: AssetKind | None = None
    ai: bool | None = Field(default=None, description="true: AI assets only; false: no AI assets.")
    owner: str | None = Field(default=None, description="User name, or 'none' for assets nobody owns.")
    classification: Classification | None = None
    in_scope: bool | None = None
    archived: bool = False
    q: str = Field(
        default="", description="Words found in the name, description, hosting, supplier or components."
    )
    sort: str = Field(
        default="name", description=f"One of {', '.join(selectors.SORTS)}; prefix '-' to reverse."
    )


class ExportFilter(AssetFilter):
    format: Literal["csv", "xlsx"] = "csv"


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _filtered(filters: AssetFilter) -> QuerySet[Asset]:
    def clean(text: str | None) -> str | None:
        return text.replace("\x00", "") if text is not None else None

    return selectors.inventory(
        kind=filters.kind.value if filters.kind else None,
        ai=filters.ai,
        owner=clean(filters.owner),
        classification=filters.classification.value if filters.classification else None,
        in_scope=filters.in_scope,
        archived=filters.archived,
        q=clean(filters.q) or "",
        sort=filters.sort,
    )


def _owner(username: str | None) -> User | None:
    if username is None:
        return None
    owner = User.objects.filter(username=username).first()
    if owner is None:
        raise ValidationError({"owner": f"no user named {username!r}"})
    return owner


def _assets(ids: list[int] | None) -> list[Asset] | None:
    if ids is None:
        return None
    found = Asset.objects.in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"depends_on": f"no asset with id {', '.join(missing)}"})
    return [found[i] for i in ids]


def _detail(asset_id: int) -> Asset:
    try:
        return selectors.asset_detail(asset_id)
    except Asset.DoesNotExist as exc:
        raise HttpError(404, "not found") from exc


@router.get("", response=list[AssetOut], summary="The asset inventory, filtered and sorted")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_assets(request: HttpRequest, filters: Query[AssetFilter]) -> Any:
    require(_actor(request), Action.VIEW)
    return _filtered(filters).prefetch_related("components", "depends_on", "dependents")


@router.get(
    "/export",
    summary="The inventory as a CSV or XLSX file (the import format)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, one asset per row",
                "content": {
                    tabular.CSV_CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}},
                    tabular.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export_assets(request: HttpRequest, filters: Query[ExportFilter]) -> HttpResponse:
    content = tabular.export_assets(_actor(request), _filtered(filters), filters.format)
    return tabular.file_response(content, filters.format)


@router.post(
    "/import",
    response={200: ImportOut, 400: ImportRejectedOut},
    summary="Create or update assets from a CSV or XLSX file; all or nothing",
)
def import_assets(request: HttpRequest, file: File[UploadedFile]) -> Status[Any]:
    require(_actor(request), Action.CREATE)
    if file.size is None or file.size > settings.AISMS_MAX_UPLOAD_BYTES:
        raise HttpError(413, f"file: larger than the {settings.AISMS_MAX_UPLOAD_BYTES} byte upload limit")
    filename = file.name or "upload"
    try:
        result = tabular.import_assets(_actor(request), file.read(), filename)
    except tabular.AssetImportError as exc:
        return Status(400, {"message": str(exc), "filename": exc.filename, "errors": exc.errors})
    return Status(200, result)


@router.get("/{int:asset_id}", response=AssetOut, summary="One asset with its components and dependencies")
def get_asset(request: HttpRequest, asset_id: int) -> Asset:
    require(_actor(request), Action.VIEW)
    return _detail(asset_id)


@router.get(
    "/{int:asset_id}/graph", response=GraphOut, summary="What the asset depends on and what depends on it"
)
def asset_graph(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    require(_actor(request), Action.VIEW)
    asset = get_object_or_404(Asset, pk=asset_id)
    graph = selectors.dependency_graph(asset)

    def reaches(items: list[selectors.Reach]) -> list[dict[str, Any]]:
        return [
            {"id": r.asset.pk, "name": r.asset.name, "kind": r.asset.kind, "depth": r.depth} for r in items
        ]

    return {
        "id": asset.pk,
        "name": asset.name,
        "depends_on": reaches(graph.depends_on),
        "dependents": reaches(graph.dependents),
    }


@router.post("", response={201: AssetOut}, summary="Add an asset")
def create_asset(request: HttpRequest, payload: AssetIn) -> Status[Asset]:
    actor = _actor(request)
    require(actor, Action.CREATE)
    values = payload.dict(exclude={"depends_on", "owner"})
    owner = _owner(payload.owner) if "owner" in payload.model_fields_set else actor
    asset = services.create_asset(actor, owner=owner, depends_on=_assets(payload.depends_on) or [], **values)
    return Status(201, _detail(asset.pk))


@router.put("/{int:asset_id}", response=AssetOut, summary="Replace an asset's fields")
def put_asset(request: HttpRequest, asset_id: int, payload: AssetIn) -> Asset:
    asset = get_object_or_404(Asset, pk=asset_id)
    services.require_edit(_actor(request), asset)
    values = payload.dict(exclude={"depends_on", "owner"})
    services.update_asset(
        _actor(request), asset, owner=_owner(payload.owner), depends_on=_assets(payload.depends_on), **values
    )
    return _detail(asset_id)


@router.patch("/{int:asset_id}", response=AssetOut, summary="Change some of an asset's fields")
def patch_asset(request: HttpRequest, asset_id: int, payload: AssetPatch) -> Asset:
    asset = get_object_or_404(Asset, pk=asset_id)
    services.require_edit(_actor(request), asset)
    values = payload.dict(exclude_unset=True, exclude={"depends_on"})
    if "owner" in values:
        values["owner"] = _owner(values["owner"])
    services.update_asset(_actor(request), asset, depends_on=_assets(payload.depends_on), **values)
    return _detail(asset_id)


@router.delete(
    "/{int:asset_id}", response=AssetOut, summary="Archive an asset (it is kept, with its history)"
)
def archive_asset(request: HttpRequest, asset_id: int) -> Asset:
    asset = get_object_or_404(Asset, pk=asset_id)
    services.archive_asset(_actor(request), asset)
    return _detail(asset_id)


@router.post("/{int:asset_id}/restore", response=AssetOut, summary="Bring an archived asset back")
def restore_asset(request: HttpRequest, asset_id: int) -> Asset:
    asset = get_object_or_404(Asset, pk=asset_id)
    services.restore_asset(_actor(request), asset)
    return _detail(asset_id)


@router.post("/{int:asset_id}/components", response={201: ComponentOut}, summary="Add a software component")
def add_component(request: HttpRequest, asset_id: int, payload: ComponentIn) -> Status[SoftwareComponent]:
    asset = get_object_or_404(Asset, pk=asset_id)
    return Status(201, services.add_component(_actor(request), asset, **payload.dict()))


@router.delete(
    "/{int:asset_id}/components/{int:component_id}",
    response=AssetOut,
    summary="Remove a software component; returns the asset",
)
def remove_component(request: HttpRequest, asset_id: int, component_id: int) -> Asset:
    component = get_object_or_404(SoftwareComponent, pk=component_id, asset_id=asset_id)
    services.remove_component(_actor(request), component)
    return _detail(asset_id)


@router.put(
    "/{int:asset_id}/dependencies",
    response=AssetOut,
    summary="Set what the asset depends on (self-dependencies and cycles are refused)",
)
def set_dependencies(request: HttpRequest, asset_id: int, payload: DependenciesIn) -> Asset:
    asset = get_object_or_404(Asset, pk=asset_id)
    services.require_edit(_actor(request), asset)
    services.set_dependencies(_actor(request), asset, _assets(payload.depends_on) or [])
    return _detail(asset_id)
