"""Correlation benchmark: match NVD-style vulnerabilities (CPE criteria with version ranges) against an
inventory of software components, with and without the product-token prefilter the posture app uses.

Synthetic, seeded data: 300 components over 120 products; 20,000 vulnerabilities with 1-4 criteria each,
a quarter naming an inventory product. Run: `python bench/posture_matching.py`.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

from aisms.domain.posture.matching import ComponentFacts, VulnerabilityFacts, match_components
from aisms.domain.posture.names import tokens

SEED = 2026
COMPONENTS = 300
PRODUCTS = 120
VULNS = 20_000


def _data() -> tuple[list[ComponentFacts], list[VulnerabilityFacts]]:
    rng = random.Random(SEED)  # noqa: S311  # seeded synthetic benchmark data, not cryptography
    products = [(f"vendor{i}", f"product{i}") for i in range(PRODUCTS)]
    components = []
    for i in range(COMPONENTS):
        vendor, product = products[rng.randrange(PRODUCTS)]
        version = f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        cpe = f"cpe:2.3:a:{vendor}:{product}:{version}:*:*:*:*:*:*:*" if rng.random() < 0.7 else ""
        components.append(ComponentFacts(i, i % 40, vendor, product, version, cpe))
    vulns = []
    for n in range(VULNS):
        criteria = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.25:
                vendor, product = products[rng.randrange(PRODUCTS)]
            else:
                vendor, product = f"other{rng.randrange(5000)}", f"thing{rng.randrange(5000)}"
            low = f"{rng.randint(1, 3)}.{rng.randint(0, 10)}"
            high = f"{rng.randint(3, 6)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
            criteria.append(
                {
                    "criteria": f"cpe:2.3:a:{vendor}:{product}:*:*:*:*:*:*:*:*",
                    "vulnerable": True,
                    "versionStartIncluding": low,
                    "versionEndExcluding": high,
                }
            )
        vulns.append(VulnerabilityFacts(f"CVE-2026-{n:05d}", criteria))
    return components, vulns


def main() -> None:
    components, vulns = _data()
    index: dict[str, list[ComponentFacts]] = defaultdict(list)
    for c in components:
        for token in tokens(c.product):
            index[token].append(c)

    start = time.perf_counter()
    matched = 0
    for v in vulns[:2000]:
        matched += len(match_components(components, v))
    brute = (time.perf_counter() - start) * VULNS / 2000

    start = time.perf_counter()
    matched_indexed = 0
    for v in vulns:
        names = {str(e["criteria"]).split(":")[4] for e in v.cpe_matches}
        candidates = {c.id: c for name in names for t in tokens(name) for c in index.get(t, [])}
        matched_indexed += len(match_components(candidates.values(), v))
    indexed = time.perf_counter() - start
    print("| measure | result |\n|---|---|")
    print(f"| inventory / vulnerabilities | {COMPONENTS} components / {VULNS:,} CVEs |")
    print(f"| every CVE against every component (extrapolated from 2,000) | {brute:.1f} s |")
    print(f"| with the product-token prefilter | {indexed:.2f} s ({VULNS / indexed:,.0f} CVEs/s) |")
    print(f"| matches found | {matched_indexed:,} |")


if __name__ == "__main__":
    main()
