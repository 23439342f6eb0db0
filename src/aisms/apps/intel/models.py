"""Threat intelligence (ISO/IEC 27002:2022 control 5.7): feed sources, ingest runs, the merged item store,
vulnerabilities (CVE, KEV, EPSS) and an append-only change log that correlation consumes.

Items merge on (kind, external_id): the same CVE or technique seen in several feeds is one item whose
provenance lists every sighting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

SOURCE_KINDS = [
    ("stix", "STIX 2.1 bundle (file or URL)"),
    ("taxii", "TAXII 2.1 collection"),
    ("misp", "MISP feed"),
    ("kev", "CISA KEV catalogue"),
    ("nvd", "NVD CVE API 2.0"),
    ("epss", "FIRST EPSS scores"),
    ("text", "Free-text reports"),
]
FORMATS = [(k, k.upper() if k != "text" else "Text") for k, _ in SOURCE_KINDS if k != "taxii"]
TLP_CHOICES = [
    ("clear", "TLP:CLEAR"),
    ("green", "TLP:GREEN"),
    ("amber", "TLP:AMBER"),
    ("amber+strict", "TLP:AMBER+STRICT"),
    ("red", "TLP:RED"),
]
RUN_STATUSES = [("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")]
ITEM_KINDS = [
    ("vulnerability", "Vulnerability"),
    ("attack-pattern", "Attack pattern"),
    ("indicator", "Indicator"),
    ("malware", "Malware"),
    ("tool", "Tool"),
    ("threat-actor", "Threat actor"),
    ("campaign", "Campaign"),
    ("intrusion-set", "Intrusion set"),
    ("report", "Report"),
    ("misp-event", "MISP event"),
    ("note", "Note"),
]
EVENT_KINDS = [
    ("item-new", "New item"),
    ("item-updated", "Item updated"),
    ("kev-added", "Added to KEV"),
    ("epss-changed", "EPSS changed"),
    ("nvd-updated", "NVD record updated"),
]


class IntelSource(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=SOURCE_KINDS)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True, help_text="Feed URL (MISP: the feed base URL).")
    collection = models.CharField(
        max_length=500, blank=True, help_text="TAXII collection id or URL (TAXII sources only)."
    )
    local_path = models.CharField(
        max_length=1000,
        blank=True,
        help_text="A file or MISP feed folder on the server (set by the CLI or the demo, not via the web).",
    )
    enabled = models.BooleanField(default=True)
    schedule_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Pull every this many hours (empty: manual only)."
    )
    default_tlp = models.CharField(max_length=12, choices=TLP_CHOICES, default="clear")
    default_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=10, choices=RUN_STATUSES, blank=True)
    state = models.JSONField(
        default=dict, blank=True, help_text="Incremental pull state (TAXII added_after cursor, etc.)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["state", "last_run_at", "last_status"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("intel:source", args=[self.pk])


class IngestRun(models.Model):
    source = models.ForeignKey(
        IntelSource, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    filename = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    format = models.CharField(max_length=10, choices=[*FORMATS, ("taxii", "TAXII")])
    status = models.CharField(max_length=10, choices=RUN_STATUSES, default="running")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    bytes_read = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    log = models.TextField(blank=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="intel_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.filename or self.url} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("intel:run", args=[self.pk])

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class IntelItem(models.Model):
    source = models.ForeignKey(
        IntelSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    kind = models.CharField(max_length=20, choices=ITEM_KINDS)
    external_id = models.CharField(max_length=300)
    stix_id = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    pattern = models.TextField(blank=True, help_text="Indicator pattern, kept as text (never evaluated).")
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    tlp = models.CharField(max_length=12, choices=TLP_CHOICES, default="clear")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    published = models.DateTimeField(
        null=True, blank=True, help_text="When the feed says it was created or published (KEV: date added)."
    )
    technique_uids = models.JSONField(default=list, blank=True)
    cve_ids = models.JSONField(default=list, blank=True)
    labels = models.JSONField(default=list, blank=True)
    references = models.JSONField(default=list, blank=True)
    observables = models.JSONField(
        default=list, blank=True, help_text="MISP attributes: type, value, category, to_ids."
    )
    provenance = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(  # who ran the ingest that first stored it (none for a schedule)
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # read only with the item itself; an index would cost every bulk insert
    )
    # The first version lives on the row until the item first changes; the ingest then copies it into the
    # history as the '+' row, dated first_seen and attributed to created_by, and the history page shows an
    # unchanged item's row as its 'created' entry. Most feed items never change: a large feed writes half.
    history = HistoricalRecords(excluded_fields=["provenance", "last_seen"])
    FIRST_VERSION_ON_ROW = ("first_seen", "created_by")  # (dated by, created by): one place for both users

    class Meta:
        ordering = ["-last_seen", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="intel_item_kind_external_id")
        ]
        indexes = [models.Index(fields=["last_seen"]), models.Index(fields=["first_seen"])]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.title}" if self.title != self.external_id else self.title

    def get_absolute_url(self) -> str:
        return reverse("intel:item", args=[self.pk])

    @property
    def tlp_class(self) -> str:
        return {"green": "ok", "amber": "warn", "amber+strict": "warn", "red": "bad"}.get(self.tlp, "")


class Vulnerability(models.Model):
    cve_id = models.CharField(max_length=30, unique=True)
    item = models.OneToOneField(IntelItem, on_delete=models.CASCADE, related_name="vulnerability")
    description = models.TextField(blank=True)
    cvss_score = models.FloatField(null=True, blank=True)
    cvss_vector = models.CharField(max_length=200, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    cpe_matches = models.JSONField(default=list, blank=True)
    vendor_project = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)
    in_kev = models.BooleanField(default=False)
    kev_date_added = models.DateField(null=True, blank=True)
    kev_due_date = models.DateField(null=True, blank=True)
    kev_known_ransomware = models.BooleanField(null=True, blank=True)
    kev_required_action = models.TextField(blank=True)
    epss = models.FloatField(null=True, blank=True)
    epss_percentile = models.FloatField(null=True, blank=True)
    epss_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cve_id"]
        verbose_name_plural = "vulnerabilities"
        indexes = [models.Index(fields=["in_kev"]), models.Index(fields=["epss"])]

    def __str__(self) -> str:
        return self.cve_id

    def get_absolute_url(self) -> str:
        return reverse("intel:item", args=[self.item_id])


class IntelEvent(models.Model):
    """Append-only: what an ingest changed. Correlation sets processed_at when it has looked at one."""

    kind = models.CharField(max_length=20, choices=EVENT_KINDS)
    item = models.ForeignKey(IntelItem, on_delete=models.CASCADE, related_name="events")
    vulnerability = models.ForeignKey(
        Vulnerability, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["processed_at"]), models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.item.external_id}"

    def get_absolute_url(self) -> str:
        return reverse("intel:item", args=[self.item_id])
