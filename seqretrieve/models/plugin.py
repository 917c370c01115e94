"""Built-in learned representations ("dhs", "pse", "profile"), their matchers ("hash-dtw",
"embedding") and the "cascade" pipelines, registered through the same hooks a third-party plugin
uses.

Cheap to import: models load on first use, TFLite only when encoding.
"""

from __future__ import annotations

from ..dtw.defaults import CODES_GULLY, CODES_PENALTY
from ..hookspecs import hookimpl
from ..types import ComponentSpec, PipelineSpec, PipelineStage

#: shipped model versions
DHS_VERSION = "2"
PSE_VERSION = "2"
PROFILE_VERSION = "6"
#: the shipped profile's projection without its hubness correction (what `train hubness` adds to)
PROFILE_BASE_VERSION = "5"
#: weight of the embedding distance in the cascade's hash-dtw stage, chosen on the validation
#: split (never on test songs): benchmarks/bench_models.py's tuning table. Tried without it behind
#: the code profile (docs/models.md, "The cascade"): better on synthetic validation excerpts at
#: 14,087 entries, but two of the three real Bach recordings fell out of the top 30 at 1,000
CASCADE_EMBEDDING_WEIGHT = 1.0
#: weight of the hash-dtw stage's score carried into the final DTW ranking (``PipelineStage.carry``),
#: chosen on the scale benchmark's validation indexes (456 targets): top-1 at 1,000 entries 83.8%
#: with no carry -> 85.1%, at 14,087 entries 79.4% -> 81.1% (BENCHMARKS.md, "Scale")
CASCADE_FINAL_CARRY = 0.5
#: candidates the cascade's hash-dtw stage passes to full DTW, chosen on the scale benchmark's
#: validation indexes (456 targets; docs/models.md, "The cascade"): top-1 with 10 / 20 / 30 at
#: 1,000 entries 85.3% / 85.5% / 85.5%, at 16,760 82.9% / 82.9% / 82.7%; the final stage does 2/3
#: of the work of 30
CASCADE_SECOND_KEEP = 20
#: the final stage's ``dtw`` options: query frames kept on each side of a candidate's pooled path
#: (a share of the entry's frames) and the penalty from every 8th query frame (docs/models.md,
#: "The final stage's window": validation top-1 unchanged at 1,000 and 14,087 entries with every
#: 4th (v8); every 8th: the same rank for all 456 validation targets at 14,087 as every 4th)
CASCADE_FINAL_WINDOW, CASCADE_FINAL_MEDIAN_STRIDE = 0.25, 8
#: frames pooled per coarse frame where the final stage chooses each candidate's tempo rate and
#: window (the dtw matcher's ``coarse``; 4 by default): 8 is a quarter of the pooled cells, and on
#: the validation index (14,087 entries, 456 targets) the same top-1 and top-5 as 4 (four
#: right entries one rank lower, all below rank 1); with the stride of 8 the final stage takes
#: 0.31 -> 0.10 s per query there (replayed on the cached candidates)
CASCADE_FINAL_COARSE = 8
#: global time-scalings of the query each stage tries (seqretrieve.matchers.tempo), chosen on
#: the validation songs of benchmarks/bench_tempo.py; (1.0,) = the query as written
HASH_RATES = (0.44, 0.67, 1.0, 1.5, 2.25)
#: how much worse (in standard deviations of the candidates' scores per unit |ln rate|) a score at
#: another rate counts in the hash-dtw stage: chosen on validation songs of both the tempo and the
#: scale benchmarks (80 validation songs' hard excerpts among 1,000 entries: Hamming-DTW top-30
#: 72.5% -> 81.2%; the 20 tempo-gap validation queries: top-1 unchanged at 90%)
HASH_RATE_PENALTY = 1.0
EMBEDDING_RATES = (1.0,)


def _dhs(**parameters):
    from .encoders import HashSequenceModel

    return HashSequenceModel(**parameters)


