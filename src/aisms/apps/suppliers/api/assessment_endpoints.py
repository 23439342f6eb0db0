"""Assessment endpoints: sending a questionnaire (the link is returned once), re-issuing its link,
cancelling, scoring, and downloading the evidence a supplier uploaded."""

from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status
from ninja.pagination import paginate

from aisms.apps.accounts.services import require
from aisms.apps.suppliers import assessments
from aisms.apps.suppliers.api.assessment_schemas import (
    AssessmentDetailOut,
    AssessmentOut,
    LinkIn,
    ScoreIn,
    SendIn,
    SentOut,
)
from aisms.apps.suppliers.api.routing import (
    actor_of,
    assessment_or_404,
    router,
    supplier_or_404,
)
from aisms.apps.suppliers.models import (
    Answer,
    Assessment,
    TemplateVersion,
)
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.config.public_url import public_base_url
from aisms.domain.access import Action


@router.get("/assessments", response=list[AssessmentOut], summary="Assessments, filtered")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_assessments(
    request: HttpRequest,
    supplier: int | None = None,
    status: Literal["", "draft", "sent", "submitted", "scored", "cancelled"] = "",
) -> Any:
    require(actor_of(request), Action.VIEW)
    rows = Assessment.objects.select_related("template_version__template")
    if supplier is not None:
        rows = rows.filter(supplier_id=supplier)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


@router.post(
    "/suppliers/{int:supplier_id}/assessments",
    response={201: SentOut},
    summary="Send a questionnaire: e-mails the contact a single-purpose link, returned here once",
)
def send_assessment(request: HttpRequest, supplier_id: int, payload: SendIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    supplier = supplier_or_404(supplier_id)
    version = get_object_or_404(TemplateVersion, pk=payload.template_version)
    sent = assessments.send_assessment(
        actor,
        supplier,
        version,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        due_date=payload.due_date,
        link_days=payload.link_days,
        base_url=public_base_url(),
    )
    return Status(201, {"assessment": sent.assessment, "link": public_base_url() + sent.path})


@router.get("/assessments/{int:assessment_id}", response=AssessmentDetailOut, summary="One assessment")
def get_assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    require(actor_of(request), Action.VIEW)
    return assessment_or_404(assessment_id)


@router.post(
    "/assessments/{int:assessment_id}/reissue-link",
    response=SentOut,
    summary="A new link for an assessment not yet submitted (the old link stops working)",
)
def reissue_link(request: HttpRequest, assessment_id: int, payload: LinkIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    sent = assessments.reissue_link(
        actor, assessment_or_404(assessment_id), base_url=public_base_url(), link_days=payload.link_days
    )
    return {"assessment": sent.assessment, "link": public_base_url() + sent.path}


@router.post(
    "/assessments/{int:assessment_id}/cancel", response=AssessmentOut, summary="Cancel an assessment"
)
def cancel_assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    return assessments.cancel_assessment(actor, assessment_or_404(assessment_id))


@router.post(
    "/assessments/{int:assessment_id}/score",
    response=AssessmentOut,
    summary="Record the reviewer's rating; the computed score is stored with its method",
)
def score_assessment(request: HttpRequest, assessment_id: int, payload: ScoreIn) -> Assessment:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    return assessments.score_assessment(
        actor, assessment_or_404(assessment_id), rating=payload.rating, comments=payload.comments
    )


@router.get(
    "/evidence/{int:answer_id}",
    summary="Download an evidence file a supplier uploaded (always as an attachment)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def evidence(request: HttpRequest, answer_id: int) -> FileResponse:
    assessments.require_evidence_access(actor_of(request))
    answer = get_object_or_404(Answer, pk=answer_id)
    if not answer.file:
        raise Http404
    response = FileResponse(
        answer.file.open("rb"), as_attachment=True, filename=answer.file_name or "evidence"
    )
    response["Content-Type"] = answer.content_type or "application/octet-stream"
    return response
