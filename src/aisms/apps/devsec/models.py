"""Secure coding with AI assistants (ISO/IEC 27002:2022 control 8.28).

The policy for AI coding assistants (versioned, approved), the organisation's repositories, the scans of
them (evidence for control 8.28) and the findings carried from scan to scan by fingerprint.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.domain.devsec.tracking import STATUS_LABELS, Status

CONTROL_UID = "iso27002:2022:8.28"
SEVERITY_CHOICES = [("error", "Error"), ("warning", "Warning"), ("note", "Note")]
STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]
SOURCE_CHOICES = [("cli", "aisms scan (API)"), ("upload", "Uploaded report"), ("sarif", "Uploaded SARIF")]


class SecureCodingPolicy(models.Model):
    """One version of the policy. Each edit is a new version; the newest approved one is in force."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    yaml = models.TextField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=500, blank=True, help_text="What changed in this version.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = "secure-coding policy version"

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("devsec:policy") + f"#version-{self.version}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class Repository(models.Model):
    name = models.CharField(max_length=200, unique=True)
    url = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    classification = models.CharField(
        max_length=40, blank=True, help_text="Data classification of the code and the data it handles."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="repositories"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "repositories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("devsec:repository", args=[self.pk])


class ScanRun(models.Model):
    """One scan of a repository: evidence for control 8.28 (secure coding)."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="scans")
    scanned_at = models.DateTimeField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=SOURCE_CHOICES, default="cli")
    commit = models.CharField(max_length=64, blank=True)
    branch = models.CharField(max_length=200, blank=True)
    assistants = models.JSONField(
        default=list, blank=True, help_text="AI assistants detected in the repository."
    )
    tools = models.JSONField(default=list, blank=True, help_text="Tools whose findings the scan covers.")
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    notes = models.PositiveIntegerField(default=0)
    new_findings = models.PositiveIntegerField(default=0)
    fixed_findings = models.PositiveIntegerField(default=0)
    policy = models.ForeignKey(
        SecureCodingPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans"
    )
    policy_name = models.CharField(max_length=200, blank=True)
    policy_sha256 = models.CharField(max_length=64, blank=True)
    control_uid = models.CharField(max_length=100, default=CONTROL_UID)
    result = models.JSONField(default=dict, blank=True, help_text="The report as received.")
    history = HistoricalRecords(excluded_fields=["result"])

    class Meta:
        ordering = ["-scanned_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.repository} scan of {self.scanned_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("devsec:scan", args=[self.pk])

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.notes


class Finding(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="findings")
    fingerprint = models.CharField(max_length=64)
    tool = models.CharField(max_length=100, default="aisms")
    rule_id = models.CharField(max_length=200)
    rule_name = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=50, blank=True)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    path = models.CharField(max_length=500, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField()
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=Status.OPEN.value)
    reason = models.TextField(blank=True, help_text="Why it is a false positive, an accepted risk or fixed.")
    present = models.BooleanField(default=True, help_text="Found by the latest scan that covers its tool.")
    first_seen = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="+")
    last_seen = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="+")
    fixed_in = models.ForeignKey(ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["repository__name", "path", "line", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "fingerprint"], name="devsec_finding_fingerprint_once"
            )
        ]
        indexes = [models.Index(fields=["repository", "status"], name="devsec_finding_repo_status")]

    def __str__(self) -> str:
        return f"{self.rule_id} in {self.path}:{self.line or ''}"

    def get_absolute_url(self) -> str:
        return reverse("devsec:repository", args=[self.repository_id]) + f"#finding-{self.pk}"
