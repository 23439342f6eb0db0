"""Background jobs: status, progress and log of long work, and schedules that start it."""
