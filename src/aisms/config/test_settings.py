"""Settings for the test suite: the product's settings, with background jobs run at once in the caller.

The e2e tests start the real `aisms serve`, which uses the normal settings and the database job queue.
"""

from aisms.config.settings import *  # noqa: F403 - the test settings are the product settings plus overrides

AISMS_TASKS_BACKEND = "immediate"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
