"""API: the organisation profile."""

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from aisms.apps.accounts.services import require
from aisms.apps.context import services
from aisms.apps.context.models import Organisation
from aisms.domain.access import Action

router = Router(tags=["organisation"])


class OrganisationOut(Schema):
    name: str
    sector: str
    country: str
    headcount: int | None
    annual_turnover_eur: Decimal | None
    description: str
    ai_use: str
    is_demo: bool


class OrganisationIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    sector: str = Field(default="", max_length=200)
    country: str = Field(default="", max_length=100)
    headcount: int | None = Field(default=None, ge=0)
    annual_turnover_eur: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    description: str = Field(default="", max_length=10_000)
    ai_use: str = Field(default="", max_length=10_000)


@router.get("", response=OrganisationOut, summary="The organisation whose ISMS this is")
def get_organisation(request: HttpRequest) -> Organisation:
    require(request.auth, Action.VIEW)  # type: ignore[attr-defined]
    organisation = services.current_organisation()
    if organisation is None:
        raise HttpError(404, "no organisation set up yet: run `aisms init`")
    return organisation


@router.put("", response=OrganisationOut, summary="Update the organisation profile")
def put_organisation(request: HttpRequest, payload: OrganisationIn) -> Organisation:
    return services.update_organisation(request.auth, **payload.dict())  # type: ignore[attr-defined]
