"""The public address of this aisms, for links that leave it (e-mails, supplier questionnaire links).

It is the configured ``AISMS_BASE_URL`` (``aisms serve`` defaults it to the address it listens on), never
the Host header of a request: an internal address, or one an attacker chose, must not reach a mailbox.
"""

from __future__ import annotations

from django.conf import settings


def public_base_url() -> str:
    """``AISMS_BASE_URL`` without a trailing slash, ready for a path to be appended."""
    return str(settings.AISMS_BASE_URL).rstrip("/")
