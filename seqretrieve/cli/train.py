"""The ``train`` command group: ``train data`` builds aligned pairs, ``train hash|embed`` trains
and exports a model (TensorFlow from the optional ``train`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .output import emit_json, stderr

DEFAULT_PAIRS = Path("data/pairs")
DEFAULT_OUT = Path("seqretrieve/models")


def _training():
    from ..errors import SeqretrieveError

    try:
        import tensorflow  # noqa: F401
    except ImportError as exc:
        raise SeqretrieveError(
            "training needs TensorFlow: pip install 'seqretrieve[train]' (a separate venv is fine)"
        ) from exc
    from ..training import trainer

    return trainer


def _train(kind: str, pairs: Path, out: Path, steps: int, patience: int, limit: Optional[int],
           validation_limit: Optional[int], version: str, seed: int, json_output: bool, loss: str) -> None:
    trainer = _training()
    log = (lambda line: None) if json_output else (lambda line: stderr.print(line, highlight=False, markup=False))
    sizes = {"hash": {}, "embed": {"batch": 24, "length": 96, "loss": loss}}[kind]
    config = trainer.TrainConfig(kind, steps=steps, patience=patience, seed=seed, **sizes)
    card = trainer.train_and_write(config, pairs, out, version=version, limit=limit, log=log,
                                   validation_limit=validation_limit)
    summary = {"model": card["name"], "version": version, "checksum": card["checksum"],
               "quantisation": card["quantisation"], "validation": card["metrics"]["validation"],
               "folder": str(out / card["name"] / version)}
    if json_output:
        emit_json(summary)
    else:
        typer.echo(f"wrote {summary['folder']} ({summary['quantisation']}), validation Bhattacharyya "
                   f"{summary['validation']['bhattacharyya']:.3f}, checksum {summary['checksum'][:12]}")


def _fonts(choice: str) -> tuple[str, ...] | None:
    """None for 'default', the installed training SoundFonts' paths for 'training'."""
    if choice == "default":
        return None
    if choice != "training":
        raise typer.BadParameter("must be 'default' or 'training'", param_hint="--fonts")
    from ..corpus.fonts import available_fonts

    return tuple(str(path) for path in available_fonts().values())


def _tempo_range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise typer.BadParameter("must be LOW,HIGH, e.g. 0.5,2", param_hint="--tempo-range") from None
    if not 0 < low <= high:
        raise typer.BadParameter("needs 0 < LOW <= HIGH", param_hint="--tempo-range")
    return low, high


def register(app: typer.Typer) -> None:
    """Add ``train data|hash|embed`` to the root app."""
    group = typer.Typer(help="Build training pairs and train the learned representations.",
                        no_args_is_help=True)
    app.add_typer(group, name="train")

    @group.command("data")
    def data(
        root: Path = typer.Option(Path("../shared/data/pop909"), help="pop909 folder (NNN/NNN.mid)."),
        out: Path = typer.Option(DEFAULT_PAIRS, help="Output folder for the pairs."),
        limit: Optional[int] = typer.Option(None, help="At most this many songs per split."),
        seed: int = typer.Option(0, help="Seed of variants and augmentation."),
        versions: bool = typer.Option(False, help="Also each song's earlier versions (NNN/versions/*.mid)."),
        music21: Optional[Path] = typer.Option(
            None, help="Folder of music21 works exported to MIDI (benchmarks/scale_data.py or `make corpus`)."),
        fonts: str = typer.Option("default", help="'default' (TimGM6mb) or 'training' (every installed training SoundFont)."),
        tempo_range: str = typer.Option("0.8,1.25", help="LOW,HIGH global tempo factor of the recordings."),
        lossy: float = typer.Option(0.0, min=0.0, max=1.0, help="Share of recordings MP3-coded (64-128 kbps)."),
        renderings: int = typer.Option(1, min=1, help="Recordings made of each MIDI file."),
        json_output: bool = typer.Option(False, "--json", help="NDJSON, one line per song."),
    ):
        """Render aligned (recording, MIDI) feature pairs for the train and validation songs (resumable)."""
        from ..training.data import Recipe, generate

        def on_song(song: str, error: Optional[str]) -> None:
            if json_output:
                emit_json({"song": song, "error": error})
            elif error:
                stderr.print(f"skipped {song}: {error}", highlight=False, markup=False)

        recipe = Recipe(_fonts(fonts), _tempo_range(tempo_range), lossy, renderings)
        meta = generate(root, out, limit=limit, seed=seed, on_song=on_song, recipe=recipe, versions=versions,
                        music21=music21)
        if not json_output:
            typer.echo(f"pairs in {out}: {meta['splits']}")

    @group.command("align-pairs", no_args_is_help=True)
    def align_pairs(
        rows: Path = typer.Argument(..., help="CSV with columns midi,audio (paths relative to the CSV).", show_default=False),
        out: Path = typer.Option(DEFAULT_PAIRS, help="Pairs folder (as for `train data`)."),
        split: str = typer.Option("train", help="Write into this split's folder: train or validation."),
        min_confidence: float = typer.Option(0.7, min=0.0, max=1.0, help="Keep alignments at least this confident."),
        json_output: bool = typer.Option(False, "--json", help="NDJSON, one line per row."),
    ):
        """Add training pairs from real (MIDI, recording) pairs aligned by DTW, as the seed did.

        They go next to the pairs made by `train data` (whose meta.json the trainer reads).
        """
        from ..registry import get_registry
        from ..training.aligned import align_rows, read_rows

        if split not in ("train", "validation"):
            raise typer.BadParameter("must be train or validation", param_hint="--split")
        registry = get_registry()
        kept = skipped = 0
        for row in align_rows(read_rows(rows), out / split, registry.create("feature_extractor", "cqt"),
                              registry.create("synthesizer", "tinysoundfont"), min_confidence):
            kept += row.skipped is None
            skipped += row.skipped is not None
            if json_output:
                emit_json(vars(row))
            elif row.skipped:
                stderr.print(f"skipped {row.midi} / {row.audio}: {row.skipped}", highlight=False, markup=False)
        if not json_output:
            typer.echo(f"{kept} aligned pairs written to {out / split}, {skipped} skipped")

    for kind, help_text in (("hash", "the DHS hash-sequence networks"), ("embed", "the PSE embedding networks")):
        def command(
            pairs: Path = typer.Option(DEFAULT_PAIRS, help="Pairs folder from `train data`."),
            out: Path = typer.Option(DEFAULT_OUT, help="Models root; writes <name>/<version>/."),
            steps: int = typer.Option(3000, help="Most training steps."),
            patience: int = typer.Option(8, help="Stop after this many evaluations without improvement."),
            limit: Optional[int] = typer.Option(None, help="At most this many songs per split."),
            validation_limit: Optional[int] = typer.Option(
                None, help="At most this many validation songs (default: --limit)."),
            version: str = typer.Option("1", help="Model version folder."),
            seed: int = typer.Option(0, help="Random seed."),
            json_output: bool = typer.Option(False, "--json", help="One NDJSON summary line."),
            loss: str = typer.Option("infonce", help="embed only: 'infonce' or the guide's 'contrastive'."),
            _kind: str = typer.Option(kind, hidden=True),
        ):
            _train(_kind, pairs, out, steps, patience, limit, validation_limit, version, seed, json_output, loss)

        command.__doc__ = f"Train {help_text} (both sides), early-stopping on validation; export TFLite + card."
        group.command(kind)(command)
