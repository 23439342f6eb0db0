"""Threat-intel STIX benchmark: a generated STIX 2.1 bundle of 25,000 objects (about 45 MB) ingested into a
fresh SQLite database through the ingest service (wall time, peak memory), side by side with
stix2.parse(allow_custom=True) on the same file. Each side runs in a process of its own.

    python bench/intel_stix.py [--objects 25000] [--skip-stix2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

WORDS = [
    "adversary",
    "model",
    "prompt",
    "injection",
    "retrieval",
    "pipeline",
    "dataset",
    "poisoning",
    "inference",
    "endpoint",
    "credential",
    "exfiltration",
    "agent",
    "tool",
    "invocation",
    "jailbreak",
    "guardrail",
    "embedding",
    "vector",
    "store",
    "supply",
    "chain",
    "package",
    "registry",
    "container",
    "kubernetes",
    "gateway",
    "token",
    "session",
    "clinician",
    "patient",
    "triage",
    "summary",
    "record",
    "upload",
    "phishing",
    "lure",
    "payload",
    "loader",
    "beacon",
    "persistence",
    "privilege",
    "escalation",
    "lateral",
    "movement",
    "sandbox",
]
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
STAMP = "2026-11-01T00:00:00.000Z"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _id(rng: random.Random, kind: str) -> str:
    return f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def make_object(rng: random.Random, index: int) -> dict[str, Any]:
    base: dict[str, Any] = {
        "spec_version": "2.1",
        "created": STAMP,
        "modified": STAMP,
        "confidence": rng.randint(10, 95),
        "object_marking_refs": [rng.choice((GREEN, AMBER))],
        "labels": [rng.choice(WORDS), rng.choice(WORDS)],
    }
    choice = index % 10
    if choice < 3:
        technique = f"AML.T{index % 10000:04d}.{index // 10000:03d}"
        obj = {
            "type": "attack-pattern",
            "id": _id(rng, "attack-pattern"),
            "name": _text(rng, 4),
            "description": _text(rng, 160),
            "external_references": [
                {
                    "source_name": "mitre-atlas",
                    "external_id": technique,
                    "url": f"https://atlas.mitre.org/techniques/{technique}",
                },
                {
                    "source_name": "mitre-attack",
                    "external_id": f"T{1000 + index % 600}",
                    "url": "https://attack.mitre.org/",
                },
            ],
            "kill_chain_phases": [{"kill_chain_name": "mitre-atlas", "phase_name": "initial-access"}],
        }
    elif choice < 6:
        obj = {
            "type": "indicator",
            "id": _id(rng, "indicator"),
            "name": f"Indicator {index}",
            "description": _text(rng, 145),
            "indicator_types": ["malicious-activity"],
            "pattern": f"[ipv4-addr:value = '198.51.{index % 250}.{index % 200}'] OR "
            f"[domain-name:value = 'c{index}.example.net']",
            "pattern_type": "stix",
            "valid_from": STAMP,
        }
    elif choice < 8:
        obj = {
            "type": "vulnerability",
            "id": _id(rng, "vulnerability"),
            "name": f"CVE-2026-{10000 + index}",
            "description": _text(rng, 150),
            "external_references": [{"source_name": "cve", "external_id": f"CVE-2026-{10000 + index}"}],
        }
    elif choice == 8:
        obj = {
            "type": "malware",
            "id": _id(rng, "malware"),
            "name": f"Malware family {index}",
            "description": _text(rng, 160),
            "malware_types": ["trojan"],
            "is_family": True,
        }
    else:
        obj = {
            "type": "relationship",
            "id": _id(rng, "relationship"),
            "relationship_type": "uses",
            "source_ref": _id(rng, "campaign"),
            "target_ref": _id(rng, "attack-pattern"),
            "description": _text(rng, 150),
        }
    return {**obj, **base}


def generate(path: Path, count: int, seed: int = 5_7) -> int:
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not cryptography
    with path.open("w") as out:
        out.write('{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": [\n')
        for index in range(count):
            if index:
                out.write(",\n")
            out.write(json.dumps(make_object(rng, index)))
        out.write("\n]}\n")
    return path.stat().st_size


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ingest(path: str) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="aisms-bench-intel-")
    os.environ["AISMS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aisms.config.settings")
    import django

    django.setup()

    from aisms.apps.intel import services
    from aisms.config.database_setup import migrate_database
    from aisms.domain.intel.json_stream import BACKEND

    migrate_database()  # a new SQLite database: tables straight from the models
    before = _peak_mib()
    started, cpu = time.perf_counter(), time.process_time()
    outcome = services.ingest_path(None, "stix", Path(path))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_mib()
    from django.db import connections

    connections.close_all()  # after the measurement: the database (about 120 MB) is not kept
    shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mib": peak,
        "peak_before_mib": before,
        "counts": outcome.counts,
        "backend": BACKEND,
    }


def child_stix2(path: str) -> dict[str, Any]:
    import stix2

    before = _peak_mib()
    started, cpu = time.perf_counter(), time.process_time()
    with open(path) as fp:
        bundle = stix2.parse(fp.read(), allow_custom=True)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mib": _peak_mib(),
        "peak_before_mib": before,
        "objects": len(bundle.objects),
    }


def _run_child(mode: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603  # our own script with fixed arguments
        [sys.executable, __file__, f"--{mode}", str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=25_000)
    parser.add_argument("--ingest")
    parser.add_argument("--stix2")
    parser.add_argument("--skip-stix2", action="store_true")
    args = parser.parse_args()
    if args.ingest:
        print(json.dumps(child_ingest(args.ingest)))
        return
    if args.stix2:
        print(json.dumps(child_stix2(args.stix2)))
        return
    with tempfile.TemporaryDirectory(prefix="aisms-bench-stix-") as tmp:
        path = Path(tmp) / "bundle.json"
        size = generate(path, args.objects)
        ours = _run_child("ingest", path)
        theirs = None if args.skip_stix2 else _run_child("stix2", path)
    print(f"STIX 2.1 bundle: {args.objects:,} objects, {size / 1e6:.1f} MB; ijson {ours['backend']}\n")
    print("| measure | aisms ingest (parse + store in SQLite) | stix2.parse (parse only) |")
    print("|---|---|---|")
    t2 = f"{theirs['wall_s']:.2f} s" if theirs else "n/a"
    m2 = f"{theirs['peak_mib']:.0f} MiB" if theirs else "n/a"
    print(f"| wall time | {ours['wall_s']:.2f} s (target <= 3 s) | {t2} |")
    c2 = f"{theirs['cpu_s']:.2f} s" if theirs else "n/a"
    print(f"| CPU time | {ours['cpu_s']:.2f} s | {c2} |")
    print(f"| peak resident memory of the process | {ours['peak_mib']:.0f} MiB (target < 400 MB) | {m2} |")
    print(f"| counts | {ours['counts']} | {theirs['objects'] if theirs else ''} objects |")


if __name__ == "__main__":
    main()
