"""`aisms compliance`: derived status, the gap analysis and the expiry notices from the command line."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date


def _setup_django() -> None:
    from aisms.cli import _setup_django as setup

    setup()


def _day(text: str | None) -> date:
    from django.utils import timezone

    return date.fromisoformat(text) if text else timezone.localdate()


def cmd_status(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.compliance import selectors

    rows = selectors.compliance_status(None, _day(args.on))
    if args.kind:
        rows = [r for r in rows if r.kind == args.kind]
    if args.json:
        out = [
            {
                "kind": r.kind,
                "uid": r.uid,
                "ref": r.ref,
                "title": r.title,
                "status": r.status.value,
                "reasons": list(r.reasons),
            }
            for r in rows
        ]
        print(json.dumps(out, indent=2))
        return 0
    for r in rows:
        print(f"{r.kind:7} {r.ref:7} {r.status.label:15} {r.title}")
    counts = selectors.status_counts(rows)
    print(", ".join(f"{n} {k}" for k, n in counts.items() if n))
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.compliance import selectors

    rows = selectors.gap_report_rows(_day(args.on))
    if args.json:
        print(json.dumps(rows, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["rank"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            print(
                f"{row['rank']:3} {row['kind']:7} {row['ref']:7} {row['status_label']:15} "
                f"{row['effect']:7} {row['title']}"
            )
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.compliance.tasks import send_expiry_notices

    sent = send_expiry_notices(_day(args.on))
    print(json.dumps(sent) if args.json else ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sent.items()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    parser = sub.add_parser("compliance", help="derived compliance status, gap analysis, expiry notices")
    commands = parser.add_subparsers(dest="compliance_command", required=True)
    status = commands.add_parser("status", help="status of every clause and Annex A control")
    status.add_argument("--kind", choices=["clause", "control"])
    status.add_argument("--on", help="derive as of this date (YYYY-MM-DD)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    gaps = commands.add_parser("gaps", help="the gap analysis, ordered by effect")
    gaps.add_argument("--on", help="derive as of this date (YYYY-MM-DD)")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--csv", action="store_true")
    gaps.set_defaults(func=cmd_gaps)
    notify = commands.add_parser(
        "notify-expiry", help="notify owners of expiring evidence and overdue reviews"
    )
    notify.add_argument("--on", help="as of this date (YYYY-MM-DD)")
    notify.add_argument("--json", action="store_true")
    notify.set_defaults(func=cmd_notify)
