"""Built-in learned representations ("dhs", "pse"), their matchers ("hash-dtw", "embedding") and
the "cascade" pipeline, registered through the same hooks a third-party plugin uses.

Cheap to import: models load on first use, TFLite only when encoding.
"""

from __future__ import annotations

from ..dtw.defaults import CODES_GULLY, CODES_PENALTY
from ..hookspecs import hookimpl
from ..types import ComponentSpec, PipelineSpec, PipelineStage

#: shipped model versions
DHS_VERSION = "1"
PSE_VERSION = "2"
#: weight of the embedding distance in the cascade's hash-dtw stage, chosen on the validation
#: split (never on test songs): benchmarks/bench_models.py's tuning table
CASCADE_EMBEDDING_WEIGHT = 1.0
#: global time-scalings of the query each stage tries (seqretrieve.matchers.tempo), chosen on
#: the validation songs of benchmarks/bench_tempo.py; (1.0,) = the query as written
HASH_RATES = (0.44, 0.67, 1.0, 1.5, 2.25)
EMBEDDING_RATES = (1.0,)


def _dhs(**parameters):
    from .encoders import HashSequenceModel

    return HashSequenceModel(**parameters)


def _pse(**parameters):
    from .encoders import EmbeddingModel

    return EmbeddingModel(**parameters)


def _hash_dtw(rates=None, **parameters):
    from ..matchers.hash_dtw import HashDTWMatcher
    from ..matchers.tempo import with_rates

    matcher = HashDTWMatcher(**parameters)  # the fused embedding is taken from the query as written
    return with_rates(matcher, rates, shared=(matcher.embedding.representation,) if matcher.embedding else ())


def _embedding(rates=None, **parameters):
    from ..matchers.embedding import EmbeddingMatcher
    from ..matchers.tempo import with_rates

    return with_rates(EmbeddingMatcher(**parameters), rates)


@hookimpl
def seqretrieve_representations():
    return [
        ComponentSpec("dhs", _dhs, version=DHS_VERSION,
                      description="conv hash sequences: CQT (T, 48) -> (T // 8,) uint32 codes",
                      parameters={"name": "dhs", "version": DHS_VERSION}),
        ComponentSpec("pse", _pse, version=PSE_VERSION,
                      description="attention embedding: CQT (T, 48) -> (128,) float32",
                      parameters={"name": "pse", "version": PSE_VERSION}),
    ]


@hookimpl
def seqretrieve_matchers():
    return [
        ComponentSpec("hash-dtw", _hash_dtw, version="1",
                      description="DTW on Hamming distances of DHS hash sequences "
                                  "(embedding_weight > 0: fused with PSE embedding distances)",
                      parameters={"representation": "dhs", "penalty": CODES_PENALTY, "gully": CODES_GULLY,
                                  "embedding": "pse", "embedding_weight": 0.0, "rates": HASH_RATES}),
        ComponentSpec("embedding", _embedding, version="1",
                      description="squared Euclidean distance of PSE embeddings, all entries at once",
                      parameters={"representation": "pse", "max_hits": 10000, "rates": EMBEDDING_RATES}),
    ]


@hookimpl
def seqretrieve_pipelines():
    return [
        PipelineSpec(
            "cascade",
            [PipelineStage("embedding", 1000),
             PipelineStage("hash-dtw", 30, {"embedding_weight": CASCADE_EMBEDDING_WEIGHT}),
             PipelineStage("dtw")],
            description="PSE embedding keeps 1000 -> Hamming DTW on DHS codes (fused with the "
                        "embedding distance) keeps 30 -> full CQT DTW",
            version="4",
            needs=("dhs", "pse"),
            preference=10,  # the default wherever every entry holds both representations
        )
    ]
