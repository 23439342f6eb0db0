"""Writes for threat intelligence: feed sources (create, change, delete, schedule), ingesting files,
pasted reports and source pulls. Every write checks the access policy; actor None is the system (demo,
CLI, scheduled pulls).

Permissions: configuring sources needs MANAGE_ORGANISATION (they decide what the server fetches),
deleting one DELETE; ingesting a file or report and 'pull now' need CREATE.
"""

from __future__ import annotations

import gc
import io
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.intel import feeds
from aisms.apps.intel.ingest import finish_run, start_run, store_feed
from aisms.apps.intel.models import IngestRun, IntelItem, IntelSource
from aisms.apps.intel.taxii_client import TaxiiError, collection_objects_url, pages
from aisms.config.fetch_policy import default_fetch_policy
from aisms.domain.access import Action
from aisms.domain.intel import stix, text_report
from aisms.domain.intel.records import IntelParseError, ParsedFeed
from aisms.domain.intel.sniff import sniff_format

Progress = Callable[[int, int | None], None]
Log = Callable[[str], None]
SOURCE_FIELDS = (
    "name",
    "kind",
    "description",
    "url",
    "collection",
    "enabled",
    "schedule_hours",
    "default_tlp",
    "default_confidence",
)
UPLOAD_DIR_NAME = "intel-uploads"


class IngestError(Exception):
    """An ingest that stored nothing; the run records why."""

    def __init__(self, run: IngestRun, message: str) -> None:
        self.run = run
        super().__init__(message)


@dataclass(frozen=True)
class IngestOutcome:
    run: IngestRun
    counts: dict[str, int]
    duration_s: float
    item_id: int | None = None


def _check(actor: User | None, action: Action) -> None:
    if actor is not None:
        require(actor, action)


def schedule_key(source: IntelSource) -> str:
    return f"intel.source.{source.pk}"


# --- sources ---------------------------------------------------------------------------------------------


def _validate_source(source: IntelSource) -> None:
    errors: dict[str, str] = {}
    if source.kind == "taxii":
        if not source.url:
            errors["url"] = "a TAXII source needs the discovery, API root or collection URL"
        if not source.collection and "/collections/" not in source.url:
            errors["collection"] = "name the TAXII collection (id, title or URL)"
    elif not source.url and not source.local_path and source.kind != "text":
        errors["url"] = "a source needs a URL to pull from"
    if source.default_confidence is not None and source.default_confidence > 100:
        errors["default_confidence"] = "confidence is 0-100"
    if source.schedule_hours is not None and source.schedule_hours < 1:
        errors["schedule_hours"] = "pull at most once an hour (or leave empty for manual pulls)"
    if errors:
        raise ValidationError(errors)


def _sync_schedule(source: IntelSource) -> None:
    from aisms.apps.jobs.services import ensure_schedule, remove_schedule  # avoids a cycle

    if source.schedule_hours and source.enabled:
        ensure_schedule(
            schedule_key(source),
            "intel.pull_source",
            every=timedelta(hours=source.schedule_hours),
            kwargs={"source_id": source.pk},
            title=f"Pull {source.name}",
        )
    else:
        remove_schedule(schedule_key(source))


