"""The shared fixtures come from :mod:`seqretrieve.testing` (also usable by plugin authors)."""

pytest_plugins = ["seqretrieve.testing"]
