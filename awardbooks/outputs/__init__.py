"""Outputs of an analysis: the consolidated workbook, data files, feedback reports."""
