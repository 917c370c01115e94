"""The ``train`` command group: ``train data`` builds aligned pairs, ``train hash|embed`` trains
and exports a model (TensorFlow from the optional ``train`` extra), ``train profile`` fits the
code profile's map to embeddings (NumPy only, or TensorFlow for its perceptron), ``train hubness``
adds its hubness correction."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .output import emit_json, stderr

DEFAULT_PAIRS = Path("data/pairs")
DEFAULT_OUT = Path("seqretrieve/models")
DEFAULT_CHECKPOINTS = Path("data/checkpoints")


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
           validation_limit: Optional[int], version: str, seed: int, json_output: bool, loss: str,
           hidden: int, checkpoint: Optional[Path], natural_timing: bool = False) -> None:
    trainer = _training()
    log = (lambda line: None) if json_output else (lambda line: stderr.print(line, highlight=False, markup=False))
    sizes = {"hash": {"natural_timing": natural_timing}, "embed": {"batch": 24, "length": 96, "loss": loss}}[kind]
    config = trainer.TrainConfig(kind, steps=steps, patience=patience, seed=seed, hidden=hidden, **sizes)
    name = trainer.NAMES[kind][0]
    card = trainer.train_and_write(config, pairs, out, version=version, limit=limit, log=log,
                                   validation_limit=validation_limit,
                                   checkpoint=checkpoint or DEFAULT_CHECKPOINTS / f"{name}-{version}")
    summary = {"model": card["name"], "version": version, "checksum": card["checksum"],
               "quantisation": card["quantisation"], "validation": card["metrics"]["validation"],
               "folder": str(out / card["name"] / version)}
    _report(summary, json_output, f"wrote {summary['folder']} ({summary['quantisation']}), validation "
                                  f"Bhattacharyya {summary['validation']['bhattacharyya']:.3f}")


def _report(summary: dict, json_output: bool, text: str) -> None:
    """One NDJSON summary line, or ``text`` and the checksum's first 12 characters."""
    if json_output:
        emit_json(summary)
    else:
        typer.echo(f"{text}, checksum {summary['checksum'][:12]}")


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


def _pair_fit(method: str, dims: int, regularisation: float, epochs: int, log):
    """(``pairs -> projection``, its settings for the card, its command-line options) of ``method``."""
    if method == "discriminant":
        from ..training.profile import fit_discriminant

        return (lambda pairs: fit_discriminant(pairs, dims, regularisation),
                {"fit": method, "regularisation": regularisation}, f"--regularisation {regularisation:g}")
    _training()  # TensorFlow, or a clear error
    from ..errors import UsageError
    from ..training import profile_mlp

    def fit(pairs):
        try:
            return profile_mlp.fit_mlp(pairs, dims, epochs=epochs, log=log)
        except ValueError as exc:  # too few pairs for its batches
            raise UsageError(f"{exc}; give more pairs or use --fit discriminant") from exc

    settings = {"fit": method, "hidden": profile_mlp.HIDDEN, "epochs": epochs, "batch": profile_mlp.BATCH,
                "dropout": profile_mlp.DROPOUT, "seed": 0}
    return fit, settings, f"--fit mlp --epochs {epochs}"


