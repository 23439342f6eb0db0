"""Risk method versions, the risk register and treatment actions (clauses 6.1.2, 6.1.3, 8.2, 8.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry


class RiskMethodVersion(models.Model):
    """One version of the risk method; the definition is the serialised domain RiskMethod."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    definition = models.JSONField()
    is_current = models.BooleanField(default=False)
    notes = models.TextField(blank=True, help_text="Why the method changed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("risks:method")


class Treatment(models.TextChoices):
    MITIGATE = "mitigate", "Mitigate (reduce)"
    ACCEPT = "accept", "Accept (retain)"
    AVOID = "avoid", "Avoid"
    TRANSFER = "transfer", "Transfer (share)"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_TREATMENT = "in_treatment", "In treatment"
    ACCEPTED = "accepted", "Residual risk accepted"
    CLOSED = "closed", "Closed"


class Risk(models.Model):
    ref = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    assets = models.ManyToManyField(Asset, blank=True, related_name="risks")
    threat = models.ForeignKey(
        CatalogueEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="risks"
    )
    custom_threat = models.CharField(max_length=300, blank=True, help_text="When no catalogue threat fits.")
    vulnerability = models.TextField(blank=True, help_text="The weakness the threat exploits.")
    consequences = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_risks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    # The scores and the method version they were made with.
    method_version = models.PositiveIntegerField(null=True, blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    inherent_level = models.CharField(max_length=40)
    current_likelihood = models.PositiveSmallIntegerField()
    current_impact = models.PositiveSmallIntegerField()
    current_level = models.CharField(max_length=40)
    target_likelihood = models.PositiveSmallIntegerField()
    target_impact = models.PositiveSmallIntegerField()
    target_level = models.CharField(max_length=40)
    treatment = models.CharField(max_length=20, choices=Treatment.choices, blank=True)
    treatment_notes = models.TextField(blank=True)
    # Sign-off of the residual (target) risk by its owner.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_level = models.CharField(max_length=40, blank=True)
    acceptance_justification = models.TextField(blank=True)
    acceptance_exception = models.BooleanField(default=False, help_text="Accepted above the risk appetite.")
    review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[assets])

    class Meta:
        ordering = ["ref"]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risks:detail", args=[self.ref])

    @property
    def threat_name(self) -> str:
        return self.threat.name if self.threat else self.custom_threat


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class TreatmentAction(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="treatment_actions",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    completed_at = models.DateTimeField(null=True, blank=True)
    controls = models.ManyToManyField(CatalogueEntry, blank=True, related_name="treatment_actions")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[controls])

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("risks:detail", args=[self.risk.ref])


class RiskQuantification(models.Model):
    """FAIR inputs of one risk: each factor a range {low, most_likely, high, distribution} or null."""

    risk = models.OneToOneField(Risk, on_delete=models.CASCADE, related_name="quantification")
    tef = models.JSONField(null=True, blank=True)
    vulnerability = models.JSONField(null=True, blank=True)
    lef = models.JSONField(null=True, blank=True)
    primary_loss = models.JSONField()
    secondary_loss_probability = models.JSONField(null=True, blank=True)
    secondary_loss = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"FAIR inputs of {self.risk_id}"

    def get_absolute_url(self) -> str:
        return reverse("risks:detail", args=[self.risk.ref])
