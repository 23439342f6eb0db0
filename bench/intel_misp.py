"""Threat-intel MISP benchmark: a generated MISP feed (manifest plus 100 event files, 100,000 attributes in
all) ingested into a fresh SQLite database through the ingest service: wall time and peak memory.

    python bench/intel_misp.py [--attributes 100000] [--events 100]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

TYPES = [
    ("ip-dst", "Network activity"),
    ("domain", "Network activity"),
    ("url", "Network activity"),
    ("sha256", "Payload delivery"),
    ("email-src", "Payload delivery"),
    ("filename", "Payload delivery"),
]


def generate(root: Path, attributes: int, events: int, seed: int = 27) -> int:
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not cryptography
    manifest: dict[str, Any] = {}
    per_event = attributes // events
    for e in range(events):
        event_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        attrs = []
        for a in range(per_event):
            kind, category = TYPES[a % len(TYPES)]
            if kind == "ip-dst":
                value = f"198.51.{rng.randrange(256)}.{rng.randrange(256)}"
            elif kind == "sha256":
                value = f"{rng.getrandbits(256):064x}"
            else:
                value = f"host{e}-{a}.example.net" if kind != "url" else f"https://host{e}-{a}.example.net/x"
            attrs.append(
                {
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "type": kind,
                    "category": category,
                    "value": value,
                    "to_ids": a % 3 != 0,
                    "timestamp": "1760443200",
                }
            )
        attrs.append({"type": "vulnerability", "category": "External analysis", "value": f"CVE-2026-{e:05d}"})
        event = {
            "Event": {
                "uuid": event_uuid,
                "info": f"Generated event {e}",
                "date": "2026-10-14",
                "timestamp": "1760443200",
                "Tag": [
                    {"name": "tlp:green"},
                    {"name": 'misp-galaxy:mitre-attack-pattern="Phishing - T1566"'},
                ],
                "Attribute": attrs,
            }
        }
        (root / f"{event_uuid}.json").write_text(json.dumps(event))
        manifest[event_uuid] = {
            "info": f"Generated event {e}",
            "timestamp": "1760443200",
            "date": "2026-10-14",
        }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return sum(p.stat().st_size for p in root.iterdir())


def child_ingest(path: str) -> dict[str, Any]:
    os.environ["AISMS_DATA_DIR"] = tempfile.mkdtemp(prefix="aisms-bench-misp-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aisms.config.settings")
    import django

    django.setup()

    from aisms.apps.intel import services
    from aisms.config.database_setup import migrate_database

    migrate_database()  # a new SQLite database: tables straight from the models
    started, cpu = time.perf_counter(), time.process_time()
    outcome = services.ingest_path(None, "misp", Path(path))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall_s": wall, "cpu_s": cpu, "peak_mib": peak, "counts": outcome.counts}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attributes", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--ingest")
    args = parser.parse_args()
    if args.ingest:
        print(json.dumps(child_ingest(args.ingest)))
        return
    with tempfile.TemporaryDirectory(prefix="aisms-bench-misp-") as tmp:
        size = generate(Path(tmp), args.attributes, args.events)
        out = subprocess.run(  # noqa: S603  # our own script with fixed arguments
            [sys.executable, __file__, "--ingest", tmp], capture_output=True, text=True, check=True
        )
    ours = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"MISP feed: {args.events} events, {args.attributes:,} attributes, {size / 1e6:.1f} MB\n")
    print("| measure | aisms ingest (parse + store in SQLite) |")
    print("|---|---|")
    print(f"| wall time | {ours['wall_s']:.2f} s (target <= 5 s) |")
    print(f"| CPU time of the ingest | {ours['cpu_s']:.2f} s |")
    print(f"| peak resident memory of the process | {ours['peak_mib']:.0f} MiB |")
    print(f"| counts | {ours['counts']} |")


if __name__ == "__main__":
    main()
