"""Natural keys of exported records: readable, stable strings instead of database ids."""

from __future__ import annotations

import re
from collections.abc import Iterable

KEY_SEPARATOR = "/"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
SLUG_MAX = 48


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by '-', at most SLUG_MAX characters; 'item' when nothing is left."""
    slug = _NON_ALNUM.sub("-", text.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "item"


def join_key(parts: Iterable[str]) -> str:
    return KEY_SEPARATOR.join(parts)


class SlugAllocator:
    """Hands out unique slugs in call order: 'x', then 'x-2', 'x-3' for repeats of the same base."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def allocate(self, base: str) -> str:
        candidate = base
        n = 2
        while candidate in self._used:
            candidate = f"{base}-{n}"
            n += 1
        self._used.add(candidate)
        return candidate
