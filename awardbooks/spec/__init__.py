"""Framework specs: the typed model, loading and validating YAML, editions, export."""
