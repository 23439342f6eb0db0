"""Background jobs of the catalogue app."""

from __future__ import annotations

import logging
import time
from typing import Any

from aisms.apps.accounts.models import User
from aisms.apps.catalogue import technique_classifier
from aisms.apps.jobs.runner import JobContext, job_task

logger = logging.getLogger(__name__)

RETRAIN_JOB = "catalogue.retrain_classifier"


@job_task(RETRAIN_JOB)
def retrain_classifier_job(ctx: JobContext, *, reason: str = "", **_: Any) -> dict[str, Any]:
    """Bring the built-in technique classifier up to date with the stored catalogue and examples, so the
    next classification finds it trained (a no-op when it already is)."""
    if reason:
        ctx.log(reason)
    started = time.perf_counter()
    model, data, trained = technique_classifier.refresh_builtin_model()
    seconds = round(time.perf_counter() - started, 1)
    state = "trained" if trained else "already up to date"
    examples = f"{len(data.examples)} labelled example{'' if len(data.examples) == 1 else 's'}"
    ctx.log(f"{state}: {len(model.labels)} labels, {examples} ({seconds} s)")
    return {
        "trained": trained,
        "labels": len(model.labels),
        "examples": len(data.examples),
        "seconds": seconds,
    }


def start_retraining(reason: str, user: User | None = None) -> None:
    """Queue the retraining job (after the current transaction commits), when the jobs app runs it."""
    from aisms.apps.jobs.runner import is_registered
    from aisms.apps.jobs.services import submit

    if not is_registered(RETRAIN_JOB):
        return
    try:
        submit(RETRAIN_JOB, title="Retrain the technique classifier", user=user, reason=reason)
    except Exception:  # the caller's change is committed; a failing follow-up job must not undo or hide it
        logger.exception("could not queue %s", RETRAIN_JOB)
