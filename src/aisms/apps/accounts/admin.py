"""aisms manages users in its own pages; Django's admin site is not enabled."""
