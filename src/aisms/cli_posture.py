"""`aisms posture correlate`: match new threat intelligence to assets and propose risk re-assessments."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def cmd_correlate(args: argparse.Namespace) -> int:
    from aisms.cli import _setup_django

    _setup_django()
    from tqdm import tqdm

    from aisms.apps.posture.correlation import correlate

    bar = tqdm(total=1, desc="Correlating", unit="item", file=sys.stderr, disable=not sys.stderr.isatty())

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        result = correlate(full=args.full, progress=progress)
    finally:
        bar.close()
    out: dict[str, Any] = result.as_dict()
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(
            f"{result.events} events, {result.items} items: {result.matches_new} new matches, "
            f"{result.proposals_new} proposals ({result.proposals_superseded} superseded), "
            f"{result.emerging_new} emerging-threat candidates"
        )
        for note in result.notes:
            print(f"note: {note}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    posture = sub.add_parser("posture", help="Correlate threat intelligence with assets and risks.")
    commands = posture.add_subparsers(dest="posture_command", required=True)
    run = commands.add_parser(
        "correlate", help="Process new intel events: match assets, propose risk re-assessments (idempotent)."
    )
    run.add_argument(
        "--full", action="store_true", help="Re-examine all intelligence (after inventory changes)."
    )
    run.add_argument("--json", action="store_true", help="Print the counts as JSON.")
    run.set_defaults(func=cmd_correlate)
