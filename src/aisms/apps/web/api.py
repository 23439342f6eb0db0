"""API: change history of any register object."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from aisms.apps.accounts.services import require
from aisms.apps.web.history import HISTORY_MODELS, object_history
from aisms.domain.access import Action

router = Router(tags=["history"])


class ChangeOut(Schema):
    field: str
    label: str
    old: Any
    new: Any


class HistoryOut(Schema):
    at: datetime
    user: str | None
    action: str
    reason: str
    changes: list[ChangeOut]


@router.get(
    "/{model}/{object_id}", response=list[HistoryOut], summary="Who changed what, when (newest first)"
)
def history(request: HttpRequest, model: str, object_id: str) -> list[Any]:
    require(request.auth, Action.VIEW)  # type: ignore[attr-defined]
    if model not in HISTORY_MODELS:
        raise HttpError(404, f"no history is kept for {model!r}; known: {', '.join(sorted(HISTORY_MODELS))}")
    try:
        _, items = object_history(model, object_id)
    except ValueError as exc:
        raise HttpError(404, "not found") from exc
    return [
        {
            **item.__dict__,
            "changes": [
                {"field": c.field, "label": c.label, "old": _plain(c.old), "new": _plain(c.new)}
                for c in item.changes
            ],
        }
        for item in items
    ]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)
