"""Supplier relationships (ISO/IEC 27002:2022 controls 5.19-5.22, with 5.21 the ICT supply chain):
the supplier register with its AI use, questionnaires and assessments sent through a single-purpose link,
findings, contract clauses and the re-assessment schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.apps.assets.models import CLASSIFICATION_CHOICES, Asset
from aisms.domain.suppliers.clauses import CLAUSES, ClauseStatus
from aisms.domain.suppliers.schedule import Tier

TIER_CHOICES = [(t.value, t.label) for t in Tier]
CLAUSE_CHOICES = [(c.key, c.title) for c in CLAUSES]
CLAUSE_STATUS_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in ClauseStatus]
SEVERITY_CHOICES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]


class SupplierStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    EXITING = "exiting", "Exiting"
    ENDED = "ended", "Ended"


class TrainingUse(models.TextChoices):
    UNKNOWN = "unknown", "Not known"
    NEVER = "never", "Never trains on our data"
    WITH_CONSENT = "with_consent", "Only with our prior consent"
    OPT_OUT = "opt_out", "Trains unless we opt out"
    ALWAYS = "always", "Trains on our data"


class CertificationKind(models.TextChoices):
    ISO27001 = "iso27001", "ISO/IEC 27001"
    ISO42001 = "iso42001", "ISO/IEC 42001"
    ISO27701 = "iso27701", "ISO/IEC 27701"
    ISO27017 = "iso27017", "ISO/IEC 27017"
    ISO27018 = "iso27018", "ISO/IEC 27018"
    SOC2_TYPE2 = "soc2_type2", "SOC 2 Type II"
    SOC2_TYPE1 = "soc2_type1", "SOC 2 Type I"
    C5 = "c5", "BSI C5"
    HDS = "hds", "HDS (French health data hosting)"
    OTHER = "other", "Other"


class ReviewPolicy(models.Model):
    """How often suppliers are re-assessed by tier (one row for the organisation)."""

    tier1_months = models.PositiveSmallIntegerField(default=6)
    tier2_months = models.PositiveSmallIntegerField(default=12)
    tier3_months = models.PositiveSmallIntegerField(default=24)
    reminder_days = models.PositiveSmallIntegerField(default=30, help_text="Remind this many days ahead.")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Reviews every {self.tier1_months}/{self.tier2_months}/{self.tier3_months} months"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:overview")


class Supplier(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    status = models.CharField(max_length=20, choices=SupplierStatus.choices, default=SupplierStatus.ACTIVE)
    tier = models.PositiveSmallIntegerField(choices=TIER_CHOICES, default=Tier.STANDARD.value)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True, verbose_name="contact e-mail")
    contract_reference = models.CharField(max_length=100, blank=True)
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    # AI use
    uses_ai_on_our_data = models.BooleanField(null=True, blank=True, verbose_name="uses AI on our data")
    trains_on_our_data = models.CharField(
        max_length=20, choices=TrainingUse.choices, default=TrainingUse.UNKNOWN
    )
    model_providers = models.JSONField(default=list, blank=True, help_text="Model providers it depends on.")
    processing_locations = models.CharField(
        max_length=300, blank=True, help_text="Where our data is processed."
    )
    storage_locations = models.CharField(max_length=300, blank=True, help_text="Where our data is kept.")
    model_change_notification = models.CharField(
        max_length=300, blank=True, help_text="How the supplier tells us about model changes."
    )
    ai_notes = models.TextField(blank=True, verbose_name="AI notes")
    assets = models.ManyToManyField(Asset, blank=True, related_name="suppliers")
    onboarded_on = models.DateField(default=timezone.localdate)
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[assets])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("suppliers:detail", args=[self.pk])


class _Child(models.Model):
    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse("suppliers:detail", args=[self.supplier_id])  # type: ignore[attr-defined]  # defined by subclasses


class SupplierService(_Child):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=[("service", "Service"), ("product", "Product")], default="service"
    )
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DataShared(_Child):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="data_shared")
    category = models.CharField(max_length=200, help_text="What data, e.g. consultation audio.")
    classification = models.CharField(max_length=20, choices=CLASSIFICATION_CHOICES, default="internal")
    personal_data = models.BooleanField(default=False)
    special_category = models.BooleanField(default=False, help_text="Health or other special-category data.")
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category"]
        verbose_name_plural = "data shared"

    def __str__(self) -> str:
        return f"{self.category} ({self.classification})"


class Certification(_Child):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="certifications")
    kind = models.CharField(max_length=20, choices=CertificationKind.choices)
    name = models.CharField(max_length=200, blank=True, help_text="For 'other': what it is.")
    scope = models.TextField(blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    evidence = models.CharField(
        max_length=500, blank=True, help_text="Certificate number or report reference."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["expires_on", "kind"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class SubProcessor(_Child):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="subprocessors")
    name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=200, blank=True)
    uses_ai = models.BooleanField(default=False, verbose_name="uses AI")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContractClause(_Child):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="clauses")
    key = models.CharField(max_length=40, choices=CLAUSE_CHOICES)
    status = models.CharField(
        max_length=20, choices=CLAUSE_STATUS_CHOICES, default=ClauseStatus.MISSING.value
    )
    reference = models.CharField(max_length=200, blank=True, help_text="Where in the contract, e.g. DPA s.7.")
    notification_hours = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier", "key"]
        constraints = [models.UniqueConstraint(fields=["supplier", "key"], name="suppliers_clause_once")]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.get_key_display()} ({self.status})"


class QuestionnaireTemplate(models.Model):
    key = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("suppliers:template", args=[self.pk])

    @property
    def latest(self) -> TemplateVersion | None:
        return self.versions.order_by("-version").first()


class TemplateVersion(models.Model):
    """One version of a template's questions; never changed once written (a change is a new version)."""

    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    notes = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="suppliers_template_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.template.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:template", args=[self.template_id]) + f"?version={self.version}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    SUBMITTED = "submitted", "Submitted"
    SCORED = "scored", "Scored"
    CANCELLED = "cancelled", "Cancelled"


