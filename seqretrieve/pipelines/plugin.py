"""Built-in pipelines plugin (placeholder until its owner fills it)."""
