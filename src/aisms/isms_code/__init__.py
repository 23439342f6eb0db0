"""The ISMS as code: export the whole ISMS as readable YAML files and import them back, all-or-nothing."""
