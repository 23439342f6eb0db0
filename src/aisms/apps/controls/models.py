"""The Statement of Applicability (clause 6.1.3 d): one decision per Annex A control, approved versions.

The risks and treatment actions that call for a control are not stored here: they are derived from
TreatmentAction.controls whenever the SoA is read, and frozen only in an approved version's snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.domain.soa import RECORDED_STATUSES, ImplementationStatus

STATUS_CHOICES = [(status.value, status.label) for status in RECORDED_STATUSES]
ANNEX_A_CONTROLS = {"source__key": "iso27002", "kind": "control"}


class ControlImplementation(models.Model):
    """The organisation's decision on one ISO/IEC 27002:2022 control, and how far it is implemented."""

    control = models.OneToOneField(
        CatalogueEntry,
        on_delete=models.PROTECT,
        related_name="implementation",
        limit_choices_to=ANNEX_A_CONTROLS,
    )
    applicable = models.BooleanField(default=True, help_text="Included in the ISMS (or excluded).")
    justification = models.TextField(
        blank=True, help_text="Why the control is included or excluded; an auditor expects a reason for both."
    )
    implementation_status = models.CharField(
        max_length=30, choices=STATUS_CHOICES, default=ImplementationStatus.NOT_STARTED.value
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="soa_controls",
    )
    notes = models.TextField(blank=True, help_text="How it is implemented, where the evidence is.")
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["control__position"]
        verbose_name = "SoA control"

    def __str__(self) -> str:
        return f"SoA control {self.control.ref} {self.control.name}"

    def get_absolute_url(self) -> str:
        return reverse("controls:row", args=[self.control.ref])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class SoAVersion(models.Model):
    """A numbered version of the SoA; approving it freezes every row (with derived risks) as a snapshot."""

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="What changed and why; the approver's remarks.")
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = "SoA version"

    def __str__(self) -> str:
        return f"SoA version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("controls:version", args=[self.version])
