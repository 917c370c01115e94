"""Evaluation: retrieval metrics and the held-out benchmark sets built from the shared data."""
