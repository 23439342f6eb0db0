"""Guess a feed file's format from its first bytes, for uploads where the user did not choose one."""

from __future__ import annotations

from aisms.domain.intel.json_stream import root_scalars

FORMATS = ("stix", "misp", "kev", "nvd", "epss", "text")


def sniff_format(head: bytes) -> str | None:
    """'stix', 'misp', 'kev', 'nvd', 'epss', 'text', or None for JSON of no known kind."""
    text = head.lstrip()
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    if text[:1] in (b"{", b"["):
        root, scalars = root_scalars(head)
        keys = scalars.get("__keys__", [])
        if root != "map":
            return None
        if scalars.get("type") == "bundle" or ("objects" in keys and "spec_version" not in keys):
            return "stix"
        if "Event" in keys:
            return "misp"
        if "catalogVersion" in keys:
            return "kev"
        if scalars.get("format") == "NVD_CVE" or "resultsPerPage" in keys:
            return "nvd"
        return None
    first = text.split(b"\n", 2)
    if first and (
        first[0].startswith(b"#model_version") or first[0].strip().lower() == b"cve,epss,percentile"
    ):
        return "epss"
    if len(first) > 1 and first[1].strip().lower() == b"cve,epss,percentile":
        return "epss"
    return "text"
