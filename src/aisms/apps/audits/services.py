"""Writes for audits, nonconformities, corrective actions and management reviews. Every write checks the
access policy (see permissions.py for the audit-work exception), runs in one transaction and records who
made it in the history. actor None is the system (demo, CLI).

The writes live in audit_services, nonconformity_services and review_services; this module is the
public face that imports them all, so callers keep using ``services.<name>``."""

from aisms.apps.audits.audit_services import (
    AUDIT_FIELDS,
    PROGRAMME_FIELDS,
    REMINDER_SCHEDULE_KEY,
    RESULT_TO_FINDING,
    add_finding,
    create_audit,
    create_programme,
    ensure_reminder_schedule,
    record_result,
    transition_audit,
    update_audit,
    update_programme,
)
from aisms.apps.audits.nonconformity_services import (
    ACTION_FIELDS,
    NC_FIELDS,
    add_corrective_action,
    complete_corrective_action,
    raise_from_finding,
    raise_nonconformity,
    record_effectiveness_review,
    transition_nonconformity,
    update_corrective_action,
    update_nonconformity,
)
from aisms.apps.audits.review_services import (
    DECISION_FIELDS,
    REVIEW_FIELDS,
    add_decision,
    create_review,
    refresh_review_pack,
    transition_review,
    update_decision,
    update_review,
)

__all__ = [
    "ACTION_FIELDS",
    "AUDIT_FIELDS",
    "DECISION_FIELDS",
    "NC_FIELDS",
    "PROGRAMME_FIELDS",
    "REMINDER_SCHEDULE_KEY",
    "RESULT_TO_FINDING",
    "REVIEW_FIELDS",
    "add_corrective_action",
    "add_decision",
    "add_finding",
    "complete_corrective_action",
    "create_audit",
    "create_programme",
    "create_review",
    "ensure_reminder_schedule",
    "raise_from_finding",
    "raise_nonconformity",
    "record_effectiveness_review",
    "record_result",
    "refresh_review_pack",
    "transition_audit",
    "transition_nonconformity",
    "transition_review",
    "update_audit",
    "update_corrective_action",
    "update_decision",
    "update_nonconformity",
    "update_programme",
    "update_review",
]