def _pse(**parameters):
    from .encoders import EmbeddingModel

    return EmbeddingModel(**parameters)


def _profile(**parameters):
    from ..matchers.embedding import shared_model
    from .code_profile import CodeProfileModel

    return CodeProfileModel(shared_model("dhs"), **parameters)  # the same DHS model the matchers use


def _hash_dtw(rates=None, rate_penalty=0.0, resample_codes=True, **parameters):
    from ..matchers.hash_dtw import HashDTWMatcher
    from ..matchers.tempo import with_rates

    matcher = HashDTWMatcher(**parameters)  # the fused embedding is taken from the query as written
    return with_rates(matcher, rates, shared=(matcher.embedding.representation,) if matcher.embedding else (),
                      rate_penalty=rate_penalty, resampled=(matcher.representation,) if resample_codes else ())


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
        ComponentSpec("profile", _profile, version=PROFILE_VERSION,
                      description="DHS code statistics (means, co-occurrences, lag-1 products) through a "
                                  "two-layer perceptron: CQT (T, 48) -> (64,) float32 (MIDI side: (W, 64), one per window)",
                      parameters={"name": "profile", "version": PROFILE_VERSION}),
    ]


@hookimpl
def seqretrieve_matchers():
    return [
        ComponentSpec("hash-dtw", _hash_dtw, version="3",  # 2: rate_penalty; 3: resample_codes
                      description="DTW on Hamming distances of DHS hash sequences "
                                  "(embedding_weight > 0: fused with PSE embedding distances)",
                      parameters={"representation": "dhs", "penalty": CODES_PENALTY, "gully": CODES_GULLY,
                                  "embedding": "pse", "embedding_weight": 0.0, "rates": HASH_RATES,
                                  "rate_penalty": HASH_RATE_PENALTY, "resample_codes": True}),
        ComponentSpec("embedding", _embedding, version="1",
                      description="squared Euclidean distance of embeddings (default PSE), all entries at "
                                  "once; a query of several windows scores each entry by its nearest",
                      parameters={"representation": "pse", "max_hits": 10000, "rates": EMBEDDING_RATES}),
    ]


@hookimpl
def seqretrieve_pipelines():
    return [
        PipelineSpec(
            "cascade",
            [PipelineStage("embedding", 1000, {"representation": "profile"}),
             PipelineStage("hash-dtw", CASCADE_SECOND_KEEP, {"embedding_weight": CASCADE_EMBEDDING_WEIGHT}),
             PipelineStage("dtw", carry=CASCADE_FINAL_CARRY,
                           options={"window": CASCADE_FINAL_WINDOW, "median_stride": CASCADE_FINAL_MEDIAN_STRIDE,
                                    "coarse": CASCADE_FINAL_COARSE})],
            description=f"code profile (DHS code statistics, nearest query window) keeps 1000 -> Hamming "
                        f"DTW on DHS codes (fused with the PSE distance) keeps {CASCADE_SECOND_KEEP} -> full CQT "
                        f"DTW near each one's pooled path (carrying the hash-dtw score with weight "
                        f"{CASCADE_FINAL_CARRY:g})",
            version="9",  # 8: the final stage's window and median stride; 9: its rate chosen on 8x pooled frames, stride 8
            needs=("dhs", "profile", "pse"),
            preference=10,  # the default wherever every entry holds the three representations
        ),
        PipelineSpec(
            "cascade-pse",
            [PipelineStage("embedding", 1000),
             PipelineStage("hash-dtw", 30, {"embedding_weight": CASCADE_EMBEDDING_WEIGHT}),
             PipelineStage("dtw")],
            description="the cascade before the code profile: PSE embedding keeps 1000 -> Hamming DTW "
                        "on DHS codes (fused with the embedding distance) keeps 30 -> full CQT DTW",
            version="4",
            needs=("dhs", "pse"),
            preference=9,  # the default for an index encoded before "profile" existed
        ),
    ]
