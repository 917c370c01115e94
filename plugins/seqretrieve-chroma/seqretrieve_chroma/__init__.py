"""Example seqretrieve plugin: a chroma feature extractor."""

__version__ = "0.1.0"
