"""`aisms intel ...`: ingest feed files, pull configured sources, list sources."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

FORMATS = ("stix", "misp", "kev", "nvd", "epss", "text")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aisms.config.settings")
    import django

    django.setup()


class _Progress:
    """A tqdm bar on stderr, only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self._bar: Any = None
        self._label = label

    def __call__(self, done: int, total: int | None) -> None:
        if not sys.stderr.isatty():
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self._label, unit="B", unit_scale=True, file=sys.stderr)
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def cmd_ingest(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.intel import services
    from aisms.apps.intel.models import IntelSource

    path = Path(args.file)
    source = None
    if args.source:
        source = IntelSource.objects.filter(name=args.source).first()
        if source is None:
            print(f"error: no source named {args.source!r}", file=sys.stderr)
            return 2
    progress = _Progress(path.name)
    started = time.perf_counter()
    try:
        outcome = services.ingest_path(None, args.format, path, source=source, progress=progress)
    except services.IngestError as exc:
        progress.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        progress.close()
    duration = time.perf_counter() - started
    result = {
        "format": args.format,
        "file": str(path),
        **outcome.counts,
        "duration_s": round(duration, 3),
        "run_id": outcome.run.pk,
    }
    if args.json:
        print(json.dumps(result))
    else:
        counts = outcome.counts
        print(
            f"{path}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped in {duration:.2f} s "
            f"(run {outcome.run.pk})"
        )
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.intel import services
    from aisms.apps.intel.models import IntelSource

    source = IntelSource.objects.filter(name=args.name).first()
    if source is None:
        print(f"error: no source named {args.name!r}", file=sys.stderr)
        return 2
    progress = _Progress(source.name)
    try:
        outcome = services.pull_source(source, progress=progress)
    except services.IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        progress.close()
    result = {
        "source": source.name,
        **outcome.counts,
        "duration_s": round(outcome.duration_s, 3),
        "run_id": outcome.run.pk,
    }
    print(json.dumps(result) if args.json else ", ".join(f"{k}: {v}" for k, v in result.items()))
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.intel.models import IntelSource

    rows = [
        {
            "id": s.pk,
            "name": s.name,
            "kind": s.kind,
            "enabled": s.enabled,
            "schedule_hours": s.schedule_hours,
            "last_run_at": s.last_run_at.isoformat() if s.last_run_at else None,
            "last_status": s.last_status,
        }
        for s in IntelSource.objects.all()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        schedule = f"every {row['schedule_hours']} h" if row["schedule_hours"] else "manual"
        state = row["last_status"] or "never run"
        print(f"{row['name']:<40} {row['kind']:<6} {schedule:<12} {state}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private type
    intel = sub.add_parser("intel", help="threat intelligence: ingest feed files, pull sources")
    commands = intel.add_subparsers(dest="intel_command", required=True)
    ingest = commands.add_parser("ingest", help="ingest a feed file (all or nothing)")
    ingest.add_argument("file", help="the feed file (MISP: the feed folder with manifest.json)")
    ingest.add_argument("--format", required=True, choices=FORMATS)
    ingest.add_argument("--source", default="", help="count it as a pull of this source (by name)")
    ingest.add_argument("--json", action="store_true", help="print counts and duration as JSON")
    ingest.set_defaults(func=cmd_ingest)
    pull = commands.add_parser("pull", help="pull a configured source now")
    pull.add_argument("name", help="the source's name")
    pull.add_argument("--json", action="store_true")
    pull.set_defaults(func=cmd_pull)
    sources = commands.add_parser("sources", help="list the configured sources")
    sources.add_argument("--json", action="store_true")
    sources.set_defaults(func=cmd_sources)
