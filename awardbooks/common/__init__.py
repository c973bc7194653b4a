"""What every stage shares: file writing, CSV files, terms, setting identity, cell text."""
