"""The asset inventory (control 5.9), AI assets included, with software components and dependencies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.domain.assets import KIND_LABELS, AssetKind, CiaValue, Classification

KIND_CHOICES = [(k.value, KIND_LABELS[k]) for k in AssetKind]
CLASSIFICATION_CHOICES = [(c.value, c.value.capitalize()) for c in Classification]
CIA_CHOICES = [(c.value, c.value.replace("_", " ").capitalize()) for c in CiaValue]


class Asset(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_assets",
    )
    classification = models.CharField(
        max_length=20, choices=CLASSIFICATION_CHOICES, default=Classification.INTERNAL.value
    )
    confidentiality = models.CharField(max_length=10, choices=CIA_CHOICES, default=CiaValue.MEDIUM.value)
    integrity = models.CharField(max_length=10, choices=CIA_CHOICES, default=CiaValue.MEDIUM.value)
    availability = models.CharField(max_length=10, choices=CIA_CHOICES, default=CiaValue.MEDIUM.value)
    hosting = models.CharField(
        max_length=200,
        blank=True,
        verbose_name="location or hosting",
        help_text="Location or hosting, e.g. 'AWS eu-west-1'.",
    )
    supplier = models.CharField(max_length=200, blank=True)
    in_scope = models.BooleanField(default=True)
    # AI assets
    ai_purpose = models.TextField(blank=True, verbose_name="AI purpose")
    model_type = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'LLM (hosted API)', 'gradient boosting'."
    )
    data_sources = models.TextField(blank=True)
    deployment = models.CharField(max_length=200, blank=True)
    learns_from_user_data = models.BooleanField(
        null=True, blank=True, help_text="Trained or fine-tuned on data users supply (unknown when empty)."
    )
    processes_personal_data = models.BooleanField(null=True, blank=True)
    reads_untrusted_content = models.BooleanField(
        null=True,
        blank=True,
        help_text="Takes in content from outside the organisation (web pages, e-mails, uploads).",
    )
    can_act = models.BooleanField(
        null=True, blank=True, help_text="Can take actions (send mail, run code, call tools, pay)."
    )
    publicly_exposed = models.BooleanField(
        null=True, blank=True, help_text="Reachable by the public or customers."
    )
    eu_ai_act_tier = models.CharField(
        max_length=40,
        blank=True,
        verbose_name="EU AI Act risk tier",
        help_text="Identifier of an EU AI Act risk tier, e.g. eu-ai-act:2024:high.",
    )
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[depends_on])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assets:detail", args=[self.pk])

    @property
    def is_ai(self) -> bool:
        return AssetKind(self.kind).is_ai


class SoftwareComponent(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="components")
    vendor = models.CharField(max_length=200)
    product = models.CharField(max_length=200)
    version = models.CharField(max_length=100, blank=True)
    cpe = models.CharField(max_length=500, blank=True, verbose_name="CPE 2.3 name")
    history = HistoricalRecords()

    class Meta:
        ordering = ["vendor", "product", "version"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.product} {self.version}".strip()

    def get_absolute_url(self) -> str:
        return reverse("assets:detail", args=[self.asset_id]) + "#components"