def _profile_fit(scale: Optional[Path], index_path: Optional[Path], pairs_dir: Optional[Path], limit: Optional[int],
                 dims: int, regularisation: float, pop909: Path, music21: Path, hash_model, log, per_pair: int = 1,
                 method: str = "discriminant", epochs: int = 10):
    """(projection, training record): a fit (``method``: "discriminant" or "mlp") of the scale
    benchmark's train-split (recording, MIDI window) pairs or of windows of a training corpus's
    pairs, or a PCA of the codes of an index of training recordings."""
    from ..errors import SeqretrieveError, UsageError

    if sum(source is not None for source in (scale, index_path, pairs_dir)) != 1:
        raise UsageError("give exactly one of --pairs (a training corpus), --scale (rendered scale excerpts) "
                         "or --index (training recordings)")
    if method not in ("discriminant", "mlp"):
        raise UsageError(f"--fit must be discriminant or mlp, not {method!r}")
    if index_path is not None and method != "discriminant":
        raise UsageError("--index fits a PCA (no MIDI side to train on); --fit needs --scale or --pairs")
    if pairs_dir is not None or scale is not None:
        fit, settings, options = _pair_fit(method, dims, regularisation, epochs, log)
    if pairs_dir is not None:
        from ..registry import get_registry
        from ..training.profile import pair_windows

        if not (pairs_dir / "train").is_dir():
            raise SeqretrieveError(f"{pairs_dir}: no train/ folder of pairs (run `seqretrieve train data`)")
        frame_rate = get_registry().create("feature_extractor", hash_model.extractor).frame_rate
        windows = list(pair_windows(pairs_dir, hash_model, frame_rate, limit, per_pair=per_pair))
        _enough(len(windows), dims, "pairs")
        return fit(windows), {
            "source": "30-s recording windows of a training corpus's aligned pairs with the MIDI frames aligned "
                      "into them (seqretrieve.training.profile.pair_windows)",
            "path": str(pairs_dir), "selection": f"train split only; a seeded sample of the pairs, {per_pair} window(s) each",
            "pairs": len(windows), "limit": limit, **settings,
            "command": f"seqretrieve train profile --pairs {pairs_dir} --windows {per_pair} --limit {limit} "
                       f"--dims {dims} {options}"}
    if scale is not None:
        from ..training.profile import training_pairs

        skipped = []

        def on_skip(entry: str, message: str) -> None:
            skipped.append(entry)
            log(f"skipped {entry}: {message}")

        try:
            pairs = list(training_pairs(scale, hash_model, pop909, music21, limit, on_skip))
        except FileNotFoundError as exc:
            raise SeqretrieveError(str(exc)) from exc
        _enough(len(pairs), dims, "pairs")
        return fit(pairs), {
            "source": "scale benchmark excerpts (shards) with the windows of their source MIDI files",
            "path": str(scale),
            "selection": "train split only: POP909 songs with number mod 4 in {2, 3} and their "
                         "versions, music21 works whose name hashes to train; first in plan order",
            "pairs": len(pairs), "skipped": len(skipped), "limit": limit, **settings,
            "midi_side": "the window start .. start + seconds * tempo of the source, made into frames as queries are",
            "command": f"seqretrieve train profile --scale {scale} --limit {limit} --dims {dims} {options}"}
    import numpy as np

    from ..index.representations import load_matrices
    from ..index.store import Index
    from ..training.profile import fit_projection

    with Index.open(index_path) as index:
        matrices = load_matrices(index, hash_model)  # refuses an index without current dhs codes
        rows = range(len(matrices.ids) if limit is None else min(limit, len(matrices.ids)))
        codes = [np.asarray(matrices.codes[matrices.offsets[r]:matrices.offsets[r + 1]]) for r in rows]
    _enough(len(codes), dims, "recordings")
    return fit_projection(codes, dims), {
        "source": "index of training recordings", "path": str(index_path), "excerpts": len(codes), "limit": limit,
        "command": f"seqretrieve train profile --index {index_path} --limit {limit} --dims {dims}"}


def _enough(count: int, dims: int, what: str) -> None:
    if count <= dims:
        from ..errors import UsageError

        raise UsageError(f"{count} {what} cannot fit {dims} dimensions; give more {what}")


