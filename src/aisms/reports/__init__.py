"""Reports as PDF and XLSX: risk register, risk treatment plan, gap analysis, management review."""
