"""Compliance roll-ups (ISO/IEC 27001 clauses 4-10 and Annex A): status, gaps, crosswalks, exposure."""
