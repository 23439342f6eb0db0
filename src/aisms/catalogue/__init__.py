"""Versioned reference content (no Django): ISO clauses and controls, AI threat catalogues, crosswalks."""
