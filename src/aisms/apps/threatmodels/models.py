"""AI threat models (threat model as code): each saved YAML source is a version with its analysis; the
analyst's decision on each generated threat; organisation rule sets applied in addition to the shipped
rules. Supports ISO/IEC 27001 clause 6.1.2 (risk identification) and ISO/IEC 42001 clause 6.1."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.apps.assets.models import Asset
from aisms.apps.risks.models import Risk


class ThreatModelStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CURRENT = "current", "Current"
    RETIRED = "retired", "Retired"


class ThreatModel(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threat_models",
    )
    status = models.CharField(
        max_length=20, choices=ThreatModelStatus.choices, default=ThreatModelStatus.DRAFT
    )
    source = models.TextField(help_text="The current YAML source of the model.")
    assets = models.ManyToManyField(Asset, blank=True, related_name="threat_models")
    accepted_proposals = models.JSONField(
        default=list, blank=True, help_text="Threats proposed by the language-model assistant and accepted."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[assets])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("threatmodels:detail", args=[self.pk])


class ThreatModelVersion(models.Model):
    """One saved source of a model and the analysis made of it."""

    threat_model = models.ForeignKey(ThreatModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.TextField()
    note = models.CharField(max_length=300, blank=True)
    analysis = models.JSONField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["threat_model", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["threat_model", "number"], name="threatmodels_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.threat_model.name} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("threatmodels:detail", args=[self.threat_model_id]) + f"?version={self.number}"


class MitigationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"


class ThreatDecision(models.Model):
    """The analyst's judgement of one generated threat (by its stable id) and the risk it became."""

    threat_model = models.ForeignKey(ThreatModel, on_delete=models.CASCADE, related_name="decisions")
    threat_id = models.CharField(max_length=200)
    relevant = models.BooleanField()
    reason = models.TextField(blank=True)
    mitigation_status = models.CharField(
        max_length=20, choices=MitigationStatus.choices, default=MitigationStatus.NOT_STARTED
    )
    risk = models.ForeignKey(Risk, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["threat_model", "threat_id"]
        constraints = [
            models.UniqueConstraint(fields=["threat_model", "threat_id"], name="threatmodels_decision_once")
        ]

    def __str__(self) -> str:
        return f"{self.threat_id}: {'relevant' if self.relevant else 'not relevant'}"

    def get_absolute_url(self) -> str:
        return reverse("threatmodels:threats", args=[self.threat_model_id]) + f"#t-{self.threat_id}"


class OrgRuleSet(models.Model):
    """An organisation's own threat rules (same schema as the shipped file), applied in addition."""

    name = models.CharField(max_length=200, unique=True)
    source = models.TextField()
    enabled = models.BooleanField(default=True)
    rule_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("threatmodels:rules") + f"#ruleset-{self.pk}"
