"""Questionnaire template endpoints: the starter templates, new templates and new versions."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status

from aisms.apps.accounts.services import require
from aisms.apps.suppliers import assessments
from aisms.apps.suppliers.api.assessment_schemas import SupplierTemplateOut, TemplateIn, TemplateVersionOut
from aisms.apps.suppliers.api.routing import (
    actor_of,
    router,
)
from aisms.apps.suppliers.models import (
    QuestionnaireTemplate,
    TemplateVersion,
)
from aisms.domain.access import Action


@router.get("/templates", response=list[SupplierTemplateOut], summary="Questionnaire templates")
def list_templates(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    return list(QuestionnaireTemplate.objects.prefetch_related("versions"))


@router.post(
    "/templates/adopt-starter",
    response=list[TemplateVersionOut],
    summary="Add the shipped starter questionnaires not adopted yet",
)
def adopt_starter(request: HttpRequest) -> Any:
    return assessments.adopt_starter_templates(actor_of(request))


@router.post("/templates", response={201: TemplateVersionOut}, summary="Add a questionnaire template")
def create_template(request: HttpRequest, payload: TemplateIn) -> Status[TemplateVersion]:
    return Status(201, assessments.create_template(actor_of(request), payload.definition, payload.notes))


@router.get("/templates/{int:template_id}", response=SupplierTemplateOut, summary="One template")
def get_template(request: HttpRequest, template_id: int) -> QuestionnaireTemplate:
    require(actor_of(request), Action.VIEW)
    return get_object_or_404(QuestionnaireTemplate, pk=template_id)


@router.get(
    "/templates/{int:template_id}/versions/{int:version}",
    response=TemplateVersionOut,
    summary="One version of a template, with its questions",
)
def get_template_version(request: HttpRequest, template_id: int, version: int) -> TemplateVersion:
    require(actor_of(request), Action.VIEW)
    return get_object_or_404(TemplateVersion, template_id=template_id, version=version)


@router.post(
    "/templates/{int:template_id}/versions",
    response={201: TemplateVersionOut},
    summary="Save an edited template as a new version (versions already sent never change)",
)
def add_version(request: HttpRequest, template_id: int, payload: TemplateIn) -> Status[TemplateVersion]:
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    template = get_object_or_404(QuestionnaireTemplate, pk=template_id)
    return Status(201, assessments.add_template_version(actor, template, payload.definition, payload.notes))
