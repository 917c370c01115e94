"""Built-in features plugin (placeholder until its owner fills it)."""