class Rating(models.TextChoices):
    ACCEPTABLE = "acceptable", "Acceptable"
    CONDITIONS = "conditions", "Acceptable with conditions"
    NOT_ACCEPTABLE = "not_acceptable", "Not acceptable"


class Assessment(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="assessments")
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(verbose_name="contact e-mail")
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    due_date = models.DateField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    score_details = models.JSONField(
        default=dict, blank=True, help_text="Method, section scores and red flags."
    )
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    reviewer_comments = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.template_version} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:assessment", args=[self.pk])


def evidence_path(instance: Answer, filename: str) -> str:
    return f"suppliers/assessment-{instance.assessment_id}/{instance.question_id}-{filename}"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=64)
    value = models.JSONField(null=True, blank=True)
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question_id"], name="suppliers_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:assessment", args=[self.assessment_id]) + f"#q-{self.question_id}"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    RAISED_AS_RISK = "raised_as_risk", "Raised as a risk"
    RESOLVED = "resolved", "Resolved"
    ACCEPTED = "accepted", "Accepted"


class Finding(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="findings")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    question_id = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES, default="medium")
    status = models.CharField(max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    risk = models.ForeignKey(
        "risks.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="supplier_findings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:detail", args=[self.supplier_id]) + f"#finding-{self.pk}"


class PortalRequestWindow(models.Model):
    """How many supplier-portal requests one key (a token hash or an address) made in one fixed window.

    Kept in the database so that every server process and thread counts against the same limit."""

    key = models.CharField(max_length=80)
    window = models.BigIntegerField()  # epoch seconds // window length
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="portal_request_window_unique")]

    def __str__(self) -> str:
        return f"{self.key} @{self.window}: {self.count}"
