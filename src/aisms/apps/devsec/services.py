"""Writes for secure coding: policy versions and their approval, repositories, recording scans (with the
findings carried across scans) and changing a finding's status. Every write checks the access policy and
runs in one transaction; actor None is the system (demo, CLI)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.devsec.models import CONTROL_UID, Finding, Repository, ScanRun, SecureCodingPolicy
from aisms.catalogue.errors import CatalogueError
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.devsec.findings import counts
from aisms.domain.devsec.policy import PolicyError, parse_policy
from aisms.domain.devsec.report import ReportError, UploadedScan, from_json, from_sarif
from aisms.domain.devsec.sarif_import import MAX_SARIF_BYTES, SarifImportError, parse_sarif
from aisms.domain.devsec.scanner import ScanTarget
from aisms.domain.devsec.tracking import Status, Tracked, check_transition, reconcile


def _check(actor: User | None, action: Action, *, is_owner: bool = True) -> None:
    if actor is None:
        return
    require(actor, action)
    if not can_on_object(Role(actor.role), action, is_owner=is_owner):
        raise PermissionDenied(f"your role may {action.value} only what you own")


def _save(obj: models.Model, actor: User | None) -> None:
    if actor is not None:
        obj._history_user = actor  # type: ignore[attr-defined]
    obj.full_clean(validate_unique=True)
    obj.save()


# --- policy --------------------------------------------------------------------------------------------


def save_policy(actor: User | None, text: str, note: str = "") -> SecureCodingPolicy:
    """A new policy version (unapproved). Raises PolicyError with every problem and its line."""
    _check(actor, Action.EDIT, is_owner=False)
    policy = parse_policy(text, "policy.yaml")
    with transaction.atomic():
        latest = SecureCodingPolicy.objects.select_for_update().order_by("-version").first()
        if latest is not None and latest.sha256 == policy.sha256:
            raise PolicyError("policy.yaml", [_unchanged()])
        version = SecureCodingPolicy(
            version=(latest.version + 1) if latest else 1,
            name=policy.name,
            yaml=text,
            sha256=policy.sha256,
            note=note.strip()[:500],
            created_by=actor,
        )
        _save(version, actor)
    return version


def _unchanged() -> CatalogueError:
    return CatalogueError("policy.yaml", "the text is the same as the latest version")


def approve_policy(actor: User | None, version: SecureCodingPolicy) -> SecureCodingPolicy:
    """Approve a version: it becomes the policy in force (the newest approved version)."""
    _check(actor, Action.APPROVE, is_owner=False)
    with transaction.atomic():
        version = SecureCodingPolicy.objects.select_for_update().get(pk=version.pk)
        if version.approved_at is not None:
            raise ValidationError({"version": f"version {version.version} is already approved"})
        newer = SecureCodingPolicy.objects.filter(version__gt=version.version, approved_at__isnull=False)
        if newer.exists():
            raise ValidationError({"version": "a newer version is already approved"})
        version.approved_by = actor
        version.approved_at = timezone.now()
        _save(version, actor)
    return version


# --- repositories --------------------------------------------------------------------------------------


def create_repository(actor: User | None, **values: Any) -> Repository:
    _check(actor, Action.CREATE)
    with transaction.atomic():
        repository = Repository(**{k: v.strip() if isinstance(v, str) else v for k, v in values.items()})
        if actor is not None and repository.owner is None and actor.role == Role.CONTRIBUTOR:
            repository.owner = actor
        _save(repository, actor)
    return repository


def update_repository(actor: User | None, repository: Repository, **values: Any) -> Repository:
    _check(actor, Action.EDIT, is_owner=actor is not None and repository.owner_id == actor.pk)
    with transaction.atomic():
        repository = Repository.objects.select_for_update().get(pk=repository.pk)
        for name, value in values.items():
            setattr(repository, name, value.strip() if isinstance(value, str) else value)
        _save(repository, actor)
    return repository


# --- scans ---------------------------------------------------------------------------------------------


def _finding_values(finding: Any) -> dict[str, Any]:
    return {
        "tool": finding.tool,
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name[:300],
        "category": finding.category[:50],
        "severity": finding.severity.value,
        "path": finding.path[:500],
        "line": finding.line,
        "message": finding.message,
    }


def record_scan(
    actor: User | None,
    scan: UploadedScan,
    *,
    repository: Repository | None = None,
    source: str = "cli",
) -> ScanRun:
    """Store a scan as evidence for control 8.28 and carry the repository's findings forward."""
    _check(actor, Action.CREATE)
    now = timezone.now()
    with transaction.atomic():
        if repository is None:
            repository = Repository.objects.filter(name=scan.target.name).first()
        if repository is None:
            repository = create_repository(
                actor, name=scan.target.name, url=scan.target.url, classification=scan.target.classification
            )
        repository = Repository.objects.select_for_update().get(pk=repository.pk)
        total = counts(scan.findings)
        run = ScanRun(
            repository=repository,
            scanned_at=scan.scanned_at,
            uploaded_at=now,
            uploaded_by=actor,
            source=source,
            commit=scan.target.commit,
            branch=scan.target.branch[:200],
            assistants=list(scan.tools),
            tools=list(scan.sources),
            errors=total["error"],
            warnings=total["warning"],
            notes=total["note"],
            policy=SecureCodingPolicy.objects.filter(sha256=scan.policy_sha256).first()
            if scan.policy_sha256
            else None,
            policy_name=scan.policy_name,
            policy_sha256=scan.policy_sha256,
            control_uid=CONTROL_UID,
            result=scan.raw,
        )
        _save(run, actor)
        existing = {f.fingerprint: f for f in Finding.objects.filter(repository=repository)}
        plan = reconcile(
            (Tracked(f.fingerprint, f.tool, Status(f.status), f.present) for f in existing.values()),
            (f.fingerprint for f in scan.findings),
            scan.sources,
        )
        by_print = {f.fingerprint: f for f in scan.findings}
        bulk_create_with_history(
            [
                Finding(
                    repository=repository,
                    fingerprint=fp,
                    first_seen=run,
                    last_seen=run,
                    **_finding_values(by_print[fp]),
                )
                for fp in plan.new
            ],
            Finding,
            default_user=actor,
        )
        unchanged = []
        for fp in plan.still_present + plan.reopened:
            row = existing[fp]
            values = _finding_values(by_print[fp])
            if (
                fp not in plan.reopened
                and row.present
                and all(getattr(row, k) == v for k, v in values.items())
            ):
                unchanged.append(row.pk)  # only last_seen moves: one set-based update, no history noise
                continue
            for name, value in values.items():
                setattr(row, name, value)
            row.last_seen = run
            row.present = True
            if fp in plan.reopened:
                row.status = Status.OPEN.value
                row.fixed_in = None
                row.reason = ""
            _save(row, actor)
        Finding.objects.filter(pk__in=unchanged).update(last_seen=run)
        for fp in plan.fixed:
            row = existing[fp]
            row.status = Status.FIXED.value
            row.fixed_in = run
            row.present = False
            _save(row, actor)
        for fp in plan.gone_triaged:
            row = existing[fp]
            row.present = False
            _save(row, actor)
        run.new_findings = len(plan.new)
        run.fixed_findings = len(plan.fixed)
        run.skip_history_when_saving = True  # type: ignore[attr-defined]
        run.save(update_fields=["new_findings", "fixed_findings"])
    return run


