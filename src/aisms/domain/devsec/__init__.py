"""Secure coding with AI assistants (ISO/IEC 27002:2022 control 8.28): policy, repository scanner, SARIF."""
