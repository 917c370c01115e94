"""Built-in metadata plugin (placeholder until its owner fills it)."""
