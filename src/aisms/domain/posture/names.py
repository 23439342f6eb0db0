"""Vendor and product name matching for components or vulnerabilities without a usable CPE name.

Names are normalised (lower case, punctuation and CPE underscores to spaces, corporate and filler
words dropped) and compared as token sets: "Apache Software Foundation" and "apache" are the same
vendor, "HTTP Server" and "http_server" the same product. A name match is weaker evidence than a CPE
match and carries a lower confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_FILLER = frozenset(
    {
        "the",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "bv",
        "co",
        "corp",
        "corporation",
        "company",
        "foundation",
        "software",
        "project",
        "projects",
        "contributors",
        "community",
        "org",
        "group",
        "technologies",
        "systems",
        "lf",
        "and",
        "of",
    }
)
_SPLIT = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)
def tokens(name: str) -> frozenset[str]:
    """The significant lower-case tokens of a name (filler words dropped unless nothing else is left)."""
    raw = [t for t in _SPLIT.split(name.lower().replace("\\", "")) if t]
    significant = [t for t in raw if t not in _FILLER]
    return frozenset(significant or raw)


@lru_cache(maxsize=8192)
def squashed(name: str) -> str:
    """The name with every non-alphanumeric character removed ("http_server" -> "httpserver")."""
    return "".join(t for t in _SPLIT.split(name.lower()) if t)


def same_name(a: str, b: str, *, allow_subset: bool = True) -> bool:
    """Whether two vendor or product names plausibly name the same thing.

    With ``allow_subset`` (for vendors) one name may be the other plus extra words."""
    left, right = tokens(a), tokens(b)
    if not left or not right:
        return False
    if left == right or squashed(a) == squashed(b):
        return True
    if "".join(sorted(left)) == "".join(sorted(right)):
        return True
    if not allow_subset:
        return False
    smaller, larger = (left, right) if len(left) <= len(right) else (right, left)
    return smaller <= larger and any(len(t) >= 3 for t in smaller)


@dataclass(frozen=True)
class NameMatch:
    vendor_matches: bool
    product_matches: bool

    @property
    def matches(self) -> bool:
        return self.vendor_matches and self.product_matches


def match_names(
    component_vendor: str, component_product: str, vuln_vendor: str, vuln_product: str
) -> NameMatch:
    """Compare a component's vendor and product with a vulnerability's (KEV or CPE) names."""
    product = same_name(component_product, vuln_product, allow_subset=False)
    vendor = same_name(component_vendor, vuln_vendor)
    if not vendor and product:
        # Open-source projects are often listed under their own name as vendor: "Django Software
        # Foundation" in the inventory is "djangoproject"/"django" in NVD, "nginx" is "F5"/"NGINX" in KEV.
        vendor = same_name(component_vendor, vuln_product) or same_name(component_product, vuln_vendor)
    return NameMatch(vendor_matches=vendor, product_matches=product)
