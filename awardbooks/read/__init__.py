"""Reading returns: inputs, containers, emails, sheet scanning, the return reader and its
checks, annotation."""
