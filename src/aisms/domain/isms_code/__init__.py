"""Pure formatting helpers of the ISMS as code: natural keys, deterministic YAML, problems, manifest."""
