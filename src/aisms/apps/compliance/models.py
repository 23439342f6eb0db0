"""Evidence, documented information (clause 7.5), the policy and objectives (5.2, 6.2) and the register of
laws and regulations with their obligations. Compliance status is never stored: it is derived on read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.context.models import PestelIssue
from aisms.apps.risks.models import Risk, TreatmentAction

_USER = settings.AUTH_USER_MODEL
COMPLIANCE_ENTRIES = models.Q(source__key__in=("iso27001", "iso27002"))


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class EvidenceItem(models.Model):
    """One piece of evidence: a file or a link, with its own date, expiry and review."""

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    evidence_date = models.DateField(help_text="The date of the evidence itself (e.g. when the test ran).")
    expires_on = models.DateField(null=True, blank=True, help_text="After this day it no longer counts.")
    review_due = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The current revision, copied from the latest EvidenceRevision for set-based reads.
    url = models.URLField(max_length=1000, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    stored_path = models.CharField(max_length=400, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    entries = models.ManyToManyField(
        CatalogueEntry, blank=True, related_name="evidence", limit_choices_to=COMPLIANCE_ENTRIES
    )
    risks = models.ManyToManyField(Risk, blank=True, related_name="evidence")
    treatment_actions = models.ManyToManyField(TreatmentAction, blank=True, related_name="evidence")
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-evidence_date", "-pk"]
        indexes = [models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("compliance:evidence", args=[self.pk])


class EvidenceRevision(models.Model):
    """Each new file or link of an evidence item; older ones are kept."""

    evidence = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    url = models.URLField(max_length=1000, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    stored_path = models.CharField(max_length=400, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["evidence", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="unique_evidence_revision")
        ]

    def __str__(self) -> str:
        return f"{self.evidence} r{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:evidence", args=[self.evidence_id])


class DocumentType(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCEDURE = "procedure", "Procedure"
    STANDARD = "standard", "Standard"
    RECORD = "record", "Record"


class Document(models.Model):
    """Documented information (clause 7.5): a policy, procedure, standard or record with versions."""

    ref = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=300)
    doc_type = models.CharField(max_length=20, choices=DocumentType.choices)
    is_isms_policy = models.BooleanField(
        default=False, help_text="The information security policy of clause 5.2 (one at a time)."
    )
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    review_interval_months = models.PositiveSmallIntegerField(default=12)
    entries = models.ManyToManyField(
        CatalogueEntry, blank=True, related_name="documents", limit_choices_to=COMPLIANCE_ENTRIES
    )
    retired = models.BooleanField(default=False)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["doc_type", "ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_isms_policy"], condition=models.Q(is_isms_policy=True), name="one_isms_policy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:document", args=[self.pk])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    stored_path = models.CharField(max_length=400, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    change_summary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    approved_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")]

    def __str__(self) -> str:
        return f"{self.document.ref} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:document", args=[self.document_id])


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class Objective(models.Model):
    """An information security objective (clause 6.2) with a measure, a target and its progress."""

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    measure = models.CharField(max_length=300, help_text="What is measured, and how.")
    unit = models.CharField(max_length=30, blank=True)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    due = models.DateField()
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives"
    )
    status = models.CharField(max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("compliance:objectives") + f"#objective-{self.pk}"


class ObjectiveMeasurement(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["objective", "measured_on", "pk"]

    def __str__(self) -> str:
        return f"{self.objective}: {self.value} on {self.measured_on}"

    def get_absolute_url(self) -> str:
        return self.objective.get_absolute_url()


class CeilingRule(models.TextChoices):
    HIGHER = "higher", "Whichever is higher"
    LOWER = "lower", "Whichever is lower (e.g. SMEs under the EU AI Act)"


class Regulation(models.Model):
    """A law or regulation that applies to the organisation, with its maximum penalty."""

    key = models.CharField(max_length=40, blank=True, help_text="The catalogue suggestion it came from.")
    name = models.CharField(max_length=300)
    short_name = models.CharField(max_length=60)
    jurisdiction = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    pestel_issue = models.ForeignKey(
        PestelIssue, null=True, blank=True, on_delete=models.SET_NULL, related_name="regulations"
    )
    applicability = models.TextField(blank=True, help_text="Why it applies to the organisation.")
    max_fixed_eur = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    max_turnover_pct = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    ceiling_rule = models.CharField(max_length=10, choices=CeilingRule.choices, default=CeilingRule.HIGHER)
    penalty_basis = models.TextField(blank=True, help_text="The article that sets the ceiling.")
    owner = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("compliance:regulation", args=[self.pk])


class Obligation(models.Model):
    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="obligations")
    text = models.TextField()
    controls = models.ManyToManyField(
        CatalogueEntry, blank=True, related_name="obligations", limit_choices_to=COMPLIANCE_ENTRIES
    )
    risks = models.ManyToManyField(Risk, blank=True, related_name="obligations")
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["regulation", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return self.regulation.get_absolute_url()
