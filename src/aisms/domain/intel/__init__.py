"""Threat-intelligence feed parsers: pure, streaming, one module per format, no Django."""
