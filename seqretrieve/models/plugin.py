"""Built-in models plugin (placeholder until its owner fills it)."""
