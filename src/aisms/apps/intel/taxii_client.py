"""A small TAXII 2.1 client on the product's HTTP client: discovery, API roots, collections and the
objects endpoint with added_after (incremental pulls) and next/more pagination."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aisms.net.http_fetch import FetchError, FetchPolicy, fetch

MEDIA_TYPE = "application/taxii+json;version=2.1"
PAGE_LIMIT = 1000
MAX_PAGES = 10_000


class TaxiiError(Exception):
    """The server's answer was not what TAXII 2.1 specifies (or could not be fetched)."""


@dataclass(frozen=True)
class Page:
    body: bytes
    more: bool
    next: str | None
    date_added_last: str | None
    object_count: int


def _get(
    url: str, policy: FetchPolicy, params: dict[str, str] | None = None
) -> tuple[dict[str, Any], bytes, dict[str, str]]:
    if params:
        url = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    try:
        result = fetch(url, policy, headers={"Accept": MEDIA_TYPE})
    except FetchError as exc:
        raise TaxiiError(str(exc)) from exc
    try:
        document = json.loads(result.body)
    except ValueError as exc:
        raise TaxiiError(f"{url}: the answer is not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise TaxiiError(f"{url}: expected a JSON object")
    return document, result.body, result.headers


def discover(url: str, policy: FetchPolicy) -> list[str]:
    """The API root URLs a discovery endpoint lists (the default first)."""
    document, _, _ = _get(url, policy)
    roots = [str(r) for r in document.get("api_roots") or ()]
    default = document.get("default")
    if isinstance(default, str):
        roots = [default, *[r for r in roots if r != default]]
    return [urllib.parse.urljoin(url, r) for r in roots]


def collections(api_root: str, policy: FetchPolicy) -> list[dict[str, Any]]:
    document, _, _ = _get(_slash(api_root) + "collections/", policy)
    return [c for c in document.get("collections") or () if isinstance(c, dict)]


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def collection_objects_url(url: str, collection: str, policy: FetchPolicy) -> str:
    """Resolve a source's URL (discovery, API root or collection URL) and collection (id, title or URL)."""
    if "/collections/" in collection or collection.startswith(("http://", "https://")):
        base = urllib.parse.urljoin(_slash(url), collection)
        return _slash(base) + ("" if base.rstrip("/").endswith("objects") else "objects/")
    if "/collections/" in url:
        return _slash(url) + ("" if url.rstrip("/").endswith("objects") else "objects/")
    api_root = url
    if url.rstrip("/").endswith("taxii2"):
        roots = discover(url, policy)
        if not roots:
            raise TaxiiError(f"{url}: the discovery document lists no API roots")
        api_root = roots[0]
    known = collections(api_root, policy)
    for entry in known:
        if collection in (entry.get("id"), entry.get("title")):
            if entry.get("can_read") is False:
                raise TaxiiError(f"collection {collection!r} cannot be read")
            return _slash(api_root) + f"collections/{entry['id']}/objects/"
    names = ", ".join(str(c.get("title") or c.get("id")) for c in known) or "none"
    raise TaxiiError(f"{api_root}: no collection {collection!r} (available: {names})")


def pages(objects_url: str, policy: FetchPolicy, *, added_after: str | None = None) -> Iterator[Page]:
    """Each page of the objects endpoint; follows 'next' while 'more' is true."""
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        params = {"limit": str(PAGE_LIMIT)}
        if added_after:
            params["added_after"] = added_after
        if cursor:
            params["next"] = cursor
        document, body, headers = _get(objects_url, policy, params)
        objects = document.get("objects") or []
        if not isinstance(objects, list):
            raise TaxiiError(f"{objects_url}: 'objects' is not a list")
        more = bool(document.get("more", False))
        cursor = document.get("next") if isinstance(document.get("next"), str) else None
        yield Page(
            body=body,
            more=more,
            next=cursor,
            date_added_last=headers.get("x-taxii-date-added-last"),
            object_count=len(objects),
        )
        if not more or not cursor:
            return
    raise TaxiiError(f"{objects_url}: more than {MAX_PAGES} pages")
