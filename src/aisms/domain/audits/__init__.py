"""Internal audit, management review and improvement (ISO/IEC 27001:2022 clauses 9.2, 9.3, 10): pure logic."""
