"""Run every benchmark in bench/ and print its results."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

BENCHMARKS = [
    "catalogue_bench.py",
    "fair_bench.py",
    "intel_stix.py",
    "intel_misp.py",
    "threatmodel_vs_pytm.py",
    "devsec_scan.py",
    "posture_matching.py",
    "classifier_speed.py",
    "classifier_atlas.py",
    "pages_at_scale.py",
]

if __name__ == "__main__":
    here = Path(__file__).parent
    for name in BENCHMARKS:
        print(f"\n## {name}\n", flush=True)
        sys.argv = [name]
        runpy.run_path(str(here / name), run_name="__main__")
