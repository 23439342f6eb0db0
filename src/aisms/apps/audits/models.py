"""Internal audit, management review and improvement (ISO/IEC 27001:2022 clauses 9.2, 9.3 and 10).

An audit programme plans audits over a cycle; each audit has a checklist generated from the clauses and
controls in its scope; findings are recorded against checklist items; nonconformities (from audits,
incidents, management reviews or elsewhere) get a root cause, corrective actions and an effectiveness
review before they close. Management reviews keep a snapshot of the inputs clause 9.3.2 asks for and the
decisions taken.

Contract with the compliance app: ``Nonconformity.clause_uid``, ``control_uid``, ``status`` (open,
action-planned, closed) and ``severity`` (major, minor, observation) keep these names and values.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.apps.accounts.models import User


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in-progress", "In progress"
    REPORTED = "reported", "Reported"
    CLOSED = "closed", "Closed"


class ChecklistResult(models.TextChoices):
    NOT_CHECKED = "not-checked", "Not checked"
    CONFORMING = "conforming", "Conforming"
    MINOR_NC = "minor-nc", "Minor nonconformity"
    MAJOR_NC = "major-nc", "Major nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


class FindingKind(models.TextChoices):
    NONCONFORMITY = "nc", "Nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


class NcSource(models.TextChoices):
    AUDIT = "audit", "Audit finding"
    INCIDENT = "incident", "Incident"
    MANAGEMENT_REVIEW = "management-review", "Management review"
    OTHER = "other", "Other"


class NcStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTION_PLANNED = "action-planned", "Action planned"
    CLOSED = "closed", "Closed"


class NcSeverity(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    OBSERVATION = "observation", "Observation"


class RootCauseCategory(models.TextChoices):
    UNKNOWN = "", "Not yet analysed"
    PROCESS = "process", "Process or procedure"
    PEOPLE = "people", "People, competence or awareness"
    TECHNOLOGY = "technology", "Technology or tooling"
    SUPPLIER = "supplier", "Supplier or third party"
    GOVERNANCE = "governance", "Governance, roles or resources"
    DOCUMENTATION = "documentation", "Documentation"
    OTHER = "other", "Other"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    HELD = "held", "Held"
    CLOSED = "closed", "Closed"


class DecisionKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Continual improvement"
    CHANGE = "change", "Change to the ISMS"
    RESOURCE = "resource", "Resource need"


class DecisionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


_USER = settings.AUTH_USER_MODEL


class AuditProgramme(models.Model):
    title = models.CharField(max_length=200)
    cycle_years = models.PositiveSmallIntegerField(
        default=3, help_text="Years in which everything is audited."
    )
    start_year = models.PositiveSmallIntegerField(default=2026)
    objectives = models.TextField(blank=True)
    high_risk_uids = models.JSONField(
        default=list, blank=True, help_text="Clause/control uids to audit every year (higher-risk areas)."
    )
    owner = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_year", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("audits:programme", args=[self.pk])


class Audit(models.Model):
    ref = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=300)
    programme = models.ForeignKey(
        AuditProgramme, null=True, blank=True, on_delete=models.SET_NULL, related_name="audits"
    )
    scope = models.TextField(blank=True, help_text="What the audit covers, in words.")
    clause_uids = models.JSONField(default=list, blank=True)
    control_uids = models.JSONField(default=list, blank=True)
    criteria = models.TextField(blank=True, help_text="What the audit measures against.")
    lead_auditor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_audits"
    )
    auditors: models.ManyToManyField[User, User] = models.ManyToManyField(
        _USER, blank=True, related_name="audits"
    )
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    report_summary = models.TextField(blank=True)
    history = HistoricalRecords(m2m_fields=[auditors])

    class Meta:
        ordering = ["-planned_start", "ref"]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("audits:audit", args=[self.pk])


class ChecklistItem(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveIntegerField(default=0)
    uid = models.CharField(max_length=80)
    title = models.CharField(max_length=300, blank=True)
    question = models.TextField()
    result = models.CharField(
        max_length=20, choices=ChecklistResult.choices, default=ChecklistResult.NOT_CHECKED
    )
    notes = models.TextField(blank=True)
    evidence_refs = models.TextField(blank=True, help_text="Documents, records or samples seen.")
    checked_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "uid"], name="audits_checklist_uid_once")]

    def __str__(self) -> str:
        return f"{self.audit.ref}: {self.uid}"

    def get_absolute_url(self) -> str:
        return reverse("audits:audit", args=[self.audit_id]) + f"#item-{self.pk}"


class Finding(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    checklist_item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    severity = models.CharField(max_length=20, choices=NcSeverity.choices, blank=True)
    uid = models.CharField(max_length=80, blank=True, help_text="Clause or control the finding is about.")
    text = models.TextField()
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "pk"]

    def __str__(self) -> str:
        return f"{self.audit.ref} {self.get_kind_display()}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("audits:audit", args=[self.audit_id]) + f"#finding-{self.pk}"


class Nonconformity(models.Model):
    ref = models.CharField(max_length=20, unique=True)
    source = models.CharField(max_length=20, choices=NcSource.choices, default=NcSource.AUDIT)
    finding = models.OneToOneField(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="nonconformity"
    )
    description = models.TextField()
    clause_uid = models.CharField(max_length=80, blank=True, help_text="e.g. iso27001:2022:9.2")
    control_uid = models.CharField(max_length=80, blank=True, help_text="e.g. iso27002:2022:5.7")
    severity = models.CharField(max_length=20, choices=NcSeverity.choices, default=NcSeverity.MINOR)
    status = models.CharField(max_length=20, choices=NcStatus.choices, default=NcStatus.OPEN)
    raised_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    root_cause = models.TextField(blank=True, help_text="Why did it happen? (five whys)")
    root_cause_category = models.CharField(
        max_length=20, choices=RootCauseCategory.choices, blank=True, default=""
    )
    containment = models.TextField(blank=True, help_text="Immediate correction taken (clause 10.2 a).")
    due_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_nonconformities"
    )
    closed_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name_plural = "nonconformities"

    def __str__(self) -> str:
        return f"{self.ref} ({self.get_severity_display()})"

    def get_absolute_url(self) -> str:
        return reverse("audits:nc", args=[self.pk])


class CorrectiveAction(models.Model):
    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrective_actions"
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    evidence_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["nonconformity", "pk"]

    def __str__(self) -> str:
        return f"{self.nonconformity.ref}: {self.description[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("audits:nc", args=[self.nonconformity_id]) + f"#action-{self.pk}"


class EffectivenessReview(models.Model):
    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    effective = models.BooleanField()
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["nonconformity", "reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.nonconformity.ref}: {'effective' if self.effective else 'not effective'}"

    def get_absolute_url(self) -> str:
        return reverse("audits:nc", args=[self.nonconformity_id]) + f"#review-{self.pk}"


class ManagementReview(models.Model):
    title = models.CharField(max_length=200)
    date = models.DateField()
    attendees = models.TextField(blank=True, help_text="One per line.")
    inputs = models.JSONField(
        default=dict, blank=True, help_text="The pack, frozen when the review was created."
    )
    minutes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"

    def get_absolute_url(self) -> str:
        return reverse("audits:review", args=[self.pk])


class ReviewDecision(models.Model):
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="decisions")
    decision = models.TextField()
    kind = models.CharField(max_length=20, choices=DecisionKind.choices, default=DecisionKind.IMPROVEMENT)
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_decisions"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "pk"]

    def __str__(self) -> str:
        return f"{self.review}: {self.decision[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("audits:review", args=[self.review_id]) + f"#decision-{self.pk}"
