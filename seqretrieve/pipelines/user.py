"""Pipelines a user composes in a TOML file, registered like any plugin's (``seqretrieve plugins``
lists them; the same checks refuse unknown matchers, options and keeps).

The file is ``$SEQRETRIEVE_PIPELINES``, else ``pipelines.toml`` in the user config directory
(``platformdirs.user_config_dir("seqretrieve")``); no file, no user pipelines. Format::

    [pipelines.fast]
    description = "embedding keeps 5%, then fused hash DTW keeps 50, then DTW"
    needs = ["pse", "dhs"]          # representations the index must hold (optional)
    preference = 0                  # > 10 makes it the default over cascade (optional)
    stages = [
        { matcher = "embedding", keep = "5%" },
        { matcher = "hash-dtw", keep = 50, options = { embedding_weight = 1.0 } },
        { matcher = "dtw" },
    ]

``keep``: a count, a fraction in (0, 1] or a percentage string; left out, the stage keeps all.
``carry``: weight of the previous stage's score in this stage's ranking (see ``PipelineStage``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InputFileError, ParameterError
from ..types import PipelineSpec, PipelineStage

ENV = "SEQRETRIEVE_PIPELINES"
_STAGE_KEYS = {"matcher", "keep", "options", "carry"}
_PIPELINE_KEYS = {"stages", "description", "version", "needs", "preference"}


def pipelines_file() -> Path | None:
    """The user pipelines file in effect, or None when there is none."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    import platformdirs

    default = Path(platformdirs.user_config_dir("seqretrieve")) / "pipelines.toml"
    return default if default.is_file() else None


def _keep(value: Any, where: str) -> int | float | None:
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1]) / 100
        except ValueError:
            pass
        raise ParameterError(f"{where}: keep {value!r} is not a percentage")
    return value


def read_pipelines(path: Path) -> list[PipelineSpec]:
    """Every ``[pipelines.NAME]`` table of the TOML file at ``path``; a malformed one is a clear error."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            tables = tomllib.load(handle).get("pipelines", {})
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the pipelines file ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{path}: not valid TOML ({exc})") from exc
    specs = []
    for name, table in tables.items():
        where = f"{path}: pipeline {name!r}"
        if not isinstance(table, dict) or not isinstance(table.get("stages"), list) or not table["stages"]:
            raise ParameterError(f"{where}: needs a non-empty list `stages`")
        unknown = set(table) - _PIPELINE_KEYS
        if unknown:
            raise ParameterError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        stages = []
        for stage in table["stages"]:
            if not isinstance(stage, dict) or "matcher" not in stage or set(stage) - _STAGE_KEYS:
                raise ParameterError(f"{where}: each stage is {{ matcher = NAME, keep = N, options = {{...}}, "
                                     f"carry = W }} (all but matcher optional), not {stage!r}")
            stages.append(PipelineStage(stage["matcher"], _keep(stage.get("keep"), where), stage.get("options", {}),
                                        stage.get("carry", 0.0)))
        specs.append(PipelineSpec(name, stages, description=table.get("description", f"from {path}"),
                                  version=str(table.get("version", "0")), needs=tuple(table.get("needs", ())),
                                  preference=int(table.get("preference", 0))))
    return specs


def user_pipelines() -> list[PipelineSpec]:
    """The pipelines of :func:`pipelines_file` (none without a file)."""
    path = pipelines_file()
    return [] if path is None else read_pipelines(path)
