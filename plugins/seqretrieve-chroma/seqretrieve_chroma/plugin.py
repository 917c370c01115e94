"""The hook implementations seqretrieve finds through the entry point ``chroma``."""

from seqretrieve import ComponentSpec, hookimpl

from . import __version__


@hookimpl
def seqretrieve_feature_extractors():
    from .extractor import ChromaExtractor

    return [
        ComponentSpec(
            "chroma",
            ChromaExtractor,
            version=__version__,
            description="12-bin chroma (librosa chroma_cqt), L2-normalised per frame",
            parameters={"sample_rate": 22050, "hop_length": 1024, "n_octaves": 4},
        )
    ]
