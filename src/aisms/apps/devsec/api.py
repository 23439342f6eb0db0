"""Secure coding API: the policy (read, new version, approve), repositories, scans (post a report from
`aisms scan` or a SARIF log; evidence for control 8.28) and findings (list, triage)."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.devsec import selectors, services
from aisms.apps.devsec.models import Finding, Repository, ScanRun, SecureCodingPolicy
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action
from aisms.domain.devsec.policy import PolicyError, summarise
from aisms.domain.devsec.tracking import Status as FindingStatus

router = Router(tags=["secure coding"])

StatusValue = Literal["open", "fixed", "accepted_risk", "false_positive"]


class PolicyVersionOut(Schema):
    id: int
    version: int
    name: str
    yaml: str
    sha256: str
    note: str
    created_by: str | None
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None

    @staticmethod
    def resolve_created_by(obj: SecureCodingPolicy) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_approved_by(obj: SecureCodingPolicy) -> str | None:
        return obj.approved_by.username if obj.approved_by else None


class PolicyOut(Schema):
    in_force: PolicyVersionOut | None = Field(
        description="Newest approved version; null: the default applies."
    )
    draft: PolicyVersionOut | None = Field(description="A newer version awaiting approval.")
    summary: list[tuple[str, str]]


class PolicyIn(Schema):
    yaml: str = Field(min_length=1, max_length=200_000)
    note: str = Field(default="", max_length=500)


class PolicyProblem(Schema):
    line: int | None
    field: str | None
    message: str


class PolicyRejected(Schema):
    message: str
    errors: list[PolicyProblem]


class RepositoryOut(Schema):
    id: int
    name: str
    url: str
    description: str
    classification: str
    owner: str | None
    asset: int | None
    open_findings: int
    latest_scan: int | None

    @staticmethod
    def resolve_owner(obj: Repository) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_asset(obj: Repository) -> int | None:
        return obj.asset_id

    @staticmethod
    def resolve_open_findings(obj: Repository) -> int:
        value = getattr(obj, "open_total", None)
        return value if value is not None else obj.findings.filter(status="open").count()

    @staticmethod
    def resolve_latest_scan(obj: Repository) -> int | None:
        if hasattr(obj, "latest_scan_id"):
            return obj.latest_scan_id  # type: ignore[no-any-return]
        latest = obj.scans.order_by("-scanned_at", "-pk").first()
        return latest.pk if latest else None


class RepositoryIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(default="", max_length=500)
    description: str = ""
    classification: str = Field(default="", max_length=40)
    owner: str | None = Field(default=None, description="User name of the owner.")
    asset: int | None = None


class RepositoryPatch(Schema):
    url: str | None = Field(default=None, max_length=500)
    description: str | None = None
    classification: str | None = Field(default=None, max_length=40)
    owner: str | None = None
    asset: int | None = None


class ScanOut(Schema):
    id: int
    repository: str
    scanned_at: datetime
    uploaded_at: datetime
    uploaded_by: str | None
    source: str
    commit: str
    branch: str
    assistants: list[str]
    tools: list[str]
    errors: int
    warnings: int
    notes: int
    new_findings: int
    fixed_findings: int
    policy_version: int | None
    policy_sha256: str
    control_uid: str

    @staticmethod
    def resolve_repository(obj: ScanRun) -> str:
        return obj.repository.name

    @staticmethod
    def resolve_uploaded_by(obj: ScanRun) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by else None

    @staticmethod
    def resolve_policy_version(obj: ScanRun) -> int | None:
        return obj.policy.version if obj.policy else None


class ScanDetailOut(ScanOut):
    result: dict[str, Any]


class DevsecFindingOut(Schema):
    id: int
    repository: str
    fingerprint: str
    tool: str
    rule_id: str
    rule_name: str
    category: str
    severity: str
    path: str
    line: int | None
    message: str
    status: str
    reason: str
    present: bool
    first_seen: int
    last_seen: int
    fixed_in: int | None

    @staticmethod
    def resolve_repository(obj: Finding) -> str:
        return obj.repository.name

    @staticmethod
    def resolve_first_seen(obj: Finding) -> int:
        return obj.first_seen_id

    @staticmethod
    def resolve_last_seen(obj: Finding) -> int:
        return obj.last_seen_id

    @staticmethod
    def resolve_fixed_in(obj: Finding) -> int | None:
        return obj.fixed_in_id


class DevsecFindingPatch(Schema):
    status: StatusValue
    reason: str = Field(default="", max_length=2000)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _policy_rejected(exc: PolicyError) -> Status[Any]:
    errors = [{"line": e.line, "field": e.field, "message": e.message} for e in exc.errors]
    return Status(400, {"message": str(exc), "errors": errors})


# --- policy --------------------------------------------------------------------------------------------


@router.get(
    "/policy", response=PolicyOut, summary="The policy for AI coding assistants in force, and any draft"
)
def get_policy(request: HttpRequest) -> dict[str, Any]:
    require(_actor(request), Action.VIEW)
    state = selectors.policy_state()
    return {"in_force": state.in_force, "draft": state.draft, "summary": list(summarise(state.parsed).lines)}


@router.get("/policy/versions", response=list[PolicyVersionOut], summary="Every version of the policy")
def list_policy_versions(request: HttpRequest) -> Any:
    require(_actor(request), Action.VIEW)
    return selectors.policy_versions()


@router.put(
    "/policy",
    response={201: PolicyVersionOut, 400: PolicyRejected},
    summary="Save the policy as a new version (to be approved); 400 lists every problem with its line",
)
def put_policy(request: HttpRequest, payload: PolicyIn) -> Status[Any]:
    try:
        return Status(201, services.save_policy(_actor(request), payload.yaml, payload.note))
    except PolicyError as exc:
        return _policy_rejected(exc)


@router.post(
    "/policy/versions/{int:version}/approve", response=PolicyVersionOut, summary="Approve a policy version"
)
def approve_policy(request: HttpRequest, version: int) -> SecureCodingPolicy:
    require(_actor(request), Action.APPROVE)
    return services.approve_policy(_actor(request), get_object_or_404(SecureCodingPolicy, version=version))


# --- repositories --------------------------------------------------------------------------------------


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    owner = User.objects.filter(username=username).first()
    if owner is None:
        raise ValidationError({"owner": f"no user named {username!r}"})
    return owner


def _asset(asset_id: int | None) -> Asset | None:
    if asset_id is None:
        return None
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise ValidationError({"asset": f"no asset with id {asset_id}"})
    return asset


@router.get("/repositories", response=list[RepositoryOut], summary="Repositories with their open findings")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_repositories(request: HttpRequest) -> Any:
    require(_actor(request), Action.VIEW)
    return selectors.repositories()


@router.post("/repositories", response={201: RepositoryOut}, summary="Add a repository")
def create_repository(request: HttpRequest, payload: RepositoryIn) -> Status[Repository]:
    require(_actor(request), Action.CREATE)
    values = payload.dict(exclude={"owner", "asset"})
    if Repository.objects.filter(name=values["name"].strip()).exists():
        raise ValidationError({"name": "a repository with this name already exists"})
    repository = services.create_repository(
        _actor(request), owner=_owner(payload.owner), asset=_asset(payload.asset), **values
    )
    return Status(201, repository)


@router.get("/repositories/{int:repository_id}", response=RepositoryOut, summary="One repository")
def get_repository(request: HttpRequest, repository_id: int) -> Repository:
    require(_actor(request), Action.VIEW)
    return get_object_or_404(selectors.repositories(), pk=repository_id)


@router.patch("/repositories/{int:repository_id}", response=RepositoryOut, summary="Change a repository")
def patch_repository(request: HttpRequest, repository_id: int, payload: RepositoryPatch) -> Repository:
    require(_actor(request), Action.EDIT)
    repository = get_object_or_404(Repository, pk=repository_id)
    values = payload.dict(exclude_unset=True)
    if "owner" in values:
        values["owner"] = _owner(values["owner"])
    if "asset" in values:
        values["asset"] = _asset(values["asset"])
    services.update_repository(_actor(request), repository, **values)
    return get_object_or_404(selectors.repositories(), pk=repository_id)


# --- scans ---------------------------------------------------------------------------------------------


@router.get("/scans", response=list[ScanOut], summary="Scans, newest first (evidence for control 8.28)")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_scans(request: HttpRequest, repository: int | None = None) -> Any:
    require(_actor(request), Action.VIEW)
    rows = selectors.scans()
    return rows.filter(repository_id=repository) if repository is not None else rows


@router.get("/scans/{int:scan_id}", response=ScanDetailOut, summary="One scan with the report as received")
def get_scan(request: HttpRequest, scan_id: int) -> ScanRun:
    require(_actor(request), Action.VIEW)
    return get_object_or_404(
        ScanRun.objects.select_related("repository", "uploaded_by", "policy"), pk=scan_id
    )


@router.post(
    "/scans",
    response={201: ScanOut},
    summary="Record a scan: the JSON of `aisms scan --format json`, or a SARIF 2.1.0 log (then name the "
    "repository); findings are carried across scans by fingerprint",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}
    },
)
def post_scan(request: HttpRequest, repository: str = "", commit: str = "") -> Status[ScanRun]:
    actor = _actor(request)
    require(actor, Action.CREATE)
    if len(request.body) > services.max_report_bytes():
        raise HttpError(413, f"body: larger than the {services.max_report_bytes()} byte limit")
    try:
        uploaded, source = services.parse_upload(
            request.body, "request body", repository_name=repository[:200], commit=commit[:64]
        )
    except services.ScanUploadError as exc:
        raise HttpError(400, str(exc)) from exc
    run = services.record_scan(actor, uploaded, source="cli" if source == "upload" else source)
    return Status(201, run)


# --- findings ------------------------------------------------------------------------------------------


@router.get("/findings", response=list[DevsecFindingOut], summary="Findings, with filters")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_findings(
    request: HttpRequest,
    repository: int | None = None,
    status: StatusValue | None = None,
    severity: Literal["error", "warning", "note"] | None = None,
    tool: str = "",
    q: str = "",
) -> Any:
    require(_actor(request), Action.VIEW)
    repo = get_object_or_404(Repository, pk=repository) if repository is not None else None
    return selectors.findings(
        repository=repo,
        status=status or "",
        severity=severity or "",
        tool=tool[:100].replace("\x00", ""),
        q=q[:200].replace("\x00", ""),
    )


@router.get("/findings/{int:finding_id}", response=DevsecFindingOut, summary="One finding")
def get_finding(request: HttpRequest, finding_id: int) -> Finding:
    require(_actor(request), Action.VIEW)
    return get_object_or_404(Finding.objects.select_related("repository"), pk=finding_id)


@router.patch(
    "/findings/{int:finding_id}",
    response=DevsecFindingOut,
    summary="Triage a finding: open, fixed, accepted_risk (needs approval rights) or false_positive, "
    "with a reason",
)
def patch_finding(request: HttpRequest, finding_id: int, payload: DevsecFindingPatch) -> Finding:
    require(_actor(request), Action.EDIT)
    finding = get_object_or_404(Finding.objects.select_related("repository"), pk=finding_id)
    return services.set_finding_status(
        _actor(request), finding, FindingStatus(payload.status), payload.reason
    )
