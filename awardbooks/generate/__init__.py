"""Generating workbooks: rosters, manifests, one workbook per setting, carry-forward."""
