"""Background jobs of the posture app."""

from __future__ import annotations

from typing import Any

from aisms.apps.jobs.runner import JobContext, job_task
from aisms.apps.posture.correlation import correlate


@job_task("posture.correlate")
def correlate_job(
    ctx: JobContext, *, run_id: int | None = None, full: bool = False, **_: Any
) -> dict[str, Any]:
    """Correlate unprocessed intel events (idempotent: events already processed are skipped)."""
    if run_id is not None:
        ctx.log(f"after ingest run {run_id}")
    result = correlate(full=full, progress=ctx.progress, log=ctx.log)
    return result.as_dict()
