"""Built-in synth plugin (placeholder until its owner fills it)."""
