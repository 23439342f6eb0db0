"""The reference catalogue as stored rows, loaded from aisms.catalogue and updated by imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class CatalogueSource(models.Model):
    key = models.CharField(max_length=40, unique=True)
    prefix = models.CharField(max_length=60)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    url = models.URLField(max_length=300)
    licence = models.TextField()
    loaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class CatalogueEntry(models.Model):
    uid = models.CharField(max_length=80, unique=True)
    source = models.ForeignKey(CatalogueSource, on_delete=models.PROTECT, related_name="entries")
    ref = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    attributes = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    withdrawn = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["source__key", "position"]
        indexes = [models.Index(fields=["source", "kind"])]
        verbose_name_plural = "catalogue entries"

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class CatalogueLink(models.Model):
    source = models.ForeignKey(CatalogueEntry, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(CatalogueEntry, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=30)
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "relation"], name="unique_catalogue_link"),
        ]
        indexes = [models.Index(fields=["relation", "target"])]

    def __str__(self) -> str:
        return f"{self.source_id} {self.relation} {self.target_id}"


class LabelledExample(models.Model):
    """Text labelled with the technique it shows, for training the threat classifier."""

    ORIGIN_CHOICES = [("atlas-case-study", "ATLAS case study"), ("user", "Confirmed by a user")]
    technique = models.ForeignKey(CatalogueEntry, on_delete=models.CASCADE, related_name="examples")
    text = models.TextField()
    origin = models.CharField(max_length=30, choices=ORIGIN_CHOICES)
    case_study = models.CharField(max_length=40, blank=True)
    case_study_name = models.CharField(max_length=300, blank=True)
    step = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case_study", "step"]

    def __str__(self) -> str:
        return f"{self.case_study} step {self.step}"


class CatalogueImport(models.Model):
    """A record of each upstream file applied to the catalogue."""

    kind = models.CharField(max_length=30)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    upstream_version = models.CharField(max_length=40)
    counts = models.JSONField(default=dict)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.upstream_version} ({self.filename})"
