"""`aisms scan PATH`: check a repository's AI coding assistant setup against the secure-coding policy.

Works without a database. Exit codes: 0 nothing at or above the --fail-on threshold, 1 findings at or
above it (policy violations), 2 a usage or input error (unreadable path, policy or SARIF file, failed post).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
API_PATH = "/api/v1/devsec/scans"
MAX_POLICY_BYTES = 1_000_000


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "scan",
        help="check a source tree's AI coding assistant setup against the secure-coding policy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", help="root of the source tree (nothing in it is run)")
    p.add_argument("--policy", help="policy YAML (default: the shipped default policy)")
    p.add_argument(
        "--sarif",
        action="append",
        default=[],
        metavar="FILE",
        help="SARIF 2.1.0 log of a SAST tool (bandit -f sarif, semgrep --sarif) to merge; repeatable",
    )
    p.add_argument("--format", choices=["json", "sarif"], default="json", help="output format (default json)")
    p.add_argument("--output", "-o", help="write the report here instead of standard output")
    p.add_argument(
        "--fail-on",
        choices=["error", "warning", "never"],
        help="exit 1 when a finding is at or above this severity (default: the policy's fail_on)",
    )
    p.add_argument("--repository", help="repository name (default: the folder's name)")
    p.add_argument("--url", default="", help="repository URL, recorded with the scan")
    p.add_argument("--commit", help="commit scanned (default: read from .git/HEAD)")
    p.add_argument("--classification", default="", help="data classification of the repository")
    p.add_argument(
        "--post", metavar="URL", help="post the JSON report to this aisms server as evidence for 8.28"
    )
    p.add_argument(
        "--token",
        help="API token for --post (better: the AISMS_TOKEN environment variable, kept out of shell history)",
    )
    p.set_defaults(func=cmd_scan)


def _error(message: str) -> int:
    print(f"aisms scan: {message}", file=sys.stderr)
    return EXIT_ERROR


def _progress() -> tuple[Any, Any]:
    from tqdm import tqdm

    bar = tqdm(desc="scanning", unit=" files", file=sys.stderr, disable=not sys.stderr.isatty())

    def update(files_seen: int) -> None:
        bar.n = files_seen
        bar.refresh()

    return bar, update


def post_url(base: str) -> str:
    """The scans endpoint for a server URL (or the endpoint itself); refuses plain HTTP off this machine."""
    parts = urlsplit(base)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"--post: {base!r} is not an http(s) URL")
    host = parts.hostname
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if parts.scheme == "http" and not loopback:
        raise ValueError("--post: use https; a token is never sent over plain HTTP except to this machine")
    path = parts.path.rstrip("/")
    if not path.endswith(API_PATH):
        path += API_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def post_report(url: str, token: str, document: dict[str, Any]) -> dict[str, Any]:
    from aisms.net.http_fetch import FetchPolicy, fetch

    target = post_url(url)
    policy = FetchPolicy(
        allowed_hosts=frozenset({urlsplit(target).hostname or ""}), timeout_s=60.0, max_bytes=5_000_000
    )
    result = fetch(
        target,
        policy,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        data=json.dumps(document).encode("utf-8"),
    )
    answer: dict[str, Any] = json.loads(result.body or b"{}")
    return answer


def cmd_scan(args: argparse.Namespace) -> int:
    from aisms.domain.devsec import report as report_io
    from aisms.domain.devsec.findings import at_or_above, counts
    from aisms.domain.devsec.policy import PolicyError, default_policy, parse_policy
    from aisms.domain.devsec.sarif_import import SarifImportError, parse_sarif
    from aisms.domain.devsec.scanner import ScanTarget, read_git_head, scan

    root = Path(args.path)
    if not root.is_dir():
        return _error(f"{args.path}: not a folder")
    try:
        if args.policy:
            policy_path = Path(args.policy)
            if policy_path.stat().st_size > MAX_POLICY_BYTES:
                return _error(f"{args.policy}: larger than {MAX_POLICY_BYTES} bytes")
            policy = parse_policy(policy_path.read_text(encoding="utf-8"), args.policy)
        else:
            policy = default_policy()
    except PolicyError as exc:
        for problem in exc.errors:
            print(f"aisms scan: {problem}", file=sys.stderr)
        return EXIT_ERROR
    except (OSError, UnicodeDecodeError) as exc:
        return _error(f"{args.policy}: cannot read the policy: {exc}")
    imported = []
    for name in args.sarif:
        try:
            with open(name, "rb") as handle:
                data = handle.read(20_000_001)
            imported.append(parse_sarif(data, name, root=str(root.resolve())))
        except SarifImportError as exc:
            return _error(str(exc))
        except OSError as exc:
            return _error(f"{name}: cannot read: {exc}")
    commit, branch = read_git_head(root)
    target = ScanTarget(
        name=(args.repository or root.resolve().name)[:200],
        url=args.url,
        commit=(args.commit if args.commit is not None else commit)[:64],
        branch=branch,
        classification=args.classification,
    )
    if args.classification and policy.rank(args.classification) is None:
        return _error(
            f"--classification: {args.classification!r} is not one of {list(policy.classifications)}"
        )
    bar, update = _progress()
    try:
        result = scan(root, policy, target, datetime.now(UTC), imported=imported, progress=update)
    except OSError as exc:
        return _error(f"{args.path}: {exc}")
    finally:
        bar.close()
    result.policy_source = args.policy or "default"
    as_json = report_io.to_json(result)
    document = as_json if args.format == "json" else report_io.to_sarif(result)
    text = report_io.dumps(document)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _error(f"{args.output}: cannot write: {exc}")
    else:
        sys.stdout.write(text)
    summary = counts(result.findings)
    print(
        f"aisms scan: {summary['total']} findings ({summary['error']} errors, {summary['warning']} warnings, "
        f"{summary['note']} notes) in {result.stats.files_seen} files; assistants: "
        f"{', '.join(t.id for t in result.tools) or 'none'}",
        file=sys.stderr,
    )
    if args.post:
        token = args.token or os.environ.get("AISMS_TOKEN", "")
        if not token:
            return _error("--post needs a token: --token or the AISMS_TOKEN environment variable")
        from aisms.net.http_fetch import FetchError

        try:
            answer = post_report(args.post, token, as_json)
        except FetchError as exc:
            return _error(f"posting the report failed: {exc}")
        except ValueError as exc:
            return _error(str(exc))
        print(
            f"aisms scan: recorded as scan {answer.get('id')} of {answer.get('repository')}", file=sys.stderr
        )
    threshold = args.fail_on or policy.fail_on
    return EXIT_VIOLATIONS if at_or_above(result.findings, threshold) else EXIT_CLEAN
