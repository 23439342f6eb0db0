"""Questionnaires and assessments: template versions, sending an assessment through a single-purpose link,
the supplier's draft and submission, scoring, findings and raising a finding as a risk.

The link's token is a random secret shown once; only its SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.context.models import Organisation
from aisms.apps.risks import services as risk_services
from aisms.apps.risks.models import Risk
from aisms.apps.suppliers.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Finding,
    FindingStatus,
    QuestionnaireTemplate,
    Rating,
    Supplier,
    TemplateVersion,
)
from aisms.apps.suppliers.services import _check, _save, record_assessment_review
from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.supplier_questionnaires import (
    TemplateFileError,
    load_starter_questionnaires,
    parse_template_text,
)
from aisms.domain.access import Action
from aisms.domain.suppliers.questionnaire import (
    AnswerProblem,
    AnswerValue,
    QuestionType,
    Template,
    TemplateError,
    coerce_answer,
    missing_required,
    template_from_dict,
    template_to_dict,
    visible_questions,
)
from aisms.domain.suppliers.scoring import ScoreResult, score_answers

LINK_DAYS_DEFAULT = 14
LINK_DAYS_MAX = 90
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# extension -> (content type, leading bytes it must start with; None: text, checked as UTF-8)
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}
SEVERITY_SCORES = {"low": (2, 2), "medium": (3, 3), "high": (4, 4), "critical": (4, 5)}
AI_SUPPLY_CHAIN_THREAT = "atlas:AML.T0010"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ templates


def template_of(version: TemplateVersion) -> Template:
    return template_from_dict(version.definition)


def _add_version(
    template: QuestionnaireTemplate, parsed: Template, actor: User | None, notes: str
) -> TemplateVersion:
    latest = template.versions.aggregate(v=Max("version"))["v"] or 0
    version = TemplateVersion(
        template=template,
        version=latest + 1,
        definition=template_to_dict(parsed),
        notes=notes.strip()[:300],
        created_by=actor,
    )
    _save(version, actor)
    return version


def adopt_starter_templates(actor: User | None) -> list[TemplateVersion]:
    """Add the shipped templates not adopted yet (by key); adopted ones are left as they are."""
    _check(actor, Action.MANAGE_ORGANISATION)
    added = []
    with transaction.atomic():
        for parsed in load_starter_questionnaires():
            if QuestionnaireTemplate.objects.filter(key=parsed.key).exists():
                continue
            template = QuestionnaireTemplate(
                key=parsed.key, title=parsed.title, description=parsed.description
            )
            _save(template, actor)
            added.append(_add_version(template, parsed, actor, "Starter template shipped with aisms."))
    return added


def parse_definition(definition: str | Mapping[str, Any], filename: str = "template") -> Template:
    """A template from YAML/JSON text or an already parsed mapping; ValidationError names line and field."""
    try:
        if isinstance(definition, str):
            return parse_template_text(definition, filename)
        return template_from_dict(definition)
    except TemplateFileError as exc:
        raise ValidationError({"definition": [str(p) for p in exc.problems]}) from exc
    except TemplateError as exc:
        raise ValidationError({"definition": [str(p) for p in exc.problems]}) from exc
    except CatalogueError as exc:
        raise ValidationError({"definition": str(exc)}) from exc


def create_template(
    actor: User | None, definition: str | Mapping[str, Any], notes: str = ""
) -> TemplateVersion:
    _check(actor, Action.MANAGE_ORGANISATION)
    parsed = parse_definition(definition)
    with transaction.atomic():
        if QuestionnaireTemplate.objects.filter(key=parsed.key).exists():
            raise ValidationError({"key": f"a template with key {parsed.key!r} exists; add a version to it"})
        template = QuestionnaireTemplate(key=parsed.key, title=parsed.title, description=parsed.description)
        _save(template, actor)
        return _add_version(template, parsed, actor, notes or "First version.")


def add_template_version(
    actor: User | None, template: QuestionnaireTemplate, definition: str | Mapping[str, Any], notes: str
) -> TemplateVersion:
    """An edit is always a new version; versions already sent stay exactly as the supplier saw them."""
    _check(actor, Action.MANAGE_ORGANISATION)
    parsed = parse_definition(definition)
    if parsed.key != template.key:
        raise ValidationError({"definition": f"the key must stay {template.key!r}"})
    if not notes.strip():
        raise ValidationError({"notes": "say what changed"})
    with transaction.atomic():
        template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
        template.title, template.description = parsed.title, parsed.description
        _save(template, actor)
        return _add_version(template, parsed, actor, notes)


# ------------------------------------------------------------------ sending


@dataclass(frozen=True)
class SentLink:
    assessment: Assessment
    token: str  # shown once; only its hash is stored
    path: str


def portal_path(token: str) -> str:
    return f"/supplier-portal/{token}/"


def _issue_token(assessment: Assessment, days: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    assessment.token_hash = hash_token(token)
    assessment.expires_at = now + timedelta(days=days)
    return token


def _email(assessment: Assessment, link: str) -> None:
    organisation = Organisation.objects.order_by("pk").first()
    who = organisation.name if organisation and organisation.name else "Our organisation"
    due = f" by {assessment.due_date:%d %B %Y}" if assessment.due_date else ""
    body = (
        f"Hello {assessment.contact_name},\n\n"
        f"{who} asks {assessment.supplier.name} to answer the questionnaire "
        f"'{assessment.template_version.template.title}'{due}.\n\n"
        f"Open this link to answer; you can save a draft and come back later:\n{link}\n\n"
        f"The link works until {assessment.expires_at:%d %B %Y %H:%M} UTC and only for this questionnaire. "
        "Please do not forward it.\n"
    )
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "aisms@localhost")
    send_mail(f"Supplier questionnaire from {who}", body, sender, [assessment.contact_email])


def send_assessment(
    actor: User | None,
    supplier: Supplier,
    version: TemplateVersion,
    *,
    contact_name: str,
    contact_email: str,
    base_url: str,
    due_date: date | None = None,
    link_days: int = LINK_DAYS_DEFAULT,
    email: bool = True,
) -> SentLink:
    """Create an assessment and e-mail its single-purpose link to the supplier contact (email=False: the
    caller passes the link on, e.g. the demo)."""
    _check(actor, Action.CREATE)
    if not 1 <= link_days <= LINK_DAYS_MAX:
        raise ValidationError({"link_days": f"from 1 to {LINK_DAYS_MAX} days"})
    now = timezone.now()
    with transaction.atomic():
        assessment = Assessment(
            supplier=supplier,
            template_version=version,
            contact_name=contact_name.strip(),
            contact_email=contact_email.strip(),
            due_date=due_date,
            status=AssessmentStatus.SENT,
            sent_at=now,
            sent_by=actor,
        )
        token = _issue_token(assessment, link_days, now)
        _save(assessment, actor)
        link = base_url.rstrip("/") + portal_path(token)
        if email:
            transaction.on_commit(lambda: _email(assessment, link))
    return SentLink(assessment, token, portal_path(token))


def reissue_link(
    actor: User | None, assessment: Assessment, *, base_url: str, link_days: int = LINK_DAYS_DEFAULT
) -> SentLink:
    """A new link (the old one stops working at once), e.g. when the first expired; answers are kept."""
    _check(actor, Action.EDIT, assessment.supplier)
    if assessment.status not in {AssessmentStatus.SENT, AssessmentStatus.DRAFT}:
        raise ValidationError({"status": "only an assessment not yet submitted gets a new link"})
    if not 1 <= link_days <= LINK_DAYS_MAX:
        raise ValidationError({"link_days": f"from 1 to {LINK_DAYS_MAX} days"})
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        token = _issue_token(assessment, link_days, timezone.now())
        assessment.status = AssessmentStatus.SENT
        _save(assessment, actor)
        link = base_url.rstrip("/") + portal_path(token)
        transaction.on_commit(lambda: _email(assessment, link))
    return SentLink(assessment, token, portal_path(token))


def cancel_assessment(actor: User | None, assessment: Assessment) -> Assessment:
    _check(actor, Action.EDIT, assessment.supplier)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.status in {AssessmentStatus.SCORED, AssessmentStatus.CANCELLED}:
            raise ValidationError({"status": f"a {assessment.status} assessment cannot be cancelled"})
        assessment.status = AssessmentStatus.CANCELLED
        assessment.token_hash = ""
        _save(assessment, actor)
    return assessment


# ------------------------------------------------------------------ the supplier's side (through the link)


class LinkState:
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    SUBMITTED = "submitted"


def find_by_token(token: str, now: datetime) -> tuple[Assessment | None, str]:
    """The assessment a link opens, and whether the link may still change it."""
    if not token or len(token) > 100:
        return None, LinkState.UNKNOWN
    assessment = (
        Assessment.objects.select_related("supplier", "template_version__template")
        .filter(token_hash=hash_token(token))
        .exclude(status=AssessmentStatus.CANCELLED)
        .first()
    )
    if assessment is None:
        return None, LinkState.UNKNOWN
    if assessment.status in {AssessmentStatus.SUBMITTED, AssessmentStatus.SCORED}:
        return assessment, LinkState.SUBMITTED
    if assessment.expires_at is None or assessment.expires_at <= now:
        return assessment, LinkState.EXPIRED
    return assessment, LinkState.VALID


def stored_answers(assessment: Assessment) -> dict[str, AnswerValue]:
    out: dict[str, AnswerValue] = {}
    for answer in assessment.answers.all():
        value = answer.value
        out[answer.question_id] = tuple(value) if isinstance(value, list) else value
    return out


def _check_evidence(upload: UploadedFile[Any]) -> tuple[str, str]:
    name = get_valid_filename(PurePath(upload.name or "evidence").name)[-120:] or "evidence"
    suffix = PurePath(name).suffix.lower()
    limit = min(EVIDENCE_MAX_BYTES, settings.AISMS_MAX_UPLOAD_BYTES)
    if suffix not in EVIDENCE_TYPES:
        raise ValueError(f"{name}: allowed types are {', '.join(sorted(EVIDENCE_TYPES))}")
    if upload.size is None or upload.size > limit:
        raise ValueError(f"{name}: larger than {limit // (1024 * 1024)} MB")
    content_type, magic = EVIDENCE_TYPES[suffix]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            if len(head) < 2048:
                raise ValueError(f"{name}: not a text file") from None
    elif not any(head.startswith(m) for m in magic):
        raise ValueError(f"{name}: the content is not a {suffix} file")
    return name, content_type


def save_answers(
    assessment: Assessment,
    raw: Mapping[str, Any],
    files: Mapping[str, UploadedFile[Any]],
    *,
    submit: bool,
    now: datetime,
) -> list[AnswerProblem]:
    """Save the supplier's answers as a draft, or submit them. All or nothing: with any problem nothing is
    stored and the problems are returned. Answers to questions the answers hide are removed."""
    template = template_of(assessment.template_version)
    current = stored_answers(assessment)
    merged: dict[str, AnswerValue] = dict(current)
    problems: list[AnswerProblem] = []
    uploads: dict[str, tuple[UploadedFile[Any], str, str]] = {}
    for question in template.questions:
        if question.type is QuestionType.FILE:
            upload = files.get(question.id)
            if upload is not None:
                try:
                    name, content_type = _check_evidence(upload)
                except ValueError as exc:
                    problems.append(AnswerProblem(question.id, str(exc)))
                    continue
                uploads[question.id] = (upload, name, content_type)
                merged[question.id] = name
            continue
        value, problem = coerce_answer(question, raw.get(question.id))
        if problem:
            problems.append(AnswerProblem(question.id, problem))
        merged[question.id] = value
    shown = {q.id for q in visible_questions(template, merged)}
    problems = [p for p in problems if p.question in shown]
    if submit:
        problems += missing_required(template, {k: v for k, v in merged.items() if k in shown})
    if problems:
        return problems
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != AssessmentStatus.SENT:
            return [AnswerProblem("", "this questionnaire was already submitted")]
        existing = {a.question_id: a for a in locked.answers.all()}
        for question in template.questions:
            value = merged.get(question.id)
            answer = existing.get(question.id)
            if question.id not in shown or value is None:
                if answer is not None:
                    if answer.file:
                        answer.file.delete(save=False)
                    answer.delete()
                continue
            answer = answer or Answer(assessment=locked, question_id=question.id)
            if question.id in uploads:
                upload, name, content_type = uploads[question.id]
                if answer.file:
                    answer.file.delete(save=False)
                answer.file.save(name, upload, save=False)
                answer.file_name, answer.file_size, answer.content_type = name, upload.size, content_type
                value = name
            answer.value = list(value) if isinstance(value, tuple) else value
            answer.updated_at = now
            answer.save()
        locked.draft_saved_at = now
        if submit:
            result = score_answers(template, stored_answers(locked))
            locked.status = AssessmentStatus.SUBMITTED
            locked.submitted_at = now
            _store_score(locked, result)
        locked.save()
    return []


def _store_score(assessment: Assessment, result: ScoreResult) -> None:
    assessment.score = result.score
    assessment.score_details = {
        "method": result.method,
        "template_version": assessment.template_version.version,
        "answered": result.answered,
        "visible": result.visible,
        "completeness": result.completeness,
        "unanswered": list(result.unanswered),
        "sections": [asdict(s) for s in result.sections],
        "flags": [asdict(f) for f in result.flags],
    }


# ------------------------------------------------------------------ reviewing


def compute_score(assessment: Assessment) -> ScoreResult:
    return score_answers(template_of(assessment.template_version), stored_answers(assessment))


def score_assessment(
    actor: User | None, assessment: Assessment, *, rating: str, comments: str = ""
) -> Assessment:
    """The reviewer's verdict on a submitted assessment; the computed score is stored with its method.
    A scored assessment counts as the supplier's review, so the next review date moves on: the same
    object rule as marking the supplier reviewed (a contributor only on suppliers they own)."""
    _check(actor, Action.EDIT, assessment.supplier)
    if rating not in Rating.values:
        raise ValidationError({"rating": f"one of {', '.join(Rating.values)}"})
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.status not in {AssessmentStatus.SUBMITTED, AssessmentStatus.SCORED}:
            raise ValidationError({"status": "the supplier has not submitted this assessment yet"})
        _store_score(assessment, compute_score(assessment))
        assessment.rating = rating
        assessment.reviewer_comments = comments.strip()
        assessment.status = AssessmentStatus.SCORED
        assessment.scored_by = actor
        assessment.scored_at = timezone.now()
        _save(assessment, actor)
        record_assessment_review(assessment.supplier, timezone.localdate(), actor)
    return assessment


def raise_finding(
    actor: User | None,
    supplier: Supplier,
    *,
    title: str,
    severity: str = "medium",
    description: str = "",
    assessment: Assessment | None = None,
    question_id: str = "",
) -> Finding:
    _check(actor, Action.CREATE)
    if assessment is not None and assessment.supplier_id != supplier.pk:
        raise ValidationError({"assessment": "that assessment is of another supplier"})
    if (
        question_id
        and assessment is not None
        and question_id not in template_of(assessment.template_version).by_id
    ):
        raise ValidationError({"question_id": f"no question {question_id!r} in this questionnaire"})
    with transaction.atomic():
        finding = Finding(
            supplier=supplier,
            assessment=assessment,
            question_id=question_id,
            title=title.strip(),
            description=description.strip(),
            severity=severity,
            created_by=actor,
        )
        _save(finding, actor)
    return finding


def update_finding(actor: User | None, finding: Finding, **values: Any) -> Finding:
    _check(actor, Action.EDIT, finding.supplier)
    allowed = {"title", "description", "severity", "status"}
    with transaction.atomic():
        for name, value in values.items():
            if name not in allowed:
                raise ValidationError({name: "not a field you can set"})
            setattr(finding, name, value.strip() if isinstance(value, str) else value)
        _save(finding, actor)
    return finding


def raise_as_risk(
    actor: User,
    finding: Finding,
    *,
    likelihood: int | None = None,
    impact: int | None = None,
    owner: User | None = None,
) -> Risk:
    """A risk in the register from a finding, linked to the supplier's assets; the finding points to it."""
    require(actor, Action.CREATE)
    if finding.risk_id is not None:
        raise ValidationError({"risk": f"already raised as {finding.risk.ref}"})  # type: ignore[union-attr]  # risk_id is set
    supplier = finding.supplier
    method = risk_services.current_method()
    default_l, default_i = SEVERITY_SCORES.get(finding.severity, (3, 3))
    l_max, i_max = len(method.likelihood), len(method.impact)
    like = min(likelihood or default_l, l_max)
    imp = min(impact or default_i, i_max)
    threat = None
    custom = ""
    if supplier.uses_ai_on_our_data:
        threat = CatalogueEntry.objects.filter(uid=AI_SUPPLY_CHAIN_THREAT).first()
    if threat is None:
        custom = f"Supplier failure or compromise: {supplier.name}"
    description = (
        f"Raised from a supplier finding on {supplier.name}"
        + (f" (assessment #{finding.assessment_id})" if finding.assessment_id else "")
        + f".\n\n{finding.description}".rstrip()
    )
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.risk_id is not None:
            raise ValidationError({"risk": "already raised as a risk"})
        risk = risk_services.create_risk(
            actor,
            title=f"{supplier.name}: {finding.title}"[:300],
            scores=risk_services.Scores(
                inherent=(like, imp), current=(like, imp), target=(max(1, like - 2), imp)
            ),
            assets=list(supplier.assets.all()),
            threat=threat,
            custom_threat=custom,
            owner=owner or supplier.owner,
            description=description,
            vulnerability=finding.title,
        )
        finding.risk = risk
        finding.status = FindingStatus.RAISED_AS_RISK
        _save(finding, actor)
    return risk


def require_evidence_access(user: User) -> None:
    """Evidence files are served only to logged-in users who may view registers."""
    if not user.is_authenticated:
        raise PermissionDenied("log in to see evidence")
    require(user, Action.VIEW)
