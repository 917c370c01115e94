"""Built-in pipelines: ``brute-force`` ranks every entry with full DTW (the accuracy reference),
plus the user's own from a TOML file (:mod:`seqretrieve.pipelines.user`)."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..types import PipelineSpec, PipelineStage
from .user import user_pipelines


@hookimpl
def seqretrieve_pipelines():
    return [
        PipelineSpec(
            "brute-force",
            [PipelineStage("dtw")],
            description="full CQT DTW against every entry (slow, the accuracy reference)",
            version="2",  # 2: the dtw matcher tries global tempo rates
        ),
        *user_pipelines(),
    ]