def create_source(actor: User | None, *, local_path: str = "", **values: Any) -> IntelSource:
    _check(actor, Action.MANAGE_ORGANISATION)
    unknown = set(values) - set(SOURCE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": f"unknown fields: {', '.join(sorted(unknown))}"})
    with transaction.atomic():
        source = IntelSource(created_by=actor, local_path=local_path, **values)
        _validate_source(source)
        if actor is not None:
            source._history_user = actor  # type: ignore[attr-defined]  # simple_history's hook
        source.full_clean()
        source.save()
        _sync_schedule(source)
    return source


def update_source(actor: User | None, source: IntelSource, **values: Any) -> IntelSource:
    _check(actor, Action.MANAGE_ORGANISATION)
    unknown = set(values) - set(SOURCE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": f"unknown fields: {', '.join(sorted(unknown))}"})
    with transaction.atomic():
        source = IntelSource.objects.select_for_update().get(pk=source.pk)
        for name, value in values.items():
            setattr(source, name, value.strip() if isinstance(value, str) else value)
        _validate_source(source)
        if actor is not None:
            source._history_user = actor  # type: ignore[attr-defined]  # simple_history's hook
        source.full_clean()
        source.save()
        _sync_schedule(source)
    return source


def delete_source(actor: User | None, source: IntelSource) -> None:
    """Delete a source and its run log; the items it brought in stay (their provenance keeps its id)."""
    _check(actor, Action.DELETE)
    from aisms.apps.jobs.services import remove_schedule  # avoids a cycle

    with transaction.atomic():
        remove_schedule(schedule_key(source))
        if actor is not None:
            source._history_user = actor  # type: ignore[attr-defined]  # simple_history's hook
        source.delete()


def pull_now(actor: User | None, source: IntelSource) -> Any:
    """Start a background pull of the source; returns the job."""
    _check(actor, Action.CREATE)
    from aisms.apps.jobs.services import submit  # avoids a cycle

    return submit("intel.pull_source", title=f"Pull {source.name}", user=actor, source_id=source.pk)


# --- ingesting -------------------------------------------------------------------------------------------


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Parsing and storing a large feed allocates hundreds of thousands of small containers and frees none
    of them until the end, so Python's cyclic garbage collector would walk the whole growing heap again
    and again (about 0.7 s of a 25,000-object STIX ingest) and find nothing: feed records hold no cycles.
    Reference counting still frees everything as usual; the collector runs again as soon as this ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ingest(
    feed_reader: Callable[[], ParsedFeed],
    run: IngestRun,
    actor: User | None,
    progress: Progress | None,
    after_store: Callable[[ParsedFeed], None] | None = None,
) -> IngestOutcome:
    started = time.perf_counter()
    try:
        with _cyclic_gc_paused():
            feed = feed_reader()
            with transaction.atomic():
                counts = store_feed(feed, run, actor=actor, progress=progress).as_dict()
                if after_store is not None:
                    after_store(feed)
    except (IntelParseError, feeds.FeedUnavailableError, TaxiiError) as exc:
        finish_run(run, error=str(exc))
        raise IngestError(run, str(exc)) from exc
    except Exception as exc:
        finish_run(run, error=f"{type(exc).__name__}: {exc}")
        raise
    duration = time.perf_counter() - started
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    finish_run(run, counts=counts, log=f"{run.format}: {summary} in {duration:.2f} s\n")
    return IngestOutcome(run=run, counts=counts, duration_s=duration)


def ingest_path(
    actor: User | None,
    fmt: str,
    path: Path,
    *,
    source: IntelSource | None = None,
    filename: str | None = None,
    progress: Progress | None = None,
    job_id: int | None = None,
) -> IngestOutcome:
    """Ingest a feed file (a MISP feed: its folder) all or nothing; IngestError names file and position."""
    _check(actor, Action.CREATE)
    if fmt not in feeds.FILE_FORMATS:
        raise ValidationError({"format": f"choose one of {', '.join(feeds.FILE_FORMATS)}"})
    run = start_run(fmt=fmt, source=source, filename=filename or path.name, actor=actor, job_id=job_id)
    if path.is_file():
        run.bytes_read = path.stat().st_size

    def read() -> ParsedFeed:
        if not path.exists():
            raise feeds.FeedUnavailableError(f"{path}: no such file or folder")
        return feeds.parse_path(fmt, path, progress=progress)

    return _ingest(read, run, actor, progress)


def ingest_text(
    actor: User | None, text: str, *, title: str = "", source: IntelSource | None = None, filename: str = ""
) -> IngestOutcome:
    """Ingest a pasted or uploaded free-text report (plain text or Markdown)."""
    _check(actor, Action.CREATE)
    name = filename or "pasted report"
    run = start_run(fmt="text", source=source, filename=name, actor=actor)
    if len(text.encode()) > text_report.MAX_TEXT_BYTES:
        finish_run(run, error=f"{name}: too large for a text report")
        raise IngestError(run, f"{name}: too large for a text report")
    parsed: list[ParsedFeed] = []

    def read() -> ParsedFeed:
        parsed.append(text_report.parse_text(text, filename=name, title=title))
        return parsed[0]

    outcome = _ingest(read, run, actor, None)
    report = parsed[0].items[0]
    item = IntelItem.objects.get(kind=report.kind, external_id=report.external_id)
    return IngestOutcome(
        run=outcome.run, counts=outcome.counts, duration_s=outcome.duration_s, item_id=item.pk
    )


def upload_dir() -> Path:
    directory = Path(settings.DATA_DIR) / UPLOAD_DIR_NAME
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def save_upload(actor: User | None, data: Any, filename: str, fmt: str | None) -> tuple[Path, str]:
    """Store an uploaded feed file for the ingest job; returns its path and the (chosen or sniffed) format.

    data: a file-like object; at most the upload limit is read (a larger file is refused)."""
    _check(actor, Action.CREATE)
    limit = feeds.max_feed_bytes()
    safe_name = Path(filename or "upload").name[:100] or "upload"
    dest = upload_dir() / f"{uuid.uuid4().hex}-{safe_name}"
    written = 0
    with dest.open("wb") as out:
        while chunk := data.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                out.close()
                dest.unlink(missing_ok=True)
                raise ValidationError({"file": f"the file is larger than the limit of {limit} bytes"})
            out.write(chunk)
    if written == 0:
        dest.unlink(missing_ok=True)
        raise ValidationError({"file": "the file is empty"})
    if not fmt:
        with dest.open("rb") as fp:
            fmt = sniff_format(fp.read(65536))
        if fmt is None:
            dest.unlink(missing_ok=True)
            raise ValidationError(
                {"format": "could not tell the format: choose stix, kev, nvd, misp or epss"}
            )
    if fmt not in feeds.FILE_FORMATS:
        dest.unlink(missing_ok=True)
        raise ValidationError({"format": f"choose one of {', '.join(feeds.FILE_FORMATS)}"})
    return dest, fmt


def ingest_upload(
    actor: User | None, data: Any, filename: str, fmt: str | None, *, source: IntelSource | None = None
) -> Any:
    """Store an upload and ingest it in a background job (with progress); returns the job."""
    path, fmt = save_upload(actor, data, filename, fmt)
    from aisms.apps.jobs.services import submit  # avoids a cycle

    return submit(
        "intel.ingest_file",
        title=f"Ingest {Path(filename).name} ({fmt})",
        user=actor,
        path=path.name,
        format=fmt,
        filename=Path(filename).name,
        source_id=source.pk if source is not None else None,
    )


# --- pulling sources -------------------------------------------------------------------------------------


def pull_source(
    source: IntelSource,
    *,
    actor: User | None = None,
    progress: Progress | None = None,
    log: Log | None = None,
    job_id: int | None = None,
) -> IngestOutcome:
    """Fetch and ingest a source now (incremental where the feed allows)."""
    _check(actor, Action.CREATE)
    say = log or (lambda message: None)
    source.refresh_from_db()  # the incremental state of the last pull
    fmt = source.kind
    run = start_run(
        fmt=fmt, source=source, url=source.url, filename=source.local_path, actor=actor, job_id=job_id
    )
    state: dict[str, Any] = dict(source.state or {})
    with tempfile.TemporaryDirectory(prefix="aisms-intel-") as tmp:
        workdir = Path(tmp)

        def read() -> ParsedFeed:
            feed = _read_source(source, workdir, state, progress, say)
            say(f"parsed {feed.record_count} records ({feed.skipped} skipped)")
            return feed

        def remember(feed: ParsedFeed) -> None:
            if "timestamps" in feed.meta:
                state["misp_timestamps"] = feed.meta["timestamps"]
            IntelSource.objects.filter(pk=source.pk).update(state=state)
            source.state = state

        outcome = _ingest(read, run, actor, progress, remember)
    say(", ".join(f"{v} {k}" for k, v in outcome.counts.items()))
    return outcome


def _read_source(
    source: IntelSource, workdir: Path, state: dict[str, Any], progress: Progress | None, say: Log
) -> ParsedFeed:
    if source.kind == "taxii":
        return _read_taxii(source, state, say)
    if source.local_path:
        path = feeds.resolve_local_path(source.local_path)
        say(f"reading {path.name}")
        if source.kind == "text" and path.is_dir():
            return _read_text_folder(path)
        since = state.get("misp_timestamps") if source.kind == "misp" else None
        return feeds.parse_path(source.kind, path, progress=progress, since=since)
    if not source.url:
        raise feeds.FeedUnavailableError(f"{source.name}: no URL or local file to pull from")
    if source.kind == "misp":
        say(f"fetching {source.url} manifest.json")
        return feeds.parse_misp_url(
            source.url, workdir, since=state.get("misp_timestamps"), progress=progress
        )
    dest = workdir / "feed"
    say(f"fetching {source.url}")
    size = feeds.download(source.url, dest, progress=progress)
    say(f"fetched {size} bytes")
    name = source.url.rstrip("/").rsplit("/", 1)[-1] or source.name
    with dest.open("rb") as fp:
        return feeds.parse_file(source.kind, fp, filename=name, progress=progress)


def _read_text_folder(folder: Path) -> ParsedFeed:
    feed = ParsedFeed(format="text")
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".md", ".txt", ".markdown") and path.is_file():
            with path.open("rb") as fp:
                data = text_report.read_text(fp, filename=path.name)
            feed.items.extend(text_report.parse_text(data, filename=path.name).items)
    return feed


def _read_taxii(source: IntelSource, state: dict[str, Any], say: Log) -> ParsedFeed:
    policy = default_fetch_policy(max_bytes=feeds.max_feed_bytes())
    objects_url = collection_objects_url(source.url, source.collection, policy)
    added_after = state.get("added_after")
    say(f"TAXII objects {objects_url}" + (f" added after {added_after}" if added_after else ""))
    feed = ParsedFeed(format="taxii")
    for number, page in enumerate(pages(objects_url, policy, added_after=added_after), start=1):
        part = stix.parse_bundle(
            io.BytesIO(page.body), filename=f"{objects_url} page {number}", envelope=True
        )
        feed.items.extend(part.items)
        feed.vulnerabilities.extend(part.vulnerabilities)
        feed.skipped += part.skipped
        say(f"page {number}: {page.object_count} objects")
        if page.date_added_last:
            state["added_after"] = page.date_added_last
    return feed
