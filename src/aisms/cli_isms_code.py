"""`aisms export --format yaml DIR` and `aisms import DIR [--merge] [--dry-run]`: the ISMS as code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aisms.domain.isms_code.oscal import OSCAL_VERSION


def _setup_django() -> None:
    from aisms.cli import _setup_django as setup

    setup()


def _bar(description: str) -> tuple[Any, Any]:
    from tqdm import tqdm

    bar = tqdm(total=1, desc=description, unit="file", file=sys.stderr, disable=not sys.stderr.isatty())

    def update(step: str, done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(step)
        bar.refresh()

    return bar, update


def cmd_export(args: argparse.Namespace) -> int:
    _setup_django()
    from django.utils import timezone

    from aisms.isms_code.exporter import export_yaml

    if args.format == "oscal":
        from aisms.isms_code.oscal_export import export_oscal

        sizes = export_oscal(Path(args.directory), now=timezone.now())
        if args.json:
            print(json.dumps({"directory": args.directory, "files": sizes}, sort_keys=True))
        else:
            print(
                f"Wrote {len(sizes)} OSCAL {OSCAL_VERSION} documents to {args.directory}: "
                + ", ".join(sorted(sizes))
            )
        return 0
    bar, update = _bar("Exporting")
    result = export_yaml(Path(args.directory), now=timezone.now(), progress=update)
    bar.close()
    if args.json:
        print(json.dumps({"directory": str(result.directory), "files": result.files}, sort_keys=True))
    else:
        total = sum(result.files.values())
        print(f"Exported {total} records in {len(result.files)} files to {result.directory}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.domain.isms_code.problems import ImportRefusedError
    from aisms.isms_code.importer import import_yaml

    bar, update = _bar("Merging" if args.merge else "Importing")
    try:
        result = import_yaml(Path(args.directory), dry_run=args.dry_run, merge=args.merge, progress=update)
    except ImportRefusedError as refused:
        bar.close()
        if args.json:
            print(json.dumps({"ok": False, "problems": [str(p) for p in refused.problems]}))
        else:
            print(f"Nothing was imported: {len(refused.problems)} problem(s).")
            for problem in refused.problems:
                print(f"  {problem}")
        return 1
    bar.close()
    total = sum(result.records.values())
    if args.json:
        summary: dict[str, Any] = {
            "ok": True,
            "dry_run": result.dry_run,
            "records": result.records,
            "users_created": result.users_created,
        }
        if result.merge:
            summary["merge"] = True
            summary["changes"] = {name: counts.as_dict() for name, counts in result.changes.items()}
            summary["updated"] = [record.as_dict() for record in result.updated]
        print(json.dumps(summary, sort_keys=True))
    elif result.merge:
        _print_merge(result)
    elif result.dry_run:
        print(f"Dry run: {total} records would be imported; nothing was written.")
    else:
        print(f"Imported {total} records.")
        if result.users_created:
            names = ", ".join(result.users_created)
            print(f"Created inactive users without a password (activate them and set one): {names}")
    return 0


def _print_merge(result: Any) -> None:
    from aisms.domain.isms_code.merge_report import summary_lines

    if result.dry_run:
        print("Dry run of a merge: nothing was written. The import would give:")
    else:
        print("Merged the files into this instance:")
    for line in summary_lines(result.changes, result.updated):
        print(line)
    print("Records not in the files are kept; existing users are not changed.")
    if result.users_created:
        names = ", ".join(result.users_created)
        verb = "Would create" if result.dry_run else "Created"
        print(f"{verb} inactive users without a password (activate them and set one): {names}")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private type
    export = sub.add_parser("export", help="write the whole ISMS as YAML files (the ISMS as code)")
    export.add_argument("directory", help="directory to write (created if needed)")
    export.add_argument(
        "--format",
        choices=["yaml", "oscal"],
        default="yaml",
        help="yaml: the whole ISMS as YAML files (default); oscal: OSCAL JSON catalog, profile, "
        "component definition and assessment results",
    )
    export.add_argument("--json", action="store_true", help="print a machine-readable summary")
    export.set_defaults(func=cmd_export)
    load = sub.add_parser(
        "import", help="load an exported ISMS directory into this empty instance, or merge it (--merge)"
    )
    load.add_argument("directory", help="directory written by `aisms export`")
    load.add_argument(
        "--merge",
        action="store_true",
        help="apply the files to existing data: create new records, update changed ones, keep the rest",
    )
    load.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    load.add_argument("--json", action="store_true", help="print a machine-readable result")
    load.set_defaults(func=cmd_import)
