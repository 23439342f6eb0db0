"""Threat intelligence correlated with the organisation: which intel concerns which asset, the risk
re-assessment proposals it leads to, and emerging-threat candidates for an analyst to review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.intel.models import IntelItem, Vulnerability
from aisms.apps.risks.models import Risk


class MatchMethod(models.TextChoices):
    CPE = "cpe", "CPE name and version"
    NAME = "name", "Vendor and product name"
    TECHNIQUE = "technique", "Attack technique"


class AssetIntelMatch(models.Model):
    """One piece of intelligence that concerns one asset (through a component or a technique)."""

    key = models.CharField(max_length=200, unique=True, help_text="asset|component|item|technique")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="intel_matches")
    component = models.ForeignKey(
        SoftwareComponent, null=True, blank=True, on_delete=models.CASCADE, related_name="intel_matches"
    )
    item = models.ForeignKey(IntelItem, on_delete=models.CASCADE, related_name="asset_matches")
    vulnerability = models.ForeignKey(
        Vulnerability, null=True, blank=True, on_delete=models.CASCADE, related_name="asset_matches"
    )
    technique_uid = models.CharField(max_length=80, blank=True)
    method = models.CharField(max_length=10, choices=MatchMethod.choices)
    confidence = models.FloatField()
    possible = models.BooleanField(default=False, help_text="The version could not be decided.")
    criterion = models.CharField(max_length=600, blank=True)
    reason = models.TextField(blank=True)
    first_matched_at = models.DateTimeField(default=timezone.now)
    last_matched_at = models.DateTimeField(default=timezone.now)
    dismissed = models.BooleanField(default=False)
    dismissed_reason = models.TextField(blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_matched_at"])

    class Meta:
        ordering = ["-first_matched_at", "-pk"]
        indexes = [models.Index(fields=["first_matched_at"]), models.Index(fields=["asset", "dismissed"])]
        verbose_name = "asset intelligence match"
        verbose_name_plural = "asset intelligence matches"

    def __str__(self) -> str:
        return f"{self.item} concerns {self.asset}"

    def get_absolute_url(self) -> str:
        return reverse("assets:detail", args=[self.asset_id]) + "#intel"


class ProposalKind(models.TextChoices):
    RAISE_LIKELIHOOD = "raise-likelihood", "Raise likelihood"
    NEW_RISK = "new-risk", "New risk"
    REVIEW = "review", "Review"


class ProposalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class Proposal(models.Model):
    """A risk re-assessment proposed by correlated intelligence, for the risk owner to decide."""

    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    status = models.CharField(max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    title = models.CharField(max_length=400)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="posture_proposals")
    risk = models.ForeignKey(
        Risk, null=True, blank=True, on_delete=models.CASCADE, related_name="posture_proposals"
    )
    current_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    technique = models.ForeignKey(
        CatalogueEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="posture_proposals"
    )
    technique_uid = models.CharField(max_length=80, blank=True)
    custom_threat = models.CharField(max_length=300, blank=True)
    evidence = models.JSONField(default=list, blank=True, help_text="What the proposal rests on.")
    evidence_keys = models.JSONField(default=list, blank=True)
    items = models.ManyToManyField(IntelItem, blank=True, related_name="posture_proposals")
    rules_version = models.CharField(max_length=40, blank=True)
    method_version = models.PositiveIntegerField(null=True, blank=True, help_text="Risk method version.")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    resulting_risk = models.ForeignKey(
        Risk,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The risk re-scored or created when the proposal was accepted.",
    )
    history = HistoricalRecords(m2m_fields=[items])

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("posture:proposal", args=[self.pk])

    @property
    def responsible_id(self) -> int | None:
        """Who decides: the risk's owner, or for a new risk the asset's owner."""
        if self.risk_id is not None:
            return self.risk.owner_id if self.risk else None
        return self.asset.owner_id


class EmergingStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    ACCEPTED = "accepted", "Accepted as a custom threat"
    DISMISSED = "dismissed", "Dismissed"


class EmergingThreat(models.Model):
    """A cluster of intelligence that fits no known technique well: a candidate new threat."""

    fingerprint = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    key_terms = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    items = models.ManyToManyField(IntelItem, blank=True, related_name="emerging_threats")
    novelty = models.FloatField(null=True, blank=True, help_text="Mean novelty of the members (0-1).")
    status = models.CharField(max_length=12, choices=EmergingStatus.choices, default=EmergingStatus.CANDIDATE)
    catalogue_uid = models.CharField(max_length=80, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[items])

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name or ", ".join(self.key_terms[:3]) or f"Emerging threat {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("posture:emerging", args=[self.pk])
