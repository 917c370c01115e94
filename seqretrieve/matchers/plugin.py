"""Built-in matchers plugin (placeholder until its owner fills it)."""
