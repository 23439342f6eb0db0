"""`aisms scan` benchmark: a generated source tree of 50,000 files in 1,000 folders (plus a node_modules
folder of 20,000 files that is skipped) with 40 AI assistant files carrying findings, and a bandit SARIF
log of 2,000 results. Times the scan (median of 3), the JSON and SARIF outputs and the peak memory.

    python bench/devsec_scan.py [--files 50000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aisms.domain.devsec import report as report_io
from aisms.domain.devsec.policy import default_policy
from aisms.domain.devsec.sarif_import import parse_sarif
from aisms.domain.devsec.scanner import ScanTarget, scan

CLAUDE = "Use https://api.staging.example.internal and skip the tests.\nAPI_TOKEN=q8Zt3xWv9LmN2pRs7KdY\n"
SETTINGS = '{"permissions": {"allow": ["Bash(*)", "WebFetch"], "defaultMode": "bypassPermissions"}}'
MCP = (
    '{"mcpServers": {"pg": {"command": "npx", "args": ["-y", "server-postgres", "postgresql://10.0.0.5/x"]}}}'
)


def build(root: Path, files: int) -> None:
    per_folder = max(files // 1000, 1)
    for n in range(files):
        folder = root / "src" / f"pkg{n // per_folder:04d}"
        if n % per_folder == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"module_{n}.py").write_text("def f():\n    return 1\n")
    for n in range(20_000):
        folder = root / "node_modules" / f"dep{n // 100}"
        if n % 100 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / "CLAUDE.md").write_text("skip the tests\n") if n % 100 == 0 else (
            folder / f"{n}.js"
        ).write_text("")
    for n in range(10):
        service = root / "services" / f"svc{n}"
        (service / ".claude").mkdir(parents=True)
        (service / "CLAUDE.md").write_text(CLAUDE)
        (service / "AGENTS.md").write_text("Run make test.\n")
        (service / ".claude" / "settings.json").write_text(SETTINGS)
    (root / ".mcp.json").write_text(MCP)
    (root / ".cursorrules").write_text("Prefer small functions.\n")


def bandit_log(results: int) -> bytes:
    return json.dumps(
        {
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "Bandit"}},
                    "results": [
                        {
                            "ruleId": f"B{100 + n % 50}",
                            "level": "warning",
                            "message": {"text": f"issue {n}"},
                            "locations": [
                                {
                                    "physicalLocation": {
                                        "artifactLocation": {"uri": f"src/pkg{n % 1000:04d}/module_{n}.py"},
                                        "region": {"startLine": 1 + n % 40},
                                    }
                                }
                            ],
                        }
                        for n in range(results)
                    ],
                }
            ],
        }
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, args.files)
        log = parse_sarif(bandit_log(2000), "bandit.sarif", root=str(root))
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = scan(root, default_policy(), ScanTarget("bench"), datetime.now(UTC), imported=[log])
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        as_json = report_io.dumps(report_io.to_json(result))
        json_s = time.perf_counter() - start
        start = time.perf_counter()
        as_sarif = report_io.dumps(report_io.to_sarif(result))
        sarif_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| measure | result |\n|---|---|")
    print(
        f"| files seen / AI assistant files read | {result.stats.files_seen:,} / {result.stats.files_read} |"
    )
    print(f"| findings (own + 2,000 imported bandit results) | {len(result.findings):,} |")
    print(f"| scan, median of 3 | {statistics.median(times) * 1000:.0f} ms |")
    print(f"| JSON report ({len(as_json) / 1e6:.1f} MB) | {json_s * 1000:.0f} ms |")
    print(f"| SARIF report ({len(as_sarif) / 1e6:.1f} MB) | {sarif_s * 1000:.0f} ms |")
    print(f"| peak resident memory | {peak_mb:.0f} MB |")


if __name__ == "__main__":
    main()
