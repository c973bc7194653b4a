"""Authoring workbooks: a framework spec as an Excel workbook a consultant fills in, and read back."""
