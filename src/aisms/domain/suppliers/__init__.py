"""Supplier relationships (ISO/IEC 27002:2022 controls 5.19-5.22): questionnaires, scoring, review schedule,
contract clause checklists. Pure Python: no Django."""
