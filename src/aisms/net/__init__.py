"""Outbound network access: one client, with an allow-list, timeouts and size limits."""