def set_finding_status(actor: User | None, finding: Finding, status: Status, reason: str = "") -> Finding:
    """A person triages a finding. Accepting a risk is a sign-off (APPROVE); other changes need EDIT, for a
    contributor only on repositories they own."""
    is_owner = actor is not None and finding.repository.owner_id == actor.pk
    _check(actor, Action.APPROVE if status == Status.ACCEPTED_RISK else Action.EDIT, is_owner=is_owner)
    problem = check_transition(status, reason)
    if problem:
        raise ValidationError({"reason": problem})
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        finding.status = status.value
        finding.reason = reason.strip() if status != Status.OPEN else ""
        finding.status_changed_by = actor
        finding.status_changed_at = timezone.now()
        _save(finding, actor)
    return finding


# --- uploads -------------------------------------------------------------------------------------------


class ScanUploadError(ValueError):
    """An uploaded report refused as a whole; the message names the file and where the problem is."""


def max_report_bytes() -> int:
    return min(settings.AISMS_MAX_UPLOAD_BYTES, MAX_SARIF_BYTES)


def parse_upload(
    data: bytes, filename: str, *, repository_name: str = "", commit: str = "", now: Any = None
) -> tuple[UploadedScan, str]:
    """An uploaded file (aisms JSON report or a SARIF 2.1.0 log) as a scan, and its source kind."""
    if len(data) > max_report_bytes():
        raise ScanUploadError(f"{filename}: larger than the {max_report_bytes()} byte limit")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise ScanUploadError(f"{filename}: not valid JSON: {exc}") from exc
    if isinstance(document, dict) and "runs" in document and "schema" not in document:
        name = repository_name.strip()
        if not name:
            raise ScanUploadError(f"{filename}: name the repository this SARIF log belongs to")
        try:
            log = parse_sarif(data, filename)
        except SarifImportError as exc:
            raise ScanUploadError(str(exc)) from exc
        target = ScanTarget(name=name[:200], commit=commit.strip()[:64])
        return from_sarif(log, target, now or timezone.now()), "sarif"
    try:
        scan = from_json(document)
    except ReportError as exc:
        raise ScanUploadError(f"{filename}: {exc}") from exc
    if repository_name.strip():
        scan = replace(scan, target=replace(scan.target, name=repository_name.strip()[:200]))
    if commit.strip():
        scan = replace(scan, target=replace(scan.target, commit=commit.strip()[:64]))
    return scan, "upload"
