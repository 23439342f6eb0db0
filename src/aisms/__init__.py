"""aisms: an ISO/IEC 27001:2022 ISMS with AI risk as a first-class concern."""

__version__ = "0.1.0"
