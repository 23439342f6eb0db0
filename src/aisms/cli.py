"""The `aisms` command: set up, serve, load the demo, manage users and the reference catalogue."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aisms import (
    __version__,
    cli_ai,
    cli_audits,
    cli_compliance,
    cli_intel,
    cli_isms_code,
    cli_jobs,
    cli_posture,
    cli_scan,
    cli_threatmodel,
)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aisms.config.settings")
    import django

    django.setup()


def _progress_bar(description: str) -> Any:
    from tqdm import tqdm

    bar = tqdm(total=3, desc=description, unit="step", file=sys.stderr, disable=not sys.stderr.isatty())

    def update(step: str, done: int, total: int) -> None:
        bar.total = total
        bar.set_postfix_str(step)
        bar.n = done
        bar.refresh()

    return bar, update


def cmd_init(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.accounts.models import User
    from aisms.apps.accounts.services import create_user
    from aisms.apps.catalogue.services import load_builtin_catalogue
    from aisms.catalogue.loader import load_builtin
    from aisms.config.database_setup import migrate_database
    from aisms.domain.access import Role

    print("Preparing the database…")
    migrate_database()
    bar, update = _progress_bar("Loading the reference catalogue")
    result = load_builtin_catalogue(load_builtin(), force=args.reload_catalogue, progress=update)
    bar.close()
    from aisms.apps.jobs.services import install_default_schedules

    schedules = install_default_schedules()
    print(f"{len(schedules)} background schedule{'s' if len(schedules) != 1 else ''} in place.")
    if result.loaded:
        print(f"Catalogue loaded: {result.entries} entries, {result.links} links.")
    else:
        print(f"Catalogue already loaded ({result.entries} entries); use --reload-catalogue to reload it.")
    if User.objects.filter(role=Role.ADMINISTRATOR.value, is_active=True).exists():
        print("An administrator already exists; its password was printed when it was created.")
        return 0
    user, password = create_user(args.admin, Role.ADMINISTRATOR)
    print("\nFirst administrator created. This password is shown once:")
    print(f"  user name: {user.username}\n  password:  {password}\n")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.demo import load_demo

    created = load_demo()
    if created is None:
        print("The demo organisation is already loaded.")
        return 0
    print(f"Demo organisation loaded: {created.organisation}.")
    if created.logins:
        print("Demo logins (shown once):")
        for username, role, password in created.logins:
            print(f"  {username:<10} {role:<14} {password}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    # Links in e-mails and supplier questionnaires use AISMS_BASE_URL; without one, the address served.
    os.environ.setdefault("AISMS_BASE_URL", f"http://{args.host}:{args.port}")
    _setup_django()
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from waitress import serve

    from aisms.config.wsgi import application

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("The database is not set up or is out of date: run `aisms init` first.", file=sys.stderr)
        return 2
    if not args.no_worker and settings.AISMS_TASKS_BACKEND == "database":
        from aisms.apps.jobs.services import install_default_schedules
        from aisms.apps.jobs.worker import start_background

        install_default_schedules()
        start_background()
    print(f"aisms {__version__} on http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    serve(application, host=args.host, port=args.port, threads=args.threads, ident="aisms")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from aisms.apps.accounts.services import create_user
    from aisms.domain.access import Role

    try:
        user, password = create_user(args.username, Role(args.role), email=args.email or "")
    except ValidationError as exc:
        print(f"error: {'; '.join(exc.messages)}", file=sys.stderr)
        return 2
    print(f"User {user.username} ({Role(user.role).label}) created. Password (shown once): {password}")
    return 0


def cmd_catalogue(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.catalogue import selectors
    from aisms.apps.catalogue.models import CatalogueEntry

    if args.catalogue_command == "stats":
        data = selectors.stats()
        if args.json:
            print(json.dumps(data, indent=2, sort_keys=True))
        else:
            for key, item in data["catalogues"].items():
                kinds = ", ".join(f"{n} {k}" for k, n in sorted(item["kinds"].items()))
                print(f"{key:<12} {item['version']:<8} {item['entries']:>5}  {kinds}")
            print(f"links: {data['links']}\nlabelled examples: {data['labelled_examples']}")
        return 0
    if args.catalogue_command == "show":
        try:
            detail = selectors.entry_detail(args.uid)
        except CatalogueEntry.DoesNotExist:
            print(
                f"error: no catalogue entry {args.uid!r} (identifiers look like atlas:AML.T0051)",
                file=sys.stderr,
            )
            return 1
        e = detail.entry
        links = {
            f"{direction}:{relation}": [
                {"uid": i.entry.uid, "name": i.entry.name, "rationale": i.rationale} for i in items
            ]
            for direction, groups in (("out", detail.outgoing), ("in", detail.incoming))
            for relation, items in groups.items()
        }
        if args.json:
            out = {
                "uid": e.uid,
                "name": e.name,
                "kind": e.kind,
                "summary": e.summary,
                "attributes": e.attributes,
            }
            print(json.dumps({**out, "links": links}, indent=2))
        else:
            print(f"{e.uid}  {e.name}  [{e.kind}]\n\n{e.summary}\n")
            for key, items in links.items():
                print(f"{key}:")
                for item in items:
                    print(f"  {item['uid']}  {item['name']}")
        return 0
    if args.catalogue_command == "search":
        rows = list(selectors.search(" ".join(args.query), args.catalogue)[: args.limit])
        if args.json:
            print(json.dumps([{"uid": r.uid, "name": r.name, "kind": r.kind} for r in rows], indent=2))
        else:
            for r in rows:
                print(f"{r.uid:<28} {r.name}")
            if not rows:
                print("no matches")
        return 0
    if args.catalogue_command == "import-atlas":
        return _import_atlas(Path(args.file))
    return 2


def _import_atlas(path: Path) -> int:
    from django.conf import settings

    from aisms.apps.catalogue.services import import_atlas
    from aisms.catalogue.errors import CatalogueError

    try:
        size = path.stat().st_size
    except OSError as exc:
        print(f"error: {path}: {exc.strerror}", file=sys.stderr)
        return 1
    if size > settings.AISMS_MAX_UPLOAD_BYTES:
        print(f"error: {path}: larger than the {settings.AISMS_MAX_UPLOAD_BYTES} byte limit", file=sys.stderr)
        return 1
    try:
        text = path.read_text(encoding="utf-8")
        result = import_atlas(text, str(path))
    except UnicodeDecodeError as exc:
        print(f"error: {path}: not UTF-8 text (byte {exc.start}); nothing was changed", file=sys.stderr)
        return 1
    except CatalogueError as exc:
        print(f"error: {exc}\nNothing was changed.", file=sys.stderr)
        return 1
    print(
        f"ATLAS {result.version} imported (was {result.previous_version}): {result.added} added, "
        f"{result.changed} changed, {result.unchanged} unchanged, {result.withdrawn} withdrawn; "
        f"{result.links} links, {result.examples} labelled examples."
    )
    return 0


def cmd_fair(args: argparse.Namespace) -> int:
    from aisms import fair_command

    return fair_command.run(args.model, args.runs, args.seed, args.json)


def cmd_manage(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["aisms manage", *args.rest])
    return 0


def cmd_people(args: argparse.Namespace) -> int:
    _setup_django()
    from django.utils import timezone

    from aisms.apps.people.reminders import send_reminders

    sent = send_reminders(timezone.localdate())
    print(f"{sent} training reminder{'s' if sent != 1 else ''} sent")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aisms", description=__doc__)
    parser.add_argument("--version", action="version", version=f"aisms {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="set up the database and catalogue; create the first administrator")
    p.add_argument("--admin", default="admin", help="user name of the first administrator (default: admin)")
    p.add_argument("--reload-catalogue", action="store_true", help="reload the shipped catalogue")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", help="run the web UI and API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--no-worker", action="store_true", help="do not run background jobs in this process")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="load the demo organisation (fictional data)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("createuser", help="create a user and print a generated password")
    p.add_argument("username")
    p.add_argument(
        "--role",
        default="contributor",
        choices=["administrator", "isms_manager", "risk_owner", "contributor", "auditor"],
    )
    p.add_argument("--email")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("catalogue", help="the reference catalogue")
    csub = p.add_subparsers(dest="catalogue_command", required=True)
    c = csub.add_parser("stats", help="counts per catalogue")
    c.add_argument("--json", action="store_true")
    c = csub.add_parser("show", help="one entry and its links")
    c.add_argument("uid", help="e.g. iso27002:2022:5.7 or atlas:AML.T0051")
    c.add_argument("--json", action="store_true")
    c = csub.add_parser("search", help="search all catalogues")
    c.add_argument("query", nargs="+")
    c.add_argument("--catalogue", help="limit to one catalogue, e.g. atlas")
    c.add_argument("--limit", type=int, default=25)
    c.add_argument("--json", action="store_true")
    c = csub.add_parser("import-atlas", help="apply an upstream ATLAS distribution file (dist/ATLAS.yaml)")
    c.add_argument("file")
    p.set_defaults(func=cmd_catalogue)

    p = sub.add_parser("fair", help="quantitative (FAIR-style) risk analysis")
    fsub = p.add_subparsers(dest="fair_command", required=True)
    f = fsub.add_parser("simulate", help="Monte Carlo simulation of a YAML file of risks")
    f.add_argument("model", help="YAML file of risks (see docs/fair.md)")
    f.add_argument("--runs", type=int, default=100_000, help="simulated years (default 100000)")
    f.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same results")
    f.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fair)

    p = sub.add_parser("people", help="people, competence and training")
    psub = p.add_subparsers(dest="people_command", required=True)
    psub.add_parser("send-reminders", help="e-mail due and overdue training reminders (once per due date)")
    p.set_defaults(func=cmd_people)

    cli_jobs.register(sub)
    cli_intel.register(sub)
    cli_threatmodel.register(sub)
    cli_scan.register(sub)
    cli_ai.register(sub)
    cli_compliance.register(sub)
    cli_audits.register(sub)
    cli_posture.register(sub)
    cli_isms_code.register(sub)

    p = sub.add_parser("manage", help="run a Django management command (e.g. `check --deploy`)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
