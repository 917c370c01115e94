"""Training checkpoints, so that a run stopped at any point resumes from its last evaluation.

A checkpoint folder holds ``state.json`` (step, history, best metrics, patience count, the random
generator's state, the standardisation, the validation songs and the settings it was made with)
and ``arrays.npz`` (each side's current and best weights and the optimizer's variables, as
``<group>/<k>`` arrays). Both are replaced atomically, arrays first.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import UsageError


def save(folder: str | Path, state: dict, arrays: dict[str, list[np.ndarray]]) -> None:
    """Write one checkpoint; ``arrays``: group name -> list of arrays (weights in layer order)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    flat = {f"{group}/{k:04d}": np.asarray(array) for group, items in arrays.items() for k, array in enumerate(items)}
    tmp = folder / "arrays.tmp.npz"
    np.savez(tmp, **flat)
    tmp.replace(folder / "arrays.npz")
    tmp = folder / "state.tmp.json"
    tmp.write_text(json.dumps(state) + "\n")
    tmp.replace(folder / "state.json")


def load_state(folder: str | Path | None) -> dict | None:
    """The checkpoint's state record, or None where there is no checkpoint."""
    path = None if folder is None else Path(folder) / "state.json"
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable checkpoint ({exc}); delete the folder to start over") from exc


def load_arrays(folder: str | Path) -> dict[str, list[np.ndarray]]:
    """Group name -> arrays in their saved order."""
    groups: dict[str, list[tuple[int, np.ndarray]]] = {}
    with np.load(Path(folder) / "arrays.npz") as data:
        for key in data.files:
            group, k = key.rsplit("/", 1)
            groups.setdefault(group, []).append((int(k), data[key]))
    return {group: [array for _, array in sorted(items, key=lambda item: item[0])] for group, items in groups.items()}


def check_settings(folder: str | Path, saved: dict, current: dict) -> None:
    """Refuse to resume a checkpoint made with other settings (the step budget and patience may change)."""
    differ = sorted(key for key in set(saved) | set(current)
                    if key not in ("steps", "patience") and saved.get(key) != current.get(key))
    if differ:
        details = ", ".join(f"{key} {saved.get(key)!r} -> {current.get(key)!r}" for key in differ)
        raise UsageError(f"{folder}: the checkpoint was made with other settings ({details}); "
                         "give the same settings, or another --checkpoint folder to start over")
