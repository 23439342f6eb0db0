"""The optional language-model assistant, Django side: calls the configured OpenAI-compatible chat endpoint
(settings AISMS_LLM_URL, AISMS_LLM_MODEL, AISMS_LLM_API_KEY; off when the URL is empty) through the one
HTTP client, and keeps accepted proposals. Every proposal is checked against the schema and the catalogue
and takes effect only when a person accepts it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.threatmodels import services
from aisms.apps.threatmodels.models import ThreatModel, ThreatModelVersion
from aisms.domain.access import Action
from aisms.domain.threatmodel import llm_prompting as lp
from aisms.domain.threatmodel.model_file import parse_model
from aisms.net.http_fetch import FetchError, FetchPolicy, fetch

MAX_ANSWER_BYTES = 2_000_000
TIMEOUT_S = 120.0


class AssistantUnavailableError(Exception):
    """The assistant is off, or its endpoint failed or answered something unusable."""


def enabled() -> bool:
    return bool(getattr(settings, "AISMS_LLM_URL", ""))


def _endpoint() -> str:
    url: str = settings.AISMS_LLM_URL.rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def chat(messages: list[dict[str, str]]) -> str:
    """Send the messages; the assistant's answer text."""
    if not enabled():
        raise AssistantUnavailableError(
            "the language-model assistant is off (set AISMS_LLM_URL to turn it on)"
        )
    url = _endpoint()
    host = urlsplit(url).hostname or ""
    policy = FetchPolicy(allowed_hosts=frozenset({host}), timeout_s=TIMEOUT_S, max_bytes=MAX_ANSWER_BYTES)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = getattr(settings, "AISMS_LLM_API_KEY", "")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = json.dumps(lp.chat_body(getattr(settings, "AISMS_LLM_MODEL", "") or "default", messages)).encode()
    try:
        result = fetch(url, policy, method="POST", headers=headers, data=body)
        return lp.message_content(result.body)
    except (FetchError, lp.AssistantError) as exc:
        raise AssistantUnavailableError(str(exc)) from exc


def draft(actor: User, description: str) -> lp.Draft:
    """A drafted model from a free-text description, checked against the schema (not saved)."""
    require(actor, Action.CREATE)
    if not description.strip():
        raise ValidationError({"description": "describe the system"})
    try:
        return lp.check_draft(chat(lp.draft_messages(description)))
    except lp.AssistantError as exc:
        raise AssistantUnavailableError(str(exc)) from exc


def propose(actor: User, tm: ThreatModel) -> tuple[list[lp.Proposal], list[tuple[str, str]]]:
    """Extra threats proposed for the current model: valid ones, and dropped ones with the reason."""
    services._may(actor, Action.EDIT, tm)
    analysis = services.current_analysis(tm)
    if analysis is None:
        raise ValidationError("the model has no analysis")
    model = parse_model(tm.source, "current.yaml")
    content = chat(lp.threat_messages(tm.source, analysis, services.engine().refs))
    try:
        return lp.check_proposals(content, model, services.engine().refs)
    except lp.AssistantError as exc:
        raise AssistantUnavailableError(str(exc)) from exc


@transaction.atomic
def accept(actor: User, tm: ThreatModel, raw: dict[str, Any]) -> ThreatModelVersion:
    """Add a proposal a person accepted to the model's threats (checked again) and re-analyse."""
    services._may(actor, Action.EDIT, tm)
    model = parse_model(tm.source, "current.yaml")
    proposal, reason = lp.check_proposal(raw, model, services.engine().refs)
    if proposal is None:
        raise ValidationError({"proposal": reason})
    if any(item.get("proposal", {}).get("title") == proposal.title for item in tm.accepted_proposals):
        raise ValidationError({"proposal": "already accepted"})
    tm.accepted_proposals = [
        *tm.accepted_proposals,
        {
            "proposal": proposal.to_dict(),
            "accepted_by": actor.username,
            "accepted_at": timezone.now().isoformat(),
        },
    ]
    tm._history_user = actor  # type: ignore[attr-defined]
    tm.save(update_fields=["accepted_proposals"])
    return services.reanalyse(actor, tm, note=f"Accepted assistant proposal: {proposal.title}"[:300])
