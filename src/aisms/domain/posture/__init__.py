"""Correlating threat intelligence with the organisation and proposing risk re-assessments.

Pure Python: CPE 2.3 names and match criteria, version ranges, vendor/product name matching,
technique-to-asset matching and the proposal rules. The posture app loads rows, calls these and saves.
"""
