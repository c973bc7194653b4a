"""Repository scripts (not installed): samples, docs, the wheel check."""
