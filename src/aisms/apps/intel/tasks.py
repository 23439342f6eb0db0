"""Background jobs: pull a source (scheduled or 'pull now') and ingest an uploaded file."""

from __future__ import annotations

from typing import Any

from aisms.apps.accounts.models import User
from aisms.apps.intel import services
from aisms.apps.intel.models import IntelSource
from aisms.apps.jobs.runner import JobContext, job_task


def _actor(ctx: JobContext) -> User | None:
    user = ctx.job.created_by
    return user if isinstance(user, User) else None


@job_task("intel.pull_source")
def pull_source(ctx: JobContext, *, source_id: int) -> dict[str, Any]:
    source = IntelSource.objects.get(pk=source_id)
    if not source.enabled and ctx.job.schedule_id is not None:
        ctx.log(f"{source.name} is disabled; skipped")
        return {"skipped": True}
    outcome = services.pull_source(
        source, actor=_actor(ctx), progress=ctx.progress, log=ctx.log, job_id=ctx.job_id
    )
    return {"run_id": outcome.run.pk, **outcome.counts, "duration_s": round(outcome.duration_s, 3)}


@job_task("intel.ingest_file")
def ingest_file(
    ctx: JobContext,
    *,
    path: str,
    format: str,
    filename: str,
    source_id: int | None = None,  # the feed format, named as in the API
) -> dict[str, Any]:
    full_path = services.upload_dir() / path
    source = IntelSource.objects.get(pk=source_id) if source_id else None
    try:
        ctx.log(f"ingesting {filename} as {format}")
        outcome = services.ingest_path(
            _actor(ctx),
            format,
            full_path,
            source=source,
            filename=filename,
            progress=ctx.progress,
            job_id=ctx.job_id,
        )
    finally:
        full_path.unlink(missing_ok=True)
    ctx.log(", ".join(f"{v} {k}" for k, v in outcome.counts.items()))
    return {"run_id": outcome.run.pk, **outcome.counts, "duration_s": round(outcome.duration_s, 3)}
