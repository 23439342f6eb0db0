"""Change history of register objects (who, when, what) for the UI and the API.

Each app registers the models whose history people may read, under a short stable key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    EffectivenessReview,
    ManagementReview,
    Nonconformity,
    ReviewDecision,
)
from aisms.apps.audits.models import Finding as AuditFinding
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueSource
from aisms.apps.compliance.models import (
    Document,
    DocumentVersion,
    EvidenceItem,
    EvidenceRevision,
    Objective,
    ObjectiveMeasurement,
    Obligation,
    Regulation,
)
from aisms.apps.context.models import (
    InterestedParty,
    IsmsScope,
    Organisation,
    PartyRequirement,
    PestelIssue,
    ScopeVersion,
)
from aisms.apps.controls.models import ControlImplementation, SoAVersion
from aisms.apps.devsec.models import Finding as CodeFinding
from aisms.apps.devsec.models import Repository, ScanRun, SecureCodingPolicy
from aisms.apps.intel.models import IntelItem, IntelSource, Vulnerability
from aisms.apps.people.models import (
    Competence,
    Completion,
    JobRole,
    ModuleAssignment,
    Person,
    RoleCompetence,
    TrainingModule,
)
from aisms.apps.posture.models import AssetIntelMatch, EmergingThreat, Proposal
from aisms.apps.risks.models import Risk, RiskMethodVersion, TreatmentAction
from aisms.apps.suppliers.models import (
    Answer,
    Assessment,
    Certification,
    ContractClause,
    DataShared,
    Finding,
    QuestionnaireTemplate,
    ReviewPolicy,
    SubProcessor,
    Supplier,
    SupplierService,
    TemplateVersion,
)
from aisms.apps.threatmodels.models import OrgRuleSet, ThreatDecision, ThreatModel, ThreatModelVersion

HISTORY_MODELS: dict[str, type[models.Model]] = {
    "evidence": EvidenceItem,
    "evidence-revision": EvidenceRevision,
    "document": Document,
    "document-version": DocumentVersion,
    "objective": Objective,
    "objective-measurement": ObjectiveMeasurement,
    "regulation": Regulation,
    "obligation": Obligation,
    "organisation": Organisation,
    "user": User,
    "catalogue-entry": CatalogueEntry,
    "catalogue-source": CatalogueSource,
    "asset": Asset,
    "software-component": SoftwareComponent,
    "risk": Risk,
    "treatment-action": TreatmentAction,
    "risk-method": RiskMethodVersion,
    "threat-model": ThreatModel,
    "threat-model-version": ThreatModelVersion,
    "threat-decision": ThreatDecision,
    "threat-rule-set": OrgRuleSet,
    "soa-row": ControlImplementation,
    "soa-version": SoAVersion,
    "person": Person,
    "job-role": JobRole,
    "competence": Competence,
    "role-competence": RoleCompetence,
    "training-module": TrainingModule,
    "module-assignment": ModuleAssignment,
    "training-completion": Completion,
    "pestel-issue": PestelIssue,
    "interested-party": InterestedParty,
    "party-requirement": PartyRequirement,
    "isms-scope": IsmsScope,
    "scope-version": ScopeVersion,
    "secure-coding-policy": SecureCodingPolicy,
    "repository": Repository,
    "scan-run": ScanRun,
    "code-finding": CodeFinding,
    "supplier": Supplier,
    "supplier-service": SupplierService,
    "supplier-data": DataShared,
    "supplier-certification": Certification,
    "supplier-subprocessor": SubProcessor,
    "supplier-clause": ContractClause,
    "supplier-questionnaire": QuestionnaireTemplate,
    "supplier-questionnaire-version": TemplateVersion,
    "supplier-assessment": Assessment,
    "supplier-answer": Answer,
    "supplier-finding": Finding,
    "supplier-review-policy": ReviewPolicy,
    "posture-proposal": Proposal,
    "posture-match": AssetIntelMatch,
    "emerging-threat": EmergingThreat,
    "audit-programme": AuditProgramme,
    "audit": Audit,
    "checklist-item": ChecklistItem,
    "audit-finding": AuditFinding,
    "nonconformity": Nonconformity,
    "corrective-action": CorrectiveAction,
    "effectiveness-review": EffectivenessReview,
    "management-review": ManagementReview,
    "review-decision": ReviewDecision,
    "intel-source": IntelSource,
    "intel-item": IntelItem,
    "vulnerability": Vulnerability,
}

_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}

# Models whose first version stays on the row until it first changes (then it is copied into the history
# as the '+' row): the column that dates it and the one naming who created it. Feed items: most never
# change, and a large feed would otherwise write every item twice.
FIRST_VERSION_ON_ROW: dict[type[models.Model], tuple[str, str]] = {IntelItem: IntelItem.FIRST_VERSION_ON_ROW}


@dataclass
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class HistoryItem:
    at: datetime
    user: str | None
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _label(model: type[models.Model], field_name: str) -> str:
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return field_name
    label = str(getattr(field, "verbose_name", field_name))
    return label[:1].upper() + label[1:]  # 'AI purpose' stays 'AI purpose'


def _readable(model: type[models.Model], change: FieldChange) -> FieldChange:
    """A foreign key as the name of the object it points at, and a many-to-many change as the names of the
    related objects, instead of ids and rows of the link table."""
    try:
        field = model._meta.get_field(change.field)
    except FieldDoesNotExist:
        return change
    if isinstance(field, models.ForeignKey):
        ids = [v for v in (change.old, change.new) if v is not None and not isinstance(v, models.Model)]
        found = field.related_model._default_manager.in_bulk(ids) if ids else {}

        def name(value: Any) -> Any:
            if value is None or isinstance(value, models.Model):
                return None if value is None else str(value)
            return str(found.get(value, f"#{value}"))

        return FieldChange(change.field, change.label, name(change.old), name(change.new))
    if not field.many_to_many or not isinstance(field, models.ManyToManyField):
        return change
    key = field.m2m_reverse_field_name()
    ids = [row[key] for row in [*(change.old or []), *(change.new or [])] if isinstance(row, dict)]
    related = field.related_model._default_manager.in_bulk(ids)

    def names(rows: Any) -> str | None:
        shown = sorted(
            str(related.get(row[key], f"#{row[key]}")) for row in rows or [] if isinstance(row, dict)
        )
        return ", ".join(shown) or None

    return FieldChange(change.field, change.label, names(change.old), names(change.new))


def _lookup_object(model_key: str, object_id: str) -> tuple[type[models.Model], Any]:
    model = HISTORY_MODELS.get(model_key)
    if model is None:
        raise LookupError(f"no history is kept for {model_key!r}")
    if model is CatalogueEntry and not object_id.isdigit():
        return model, CatalogueEntry.objects.get(uid=object_id).pk
    return model, int(object_id)


def object_history(
    model_key: str, object_id: str, limit: int = 200
) -> tuple[type[models.Model], list[HistoryItem]]:
    """Newest first. Raises LookupError for an unknown model key, ValueError for a malformed id."""
    model, pk = _lookup_object(model_key, object_id)
    manager = model.history  # type: ignore[attr-defined]  # added by simple_history's HistoricalRecords
    records = list(
        manager.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    items: list[HistoryItem] = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [
                _readable(model, FieldChange(c.field, _label(model, c.field), c.old, c.new))
                for c in delta.changes
            ]
        elif record.history_type == "+":
            changes = [
                _readable(model, FieldChange(f.name, _label(model, f.name), None, getattr(record, f.attname)))
                for f in model._meta.concrete_fields
                if f.attname not in ("id",) and hasattr(record, f.attname)
            ]
        items.append(
            HistoryItem(
                at=record.history_date,
                user=record.history_user.username if record.history_user else None,
                action=_ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    if not records and model in FIRST_VERSION_ON_ROW:
        first = _first_version_on_row(model, pk)
        if first is not None:
            items.append(first)
    return model, items


def _first_version_on_row(model: type[models.Model], pk: int) -> HistoryItem | None:
    """The 'created' entry of an object that has not changed since: its row, shown field by field as a '+'
    history row would show it (the fields the history keeps)."""
    dated, by = FIRST_VERSION_ON_ROW[model]
    obj = model._default_manager.select_related(by).filter(pk=pk).first()
    if obj is None:
        return None
    kept = {f.attname for f in model.history.model._meta.concrete_fields}  # type: ignore[attr-defined]
    user = getattr(obj, by)
    return HistoryItem(
        at=getattr(obj, dated),
        user=user.username if user is not None else None,
        action=_ACTIONS["+"],
        reason="",
        changes=[
            _readable(model, FieldChange(f.name, _label(model, f.name), None, getattr(obj, f.attname)))
            for f in model._meta.concrete_fields
            if f.attname != "id" and f.attname in kept
        ],
    )
