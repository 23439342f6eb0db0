"""The organisation whose ISMS this is (clause 4): profile, PESTEL issues, interested parties, scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    headcount = models.PositiveIntegerField(null=True, blank=True)
    annual_turnover_eur = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, verbose_name="annual turnover (EUR)"
    )
    description = models.TextField(blank=True)
    ai_use = models.TextField(
        blank=True, verbose_name="use of AI", help_text="How the organisation builds, buys and uses AI."
    )
    is_demo = models.BooleanField(default=False)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("context:organisation")


class PestelCategory(models.TextChoices):
    POLITICAL = "political", "Political"
    ECONOMIC = "economic", "Economic"
    SOCIAL = "social", "Social"
    TECHNOLOGICAL = "technological", "Technological"
    ENVIRONMENTAL = "environmental", "Environmental"
    LEGAL = "legal", "Legal"


class IssueOrigin(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class Trend(models.TextChoices):
    RISING = "rising", "Rising"
    STABLE = "stable", "Stable"
    FALLING = "falling", "Falling"


class PestelIssue(models.Model):
    """An internal or external issue relevant to the ISMS (clause 4.1), classified by PESTEL."""

    category = models.CharField(max_length=20, choices=PestelCategory.choices)
    origin = models.CharField(max_length=10, choices=IssueOrigin.choices, default=IssueOrigin.EXTERNAL)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    effect = models.TextField(blank=True, verbose_name="effect on the ISMS and its objectives")
    trend = models.CharField(max_length=10, choices=Trend.choices, default=Trend.STABLE)
    opportunities = models.TextField(blank=True)
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="context_issues")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_id = models.CharField(max_length=100, blank=True, help_text="The starter template it came from.")
    template_version = models.CharField(max_length=20, blank=True)
    review_date = models.DateField(null=True, blank=True, verbose_name="next review")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[risks])

    class Meta:
        ordering = ["category", "title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("context:issue", args=[self.pk])


class PartyKind(models.TextChoices):
    REGULATOR = "regulator", "Regulator or authority"
    CUSTOMER = "customer", "Customer"
    STAFF = "staff", "Staff"
    SUPPLIER = "supplier", "Supplier"
    AI_PROVIDER = "ai_provider", "AI provider"
    DATA_SUBJECT = "data_subject", "Data subjects (e.g. patients)"
    SHAREHOLDER = "shareholder", "Owners and investors"
    OTHER = "other", "Other"


class InterestedParty(models.Model):
    """A party with an interest in the ISMS (clause 4.2)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PartyKind.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "interested parties"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("context:party", args=[self.pk])


class PartyRequirement(models.Model):
    """A relevant requirement of an interested party, and whether (and how) the ISMS addresses it."""

    party = models.ForeignKey(InterestedParty, on_delete=models.CASCADE, related_name="requirements")
    requirement = models.TextField()
    addressed = models.BooleanField(default=False, verbose_name="addressed by the ISMS")
    how_addressed = models.TextField(blank=True, verbose_name="how the ISMS addresses it")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["party", "pk"]

    def __str__(self) -> str:
        return self.requirement[:80]

    def get_absolute_url(self) -> str:
        return reverse("context:party", args=[self.party_id])


class IsmsScope(models.Model):
    """The working draft of the ISMS scope (clause 4.3); approved versions are snapshots of it."""

    statement = models.TextField(blank=True)
    in_scope = models.JSONField(default=list, blank=True, help_text="[{item, reason}]")
    out_of_scope = models.JSONField(default=list, blank=True, help_text="[{item, reason}]")
    interfaces = models.TextField(
        blank=True,
        help_text="Where the ISMS meets systems, organisations or people outside it; one per line.",
    )
    dependencies = models.TextField(
        blank=True, help_text="What the ISMS relies on that others provide or control; one per line."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return "ISMS scope (draft)"

    def get_absolute_url(self) -> str:
        return reverse("context:scope")


class ScopeVersion(models.Model):
    version = models.PositiveIntegerField(unique=True)
    snapshot = models.JSONField()
    notes = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"ISMS scope v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("context:scope-version", args=[self.version])
