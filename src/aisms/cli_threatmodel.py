"""`aisms threatmodel analyze FILE`: analyse a threat-model file without a database (pure domain and the
shipped catalogue). Exit code 0 on success, 2 when the model or an extra rules file is invalid."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.threatmodel_rules import builtin_engine
from aisms.domain.threatmodel.diagram import render_svg
from aisms.domain.threatmodel.model_file import ModelInvalidError, parse_model
from aisms.domain.threatmodel.reports import to_html, to_json, to_markdown, to_sarif

MAX_FILE_BYTES = 2_000_000
FORMATS = ("json", "md", "html", "sarif", "svg")


def _read(path: str) -> str:
    file = Path(path)
    if file.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    return file.read_text(encoding="utf-8")


def cmd_analyze(args: argparse.Namespace) -> int:
    try:
        text = _read(args.file)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = builtin_engine()
    try:
        model = parse_model(text, args.file)
        extra = []
        for rules_path in args.rules or []:
            extra += engine.parse_extra(_read(rules_path), rules_path, origin=Path(rules_path).name)
    except ModelInvalidError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{args.file}: {len(exc.problems)} problem(s); nothing analysed", file=sys.stderr)
        return 2
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    analysis = engine.analyze(model, extra)
    counts: dict[str, int] = {}
    for threat in analysis.threats:
        counts[threat.element_id] = counts.get(threat.element_id, 0) + 1
    if args.format == "json":
        output = to_json(model, analysis, args.file)
    elif args.format == "md":
        output = to_markdown(model, analysis)
    elif args.format == "html":
        output = to_html(model, analysis, render_svg(model, counts))
    elif args.format == "svg":
        output = render_svg(model, counts) + "\n"
    else:
        titles = {rule.id: (rule.title, rule.description) for rule in engine.rules_with(extra)}
        output = json.dumps(to_sarif(analysis, args.file, titles), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
        c = analysis.counts()
        print(f"{args.output}: {c['threats']} threats ({c['ai']} AI-specific)", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    engine = builtin_engine()
    try:
        extra = engine.parse_extra(_read(args.file), args.file) if args.file else []
    except (CatalogueError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rules = extra if args.file else engine.rules
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "title": r.title,
                        "applies_to": r.applies_to.value,
                        "stride": r.stride.value if r.stride else None,
                        "threats": list(r.threats),
                        "mitigations": list(r.mitigations),
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
    else:
        for r in rules:
            tag = f"STRIDE {r.stride.value}" if r.stride else "AI"
            print(f"{r.id:40} {r.applies_to.value:9} {tag:9} {', '.join(r.threats)}")
        if args.file:
            print(f"{args.file}: {len(rules)} valid rule(s)", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    p = sub.add_parser("threatmodel", help="AI threat modelling: analyse a threat-model file")
    tsub = p.add_subparsers(dest="threatmodel_command", required=True)
    a = tsub.add_parser("analyze", help="generate the threats of a threat-model YAML file")
    a.add_argument("file", help="threat-model YAML file (see docs/threat-modelling.md)")
    a.add_argument("--format", choices=FORMATS, default="md", help="output format (default md)")
    a.add_argument("--rules", action="append", metavar="EXTRA.yaml", help="extra rules file (repeatable)")
    a.add_argument("--output", "-o", help="write to this file instead of standard output")
    a.set_defaults(func=cmd_analyze)
    r = tsub.add_parser("rules", help="list the built-in rules, or check an extra rules file")
    r.add_argument("file", nargs="?", help="a rules file to validate")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_rules)
