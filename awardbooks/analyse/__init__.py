"""Analysing returns: consolidation into tidy tables, duplicates, progress."""
