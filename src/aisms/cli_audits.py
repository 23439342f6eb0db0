"""`aisms audits`: send the due and overdue reminders now; print a management review's input pack."""

from __future__ import annotations

import argparse
import json
from datetime import date


def _setup_django() -> None:
    from aisms.cli import _setup_django as setup

    setup()


def cmd_reminders(args: argparse.Namespace) -> int:
    _setup_django()
    from django.utils import timezone

    from aisms.apps.audits.reminders import send_due_reminders

    try:
        today = date.fromisoformat(args.today) if args.today else timezone.localdate()
    except ValueError:
        print(f"--today: not a date (YYYY-MM-DD): {args.today!r}")
        return 2
    run = send_due_reminders(today)
    if args.json:
        print(json.dumps({"considered": run.considered, "sent": run.sent, "already_sent": run.already_sent}))
    else:
        print(
            f"{run.considered} items due or overdue; {run.sent} notifications sent, "
            f"{run.already_sent} sent before."
        )
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.audits.models import ManagementReview
    from aisms.apps.audits.selectors import management_review_pack
    from aisms.domain.audits.review_pack import PackSection, pack_to_dict

    review = ManagementReview.objects.filter(pk=args.review).first()
    if review is None:
        print(f"no management review {args.review}")
        return 1
    pack = management_review_pack(review)
    if args.json:
        print(json.dumps(pack_to_dict(pack), indent=2))
        return 0

    def show(section: PackSection, indent: str = "") -> None:
        print(f"{indent}{section.clause} {section.title}\n{indent}  {section.summary}")
        for sub in section.subsections:
            show(sub, indent + "  ")

    print(f"{review.title} ({review.date}), {pack.organisation}")
    for section in pack.sections:
        show(section)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private type
    audits = sub.add_parser("audits", help="internal audits, nonconformities and management reviews")
    commands = audits.add_subparsers(dest="audits_command", required=True)
    reminders = commands.add_parser("send-reminders", help="notify owners of due and overdue audit work")
    reminders.add_argument("--today", help="the day to compute from (YYYY-MM-DD; default: today)")
    reminders.add_argument("--json", action="store_true")
    reminders.set_defaults(func=cmd_reminders)
    pack = commands.add_parser("pack", help="print the input pack kept with a management review")
    pack.add_argument("review", type=int, help="the review's id")
    pack.add_argument("--json", action="store_true")
    pack.set_defaults(func=cmd_pack)