def register(app: typer.Typer) -> None:
    """Add ``train data|align-pairs|scale-pairs|hash|embed|profile|hubness`` to the root app."""
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
        workers: int = typer.Option(1, min=1, help="Processes rendering pairs."),
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
                        music21=music21, workers=workers)
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

    @group.command("scale-pairs")
    def scale_pairs(
        scale: Path = typer.Option(Path("data/scale"), help="Scale benchmark folder (plan.json, shards/)."),
        out: Path = typer.Option(Path("data/scale-pairs"), help="Pairs folder to write (as for `train data`)."),
        pop909: Path = typer.Option(Path("../shared/data/pop909"), help="Folder of the scale plan's pop909/ paths."),
        music21: Path = typer.Option(Path("data/corpus/music21"), help="Folder of the scale plan's music21/ paths."),
        limit: Optional[int] = typer.Option(None, min=1, help="At most this many train-split excerpts."),
        validation_limit: int = typer.Option(300, min=1, help="At most this many validation-split excerpts."),
        json_output: bool = typer.Option(False, "--json", help="NDJSON, one line per excerpt."),
    ):
        """Training pairs from the scale benchmark's train/validation excerpts and their source MIDI windows, aligned
        exactly by the time maps rebuilt from their seeds (resumable; test songs are never among them)."""
        from ..training.scale_pairs import write_scale_pairs

        counts: dict[str, dict[str, int]] = {}
        try:
            for row in write_scale_pairs(scale, out, pop909, music21, {"validation": validation_limit, "train": limit}):
                outcome = "skipped" if row.skipped else "kept"
                counts.setdefault(row.split, {"kept": 0, "skipped": 0})[outcome] += 1
                if json_output:
                    emit_json(vars(row))
                elif row.skipped:
                    stderr.print(f"skipped {row.excerpt}: {row.skipped}", highlight=False, markup=False)
        except FileNotFoundError as exc:
            from ..errors import SeqretrieveError

            raise SeqretrieveError(str(exc)) from exc
        if not json_output:
            typer.echo(f"pairs in {out}: {counts}")

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
            hidden: int = typer.Option(256, min=8, help="Units of the per-step Dense layer(s)."),
            natural_timing: bool = typer.Option(
                False, "--natural-timing", help="hash only: crops at the recording's pace on both sides (the MIDI "
                                                "resampled by its tempo ratio, as the tempo rates do)."),
            checkpoint: Optional[Path] = typer.Option(
                None, help="Checkpoint folder, saved at every evaluation; a run with the same settings resumes "
                           "from it. [default: data/checkpoints/<model>-<version>]", show_default=False),
            _kind: str = typer.Option(kind, hidden=True),
        ):
            _train(_kind, pairs, out, steps, patience, limit, validation_limit, version, seed, json_output, loss,
                   hidden, checkpoint, natural_timing)

        command.__doc__ = f"Train {help_text} (both sides), early-stopping on validation; export TFLite + card."
        group.command(kind)(command)

    @group.command("profile")
    def profile(
        scale: Optional[Path] = typer.Option(
            None, help="Scale benchmark folder (plan.json, shards/): a fit (--fit) on its train-split "
                       "excerpts paired with their source MIDI windows."),
        index_path: Optional[Path] = typer.Option(
            None, "--index", help="Or an index of training recordings holding dhs codes: a PCA (no MIDI needed)."),
        pairs_dir: Optional[Path] = typer.Option(
            None, "--pairs", help="Or a pairs folder from `train data`: a fit (--fit) on 30-s recording "
                                  "windows of its train split with their aligned MIDI frames."),
        fit: str = typer.Option(
            "discriminant", help="With --scale or --pairs: discriminant (linear, NumPy only) or mlp (a two-layer "
                                 "perceptron trained with InfoNCE; needs TensorFlow, the shipped profile's fit)."),
        epochs: int = typer.Option(10, min=1, help="--fit mlp: passes over the pairs."),
        windows: int = typer.Option(1, min=1, help="--pairs: 30-s windows drawn from each pair."),
        dhs: Optional[Path] = typer.Option(
            None, help="DHS model folder whose codes are profiled (default: the shipped one)."),
        pop909: Path = typer.Option(Path("../shared/data/pop909"), help="Folder of the scale plan's pop909/ paths."),
        music21: Path = typer.Option(Path("data/corpus/music21"), help="Folder of the scale plan's music21/ paths."),
        out: Path = typer.Option(DEFAULT_OUT, help="Models root; writes profile/<version>/."),
        limit: Optional[int] = typer.Option(3000, min=1, help="At most this many recordings."),
        dims: int = typer.Option(64, min=1, help="Projected dimensions."),
        regularisation: float = typer.Option(0.1, min=1e-6, help="--fit discriminant: shrinkage of the "
                                                                  "within-pair scatter."),
        version: str = typer.Option("2", help="Model version folder."),
        json_output: bool = typer.Option(False, "--json", help="One NDJSON summary line."),
    ):
        """Fit the code profile's map of DHS code statistics to embeddings on training material; write it + card."""
        from ..matchers.embedding import shared_model
        from ..models.encoders import HashSequenceModel
        from ..training.profile import write_model

        hash_model = shared_model("dhs") if dhs is None else HashSequenceModel.from_folder(dhs)
        log = (lambda line: None) if json_output else (lambda line: stderr.print(line, highlight=False, markup=False))
        projection, training = _profile_fit(scale, index_path, pairs_dir, limit, dims, regularisation, pop909,
                                            music21, hash_model, log, windows, fit, epochs)
        card = write_model(out, version, projection, hash_model, training)
        used = training.get("pairs", training.get("excerpts"))
        summary = {"model": card["name"], "version": version, "checksum": card["checksum"], "fit": projection.method,
                   "recordings": used, **card["metrics"], "folder": str(out / card["name"] / version)}
        outcome = (f"final loss {projection.loss:.3f}" if projection.loss is not None
                   else f"{dims} dims capture {summary['explained']:.1%} of the criterion")
        _report(summary, json_output, f"wrote {summary['folder']} ({projection.method}) from {used} "
                                      f"{'recordings' if index_path is not None else 'pairs'}, {outcome}")

    @group.command("hubness")
    def hubness(
        profile_dir: Optional[Path] = typer.Option(
            None, "--profile", help="Profile model folder without a hubness correction (default: the shipped "
                                    "profile's projection, seqretrieve.models.plugin.PROFILE_BASE_VERSION)."),
        dhs: Optional[Path] = typer.Option(
            None, help="DHS model folder whose codes the profile was fitted on (default: the shipped one)."),
        pop909: Path = typer.Option(Path("../shared/data/pop909"), help="POP909 folder (train-split songs only)."),
        songs: int = typer.Option(300, min=1, help="Train-split songs whose MIDI query windows form the reference."),
        k: int = typer.Option(20, min=1, help="Reference windows averaged per entry."),
        weight: float = typer.Option(0.5, min=0.0, help="Weight of the entry's mean distance to them."),
        out: Path = typer.Option(DEFAULT_OUT, help="Models root; writes profile/<version>/."),
        version: str = typer.Option("6", help="Model version folder."),
        json_output: bool = typer.Option(False, "--json", help="One NDJSON summary line."),
    ):
        """Add a hubness correction to the code profile: reference query windows of training songs (written with
        the profile's projection as a new version; seqretrieve.models.hubness)."""
        from ..matchers.embedding import shared_model
        from ..models.code_profile import CodeProfileModel
        from ..models.encoders import HashSequenceModel
        from ..models.plugin import PROFILE_BASE_VERSION
        from ..models.runtime import package_model_dir
        from ..registry import get_registry
        from ..training import profile_hubness
        from ..training.split import pop909_songs

        registry = get_registry()
        source = profile_dir or package_model_dir("profile", PROFILE_BASE_VERSION)
        hash_model = shared_model("dhs") if dhs is None else HashSequenceModel.from_folder(dhs)
        profile = CodeProfileModel(hash_model, model_dir=source)
        log = (lambda line: None) if json_output else (lambda line: stderr.print(line, highlight=False, markup=False))
        chosen = pop909_songs(pop909, "train")[:songs]
        reference = profile_hubness.reference_windows(
            profile, chosen, registry.create("feature_extractor", profile.extractor),
            registry.create("synthesizer", "cqt-templates"), log)
        training = {"reference": f"query windows of the first {len(chosen)} POP909 train-split songs' MIDI files "
                                 "(cqt-templates frames, as queries are made)", "windows": len(reference),
                    "command": f"seqretrieve train hubness --songs {songs} --k {k} --weight {weight} --version {version}"}
        card = profile_hubness.write_model(source, out, version, reference, training, k=k, weight=weight)
        summary = {"model": card["name"], "version": version, "checksum": card["checksum"], "windows": len(reference),
                   "ceiling": card["hubness"]["ceiling"], "folder": str(out / card["name"] / version)}
        _report(summary, json_output, f"wrote {summary['folder']} with {len(reference)} reference windows")
