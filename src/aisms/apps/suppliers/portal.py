"""The supplier portal: the one page a supplier contact reaches through an assessment's link.

No account and no login. The token in the URL opens exactly one assessment's form: the contact can save a
draft and submit; after submission the page is read-only. Nothing else is reachable with the token, and the
page shows nothing of other suppliers or the ISMS. Requests are rate-limited per token and per address,
counted in the database so that every server process shares the limit, and a refused request changes
nothing. CSRF protection stays on (the page sets the cookie)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from aisms.apps.suppliers import assessments, throttle
from aisms.apps.suppliers.assessments import LinkState
from aisms.apps.suppliers.models import Assessment
from aisms.config.client_address import client_address
from aisms.domain.suppliers.questionnaire import (
    AnswerValue,
    QuestionType,
    Template,
    coerce_answer,
    visible_questions,
)

WINDOW_SECONDS = 10 * 60
MAX_PER_TOKEN = 60
MAX_PER_ADDRESS = 120


def _address(request: HttpRequest) -> str:
    return client_address(request)


def _over_limit(token: str, address: str) -> bool:
    """Count this request; True when the token or the address made too many in the window."""
    token_key = "t:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    address_key = "a:" + address[:70]
    over = False
    for key, limit in ((token_key, MAX_PER_TOKEN), (address_key, MAX_PER_ADDRESS)):
        over = throttle.hit(key, WINDOW_SECONDS) > limit or over
    return over


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin (not no-referrer): the token never leaves in a Referer to another site, and the browser
    # still sends a real Origin on the form's POST, which the CSRF check needs.
    response["Referrer-Policy"] = "same-origin"
    return response


def _condition_data(template: Template) -> dict[str, list[dict[str, Any]]]:
    """The show_if rules for the page's script (data only; the server decides again on save)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for question in template.questions:
        if question.show_if:
            out[question.id] = [
                {
                    "question": c.question,
                    "op": c.op.value,
                    "value": list(c.value) if isinstance(c.value, tuple) else c.value,
                }
                for c in question.show_if
            ]
    return out


def _form_rows(template: Template, answers: dict[str, AnswerValue], raw: Any = None) -> list[dict[str, Any]]:
    shown = {q.id for q in visible_questions(template, answers)}
    rows = []
    for section in template.sections:
        questions = []
        for q in template.questions:
            if q.section != section.id:
                continue
            value = answers.get(q.id)
            selected: set[str] = set()
            if isinstance(value, tuple):
                selected = set(value)
            elif isinstance(value, str):
                selected = {value}
            elif isinstance(value, bool):
                selected = {"yes" if value else "no"}
            number = ""
            if q.type is QuestionType.NUMBER and isinstance(value, float):
                number = f"{value:g}"
            questions.append(
                {
                    "q": q,
                    "visible": q.id in shown,
                    "value": value,
                    "selected": selected,
                    "number": number,
                    "text": value if isinstance(value, str) and q.type is QuestionType.TEXT else "",
                }
            )
        rows.append({"section": section, "questions": questions})
    return rows


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(token, _address(request)):
        return _page(
            request,
            "suppliers/portal_message.html",
            {
                "title": "Too many requests",
                "message": "Too many requests from this link. Wait a few minutes "
                "and try again; your saved answers are safe.",
            },
            status=429,
        )
    now = timezone.now()
    assessment, state = assessments.find_by_token(token, now)
    if assessment is None or state == LinkState.UNKNOWN:
        return _page(
            request,
            "suppliers/portal_message.html",
            {"title": "Link not found", "message": "This link is not valid. Ask your contact for a new one."},
            status=404,
        )
    if state == LinkState.EXPIRED:
        return _page(
            request,
            "suppliers/portal_message.html",
            {
                "title": "Link expired",
                "message": "This link has expired. Ask your contact to send a new one; "
                "answers you saved are kept.",
            },
            status=410,
        )
    template = assessments.template_of(assessment.template_version)
    answers = assessments.stored_answers(assessment)
    if state == LinkState.SUBMITTED:
        if request.method == "POST":
            return _submitted(request, assessment, template, answers, status=409)
        return _submitted(request, assessment, template, answers)
    problems: list[Any] = []
    saved = ""
    if request.method == "POST":
        action = request.POST.get("action", "save")
        raw = {
            q.id: (
                request.POST.getlist(f"q_{q.id}")
                if q.type is QuestionType.MULTIPLE_CHOICE
                else request.POST.get(f"q_{q.id}")
            )
            for q in template.questions
            if q.type is not QuestionType.FILE
        }
        files = {
            q.id: upload
            for q in template.questions
            if isinstance(upload := request.FILES.get(f"q_{q.id}"), UploadedFile)
        }
        problems = assessments.save_answers(assessment, raw, files, submit=action == "submit", now=now)
        if not problems:
            assessment.refresh_from_db()
            answers = assessments.stored_answers(assessment)
            if action == "submit":
                return _submitted(request, assessment, template, answers, just_now=True)
            saved = "Draft saved. You can come back to this link until it expires."
        else:
            # Show what the contact entered, with the problems next to the questions.
            for q in template.questions:
                if q.id in raw:
                    value, _problem = coerce_answer(q, raw[q.id])
                    answers[q.id] = value
    errors = {p.question: p.message for p in problems}
    context = {
        "assessment": assessment,
        "template": template,
        "sections": _form_rows(template, answers),
        "errors": errors,
        "general_errors": [p.message for p in problems if not p.question],
        "saved": saved,
        "conditions": _condition_data(template),
        "yes_no": [("yes", "Yes"), ("no", "No")],
    }
    return _page(request, "suppliers/portal_form.html", context, status=400 if problems else 200)


def _submitted(
    request: HttpRequest,
    assessment: Assessment,
    template: Template,
    answers: dict[str, AnswerValue],
    *,
    status: int = 200,
    just_now: bool = False,
) -> HttpResponse:
    shown = visible_questions(template, answers)
    rows = [
        {"q": q, "value": answers.get(q.id), "label": answer_label(q.id, template, answers.get(q.id))}
        for q in shown
    ]
    return _page(
        request,
        "suppliers/portal_submitted.html",
        {
            "assessment": assessment,
            "template": template,
            "rows": rows,
            "just_now": just_now,
            "refused": status == 409,
        },
        status=status,
    )


def answer_label(question_id: str, template: Template, value: AnswerValue) -> str:
    question = template.question(question_id)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, tuple):
        return "; ".join((question.option(v).label if question.option(v) else v) for v in value)  # type: ignore[union-attr]  # checked just before
    if question.type is QuestionType.SINGLE_CHOICE and isinstance(value, str):
        option = question.option(value)
        return option.label if option else value
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
