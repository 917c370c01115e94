"""Built-in pipelines. ``brute-force`` ranks every entry with full DTW: the accuracy reference."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..types import PipelineSpec, PipelineStage


@hookimpl
def seqretrieve_pipelines():
    return [
        PipelineSpec(
            "brute-force",
            [PipelineStage("dtw")],
            description="full CQT DTW against every entry (slow, the accuracy reference)",
            version="1",
        )
    ]
