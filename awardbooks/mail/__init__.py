"""Email out: drafts and sending."""
