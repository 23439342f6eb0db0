"""People, competence and training (ISO/IEC 27001 clause 7.2, ISO/IEC 27002 control 6.3).

People are not necessarily users of aisms. Roles need competences; training modules give them; roles are
assigned modules with a due period; completions record who completed what, when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aisms.catalogue.training_modules import CATEGORIES

CATEGORY_CHOICES = [(c, c.replace("_", " ").capitalize().replace("Ai ", "AI ")) for c in CATEGORIES]
EVIDENCE_CHOICES = [
    ("training", "Training"),
    ("qualification", "Qualification"),
    ("experience", "Experience"),
]
SOURCE_CHOICES = [("manual", "Entered by hand"), ("lms", "LMS import")]


class Competence(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES, default="security")
    starter_id = models.CharField(max_length=80, blank=True, help_text="Identifier in the starter set.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:roles") + f"#competence-{self.pk}"


class JobRole(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    competences = models.ManyToManyField(
        Competence, through="RoleCompetence", related_name="roles", blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:roles") + f"#role-{self.pk}"


class RoleCompetence(models.Model):
    """A competence a role needs, and how it is evidenced."""

    role = models.ForeignKey(JobRole, on_delete=models.CASCADE, related_name="requirements")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="requirements")
    evidence = models.CharField(max_length=20, choices=EVIDENCE_CHOICES, default="training")
    history = HistoricalRecords()

    class Meta:
        ordering = ["role__name", "competence__name"]
        constraints = [
            models.UniqueConstraint(fields=["role", "competence"], name="people_role_competence_once")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.competence} ({self.evidence})"

    def get_absolute_url(self) -> str:
        return reverse("people:roles") + f"#role-{self.role_id}"


class Person(models.Model):
    employee_id = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, verbose_name="e-mail")
    department = models.CharField(max_length=100, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    roles = models.ManyToManyField(JobRole, blank=True, related_name="people")
    start_date = models.DateField(default=timezone.localdate)
    active = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[roles])

    class Meta:
        ordering = ["name", "employee_id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_id})"

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.pk])


class TrainingModule(models.Model):
    code = models.SlugField(max_length=80, unique=True, help_text="Stable identifier, used by LMS imports.")
    title = models.CharField(max_length=200)
    objectives = models.TextField(blank=True, help_text="Learning objectives, one per line.")
    duration_minutes = models.PositiveIntegerField(default=30)
    recurrence_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="Repeat after this many months (empty: once)."
    )
    competences = models.ManyToManyField(Competence, blank=True, related_name="modules")
    starter_id = models.CharField(max_length=80, blank=True)
    history = HistoricalRecords(m2m_fields=[competences])

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("people:modules") + f"#module-{self.pk}"


class ModuleAssignment(models.Model):
    role = models.ForeignKey(JobRole, on_delete=models.CASCADE, related_name="assignments")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="assignments")
    due_days = models.PositiveIntegerField(default=30, help_text="Days after a person's start date.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["role__name", "module__title"]
        constraints = [models.UniqueConstraint(fields=["role", "module"], name="people_assignment_once")]

    def __str__(self) -> str:
        return f"{self.module} → {self.role}"

    def get_absolute_url(self) -> str:
        return reverse("people:modules") + f"#module-{self.module_id}"


class Completion(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="completions")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    completed_on = models.DateField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.CharField(max_length=2000, blank=True, help_text="Certificate reference or link.")
    source = models.CharField(max_length=10, choices=SOURCE_CHOICES, default="manual")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "module", "completed_on"], name="people_completion_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name}: {self.module} on {self.completed_on}"

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.person_id]) + "#completions"


class CompetenceRecord(models.Model):
    """A qualification or experience showing that a person holds a competence (completions show training)."""

    KIND_CHOICES = [("qualification", "Qualification"), ("experience", "Experience")]
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="competence_records")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    description = models.CharField(
        max_length=300, help_text="E.g. 'ISC2 CISSP', 'three years running supplier security assessments'."
    )
    obtained_on = models.DateField(help_text="When it was obtained, or since when the experience counts.")
    expires_on = models.DateField(null=True, blank=True, help_text="Leave empty if it does not expire.")
    reference = models.CharField(max_length=500, blank=True, help_text="Certificate number or link.")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["person__name", "competence__name", "-obtained_on"]

    def __str__(self) -> str:
        return f"{self.person}: {self.competence} ({self.get_kind_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.person_id]) + "#competence-records"


class ReminderSent(models.Model):
    """A reminder e-mail sent: never twice for the same person, module and due date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminders")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField()
    status = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "module", "due_date"], name="people_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} / {self.module} / {self.due_date}"
