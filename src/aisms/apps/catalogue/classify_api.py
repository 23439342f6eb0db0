"""API: map free text to ATLAS techniques and OWASP entries; record users' confirmations and corrections."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from aisms.apps.accounts.services import require
from aisms.apps.catalogue import technique_classifier as service
from aisms.domain.access import Action

router = Router(tags=["classify"])


class ClassifyIn(Schema):
    text: str = Field(..., min_length=1, max_length=20_000)
    k: int = Field(5, ge=1, le=25)


class PredictionOut(Schema):
    technique: str
    name: str
    confidence: float
    evidence: list[str]
    example: str


class ClassifyOut(Schema):
    novelty: float
    is_novel: bool
    ranked: list[PredictionOut]


class FeedbackIn(Schema):
    text: str = Field(..., min_length=1, max_length=service.MAX_FEEDBACK_CHARS)
    technique: str = Field(..., max_length=80)
    correct: bool = True


class FeedbackOut(Schema):
    id: int
    technique: str
    origin: str


@router.post("", response=ClassifyOut, summary="Rank ATLAS techniques and OWASP entries for a text")
def classify(request: HttpRequest, payload: ClassifyIn) -> ClassifyOut:
    require(request.user, Action.VIEW)  # type: ignore[arg-type] # authenticated by the API's auth
    result = service.classify_text(payload.text, k=payload.k)
    return ClassifyOut(
        novelty=round(result.novelty, 4),
        is_novel=result.is_novel,
        ranked=[
            PredictionOut(
                technique=p.label,
                name=p.name,
                confidence=round(p.confidence, 4),
                evidence=list(p.evidence),
                example=p.example,
            )
            for p in result.ranked
        ],
    )


@router.post("/feedback", response={201: FeedbackOut}, summary="Confirm or correct a classification")
def feedback(request: HttpRequest, payload: FeedbackIn) -> Status[Any]:
    example = service.record_feedback(
        request.user,  # type: ignore[arg-type] # authenticated by the API's auth
        payload.text,
        payload.technique,
        correct=payload.correct,
    )
    return Status(201, FeedbackOut(id=example.pk, technique=payload.technique, origin=example.origin))
