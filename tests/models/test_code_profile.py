"""The "profile" representation: code-profile features, query windows, the multi-window
distance, its fitting and card, its place in an index and in the cascade."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from seqretrieve.errors import ModelFileError, ModelMismatchError
from seqretrieve.matchers import embedding
from seqretrieve.matchers.embedding import shared_model, squared_distances
from seqretrieve.models.code_profile import FEATURES, CodeProfileModel, code_bits, profile_features, window_bounds
from seqretrieve.models.runtime import package_model_dir
from seqretrieve.registry import get_registry
from seqretrieve.models.plugin import DHS_VERSION, PROFILE_VERSION
from seqretrieve.training.profile import Projection, fit_discriminant, fit_projection, plan_item_split, write_model

from ..faults.helpers import cqt_index


def test_profile_features_of_a_hand_made_sequence():
    codes = np.array([0, 0xFFFFFFFF, 1], np.uint32)  # all -1, all +1, only bit 0 set
    bits = code_bits(codes)
    assert bits.shape == (3, 32) and bits[2, 0] == 1 and (bits[2, 1:] == -1).all()
    p = profile_features(codes)
    assert p.shape == (FEATURES,) == (1552,) and p.dtype == np.float32
    np.testing.assert_allclose(p[:2], [1 / 3, -1 / 3], rtol=1e-6)  # bit means
    co = p[32:528]  # upper triangle of B^T B / T, row by row: (0, 1), (0, 2), ..., (1, 2), ...
    np.testing.assert_allclose([co[0], co[31]], [1 / 3, 1.0], rtol=1e-6)
    lag = p[528:].reshape(32, 32)  # lag[i, j] = mean over t of b[t + 1, i] * b[t, j]
    np.testing.assert_allclose([lag[0, 0], lag[1, 0], lag[1, 1]], [0.0, -1.0, -1.0], atol=1e-6)
    assert profile_features(np.array([5], np.uint32))[528:].tolist() == [0.0] * 1024  # no lag for T = 1
    with pytest.raises(ValueError, match="empty"):
        profile_features(np.array([], np.uint32))


def test_query_windows_and_the_whole_query():
    assert window_bounds(200, 80, 20) == [(s, s + 80) for s in range(0, 121, 20)] + [(0, 200)]
    assert window_bounds(50, 80, 20) == [(0, 50)]  # shorter than a window: the whole only
    with pytest.raises(ValueError, match="hop"):
        window_bounds(10, 80, 0)


def test_encode_gives_one_vector_per_entry_and_one_per_query_window(rng):
    model = get_registry().create("representation", "profile")
    frames = rng.random((8 * 200, 48), dtype=np.float32)
    entry, query = model.encode(frames, "audio"), model.encode(frames, "midi")
    assert entry.shape == (65,) and entry.dtype == np.float32  # 64 + the hubness correction
    assert query.shape == (8, 65) and query.dtype == np.float32
    whole = model.project(profile_features(model.hash_model.encode(frames, "midi")))
    np.testing.assert_allclose(query[-1, :64], whole, rtol=1e-5, atol=1e-5)
    assert model.encode(frames[:20], "midi").shape == (1, 65)
    assert model.hash_model is shared_model("dhs")  # one DHS model per process
    with pytest.raises(ValueError, match="side"):
        model.encode(frames, "score")


def test_multi_window_distance_is_the_nearest_window(rng, monkeypatch):
    matrix = rng.standard_normal((40, 8)).astype(np.float32)
    matrix[5] = np.nan
    windows = rng.standard_normal((3, 8)).astype(np.float32)
    brute = np.array([min(float(((row - w) ** 2).sum()) for w in windows) for row in matrix])
    monkeypatch.setattr(embedding, "CHUNK_CELLS", 7)  # chunks of 2 rows
    got = squared_distances(matrix, windows)
    assert np.isinf(got[5])
    np.testing.assert_allclose(np.delete(got, 5), np.delete(brute, 5), rtol=1e-4, atol=1e-4)
    rows = np.array([9, 2, 30])
    np.testing.assert_allclose(squared_distances(matrix, windows, rows), brute[rows], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(squared_distances(matrix, windows[1:2]), squared_distances(matrix, windows[1]),
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"\(W, E\)"):
        squared_distances(matrix, windows[:, :4])


def _fitted(rng, n=20, dims=4) -> Projection:
    return fit_projection([rng.integers(0, 2**32, 30, dtype=np.uint32) for _ in range(n)], dims)


def test_fit_projection_is_an_orthonormal_deterministic_pca(rng):
    codes = [rng.integers(0, 2**32, int(rng.integers(5, 40)), dtype=np.uint32) for _ in range(20)]
    first, again = fit_projection(codes, 4), fit_projection(codes, 4)
    assert first.components.shape == (1552, 4) and first.mean.shape == (1552,)
    np.testing.assert_allclose(first.components.T @ first.components, np.eye(4), atol=1e-4)
    np.testing.assert_array_equal(first.components, again.components)
    assert (np.diff(first.explained) <= 1e-7).all()
    with pytest.raises(ValueError, match="dims"):
        fit_projection(codes, 21)


def _retrieved(project, recordings, midis) -> float:
    """Share of MIDI profiles whose nearest recording profile (after ``project``) is their own."""
    entries = project(np.stack([profile_features(codes) for codes in recordings]))
    queries = project(np.stack([profile_features(codes) for codes in midis]))
    distances = ((queries[:, None, :] - entries[None, :, :]) ** 2).sum(-1)
    return float(np.mean(distances.argmin(1) == np.arange(len(midis))))


def piece(rng) -> np.ndarray:
    """A made-up piece: how often each of the 16 low bits of its codes is on (16,)."""
    return rng.choice([0.15, 0.85], 16)


def rendering(rng, low: np.ndarray) -> np.ndarray:
    """Codes (60,) uint32 of one rendering of the piece ``low``: its 16 high bits (the "timbre")
    are set by the rendering just as strongly, whatever the piece."""
    odds = np.concatenate([low, rng.choice([0.15, 0.85], 16)])
    bits = (rng.random((60, 32)) < odds).astype(np.uint32)
    return (bits << np.arange(32, dtype=np.uint32)).sum(1).astype(np.uint32)


def test_discriminant_ignores_what_differs_between_a_recording_and_its_midi(rng):
    """A piece sets how often each of the 16 low bits is on; each rendering (a recording or a
    MIDI file) sets the 16 high bits just as strongly, whatever the piece. The discriminant finds
    the pieces despite the renderings; a PCA, which keeps the largest variance, does not."""
    train = [piece(rng) for _ in range(300)]
    projection = fit_discriminant([(rendering(rng, low), rendering(rng, low)) for low in train], dims=16)
    assert projection.method == "discriminant" and projection.components.shape == (1552, 16)
    assert projection.components.dtype == np.float32 and (np.diff(projection.explained) <= 1e-7).all()
    pca = fit_projection([rendering(rng, low) for low in train], dims=16)
    held_out = [piece(rng) for _ in range(40)]
    recordings, midis = [rendering(rng, low) for low in held_out], [rendering(rng, low) for low in held_out]
    discriminant = _retrieved(lambda x: (x - projection.mean) @ projection.components, recordings, midis)
    principal = _retrieved(lambda x: (x - pca.mean) @ pca.components, recordings, midis)
    assert discriminant >= 0.75 and discriminant > principal + 0.4  # measured 0.82 vs 0.25 (chance 0.025)
    with pytest.raises(ValueError, match="dims"):
        fit_discriminant([(rendering(rng, low), rendering(rng, low)) for low in train[:3]], dims=4)
    with pytest.raises(ValueError, match="regularisation"):
        fit_discriminant([(rendering(rng, low), rendering(rng, low)) for low in train[:20]], dims=4, regularisation=0)


def test_checksum_follows_the_projection_and_the_codes(rng, tmp_path):
    dhs = shared_model("dhs")
    cards = [write_model(tmp_path / str(k), "1", _fitted(rng), dhs, {"source": "test"}) for k in range(2)]
    assert cards[0]["checksum"] != cards[1]["checksum"]
    model = CodeProfileModel(dhs, model_dir=tmp_path / "0" / "profile" / "1")
    assert model.checksum == cards[0]["checksum"] and model.dims == 4
    shipped = get_registry().create("representation", "profile")
    assert shipped.checksum != model.checksum
    tampered = tmp_path / "tampered"
    shutil.copytree(tmp_path / "0" / "profile" / "1", tampered)
    (tampered / "projection.npz").write_bytes((tmp_path / "1" / "profile" / "1" / "projection.npz").read_bytes())
    with pytest.raises(ModelFileError, match="sha256"):
        CodeProfileModel(dhs, model_dir=tampered)
    other = shutil.copytree(tmp_path / "0" / "profile" / "1", tmp_path / "other-codes")
    card = json.loads((other / "card.json").read_text())
    card["derived_from"]["checksum"] = "0" * 64
    (other / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelMismatchError, match="train profile"):
        CodeProfileModel(dhs, model_dir=other)


def test_a_projection_with_misshapen_arrays_is_refused(rng, tmp_path):
    dhs = shared_model("dhs")
    ones = np.ones(FEATURES, np.float32)
    perceptron = Projection(ones, np.ones((8, 4), np.float32), np.zeros(0, np.float32), "mlp",
                            hidden=(np.ones((FEATURES, 8), np.float32), np.ones(8, np.float32)),
                            bias=np.ones(4, np.float32), loss=1.0)
    write_model(tmp_path / "good", "1", perceptron, dhs, {"source": "test"})
    model = CodeProfileModel(dhs, model_dir=tmp_path / "good" / "profile" / "1")
    np.testing.assert_allclose(model.project(np.zeros(FEATURES, np.float32)), np.full(4, 1.0))  # relu(-1552 + 1) = 0
    np.testing.assert_allclose(model.project(2 * ones), np.full(4, 8 * (FEATURES + 1) + 1.0))
    for name, changed in (("bias", {"bias": np.ones(3, np.float32)}),
                          ("hidden_bias", {"hidden": (perceptron.hidden[0], np.ones(7, np.float32))}),
                          ("components", {"components": np.ones((FEATURES, 4), np.float32)})):
        write_model(tmp_path / name, "1", dataclasses.replace(perceptron, **changed), dhs, {"source": "test"})
        with pytest.raises(ModelFileError, match=f"wrong: .*'{name}'"):
            CodeProfileModel(dhs, model_dir=tmp_path / name / "profile" / "1")


def test_shipped_card_names_its_training_material():
    card = json.loads(package_model_dir("profile", PROFILE_VERSION).joinpath("card.json").read_text())
    assert card["derived_from"]["checksum"] == shared_model("dhs").checksum
    assert card["dims"] == 65 and (card["window"], card["hop"]) == (80, 20)  # 64 + the hubness correction
    assert (card["hubness"]["k"], card["hubness"]["weight"]) == (20, 0.5)
    assert "train-split" in card["training"]["hubness"]["reference"]
    assert card["fit"].startswith("two-layer perceptron (1552 -> 512 ReLU -> 64)")
    assert card["training"]["fit"] == "mlp" and card["training"]["epochs"] == 10
    assert "train split only" in card["training"]["selection"] and card["training"]["pairs"] >= 10000


def test_plan_items_are_split_like_the_songs():
    from seqretrieve.corpus.sources import music21_split

    assert plan_item_split("pop909/002/002.mid") == "train"
    assert plan_item_split("pop909/004/versions/004-v1.mid") == "test"
    assert plan_item_split("pop909/005/005.mid") == "validation"
    assert plan_item_split("music21/bach-bwv66.6.mid") == music21_split("bach-bwv66.6")
    assert plan_item_split("elsewhere/x.mid") is None


def _melody(path, seconds: float = 12.0) -> None:
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(90, 60 + (k * 5) % 12, k * 0.25, k * 0.25 + 0.5) for k in range(int(seconds * 4))]
    midi.instruments.append(piano)
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.write(str(path))


def test_train_profile_fits_on_train_split_pairs_only(tmp_path, rng):
    import typer
    from typer.testing import CliRunner

    from seqretrieve.cli import train
    from seqretrieve.errors import SeqretrieveError, UsageError

    app = typer.Typer()
    train.register(app)
    app.command("noop")(lambda: None)  # a second command keeps "train" a sub-command

    items = [("a", "pop909/002/002.mid"), ("b", "pop909/004/004.mid"), ("c", "pop909/003/versions/v.mid"),
             ("d", "pop909/005/005.mid"), ("e", "pop909/006/006.mid"), ("f", "pop909/007/007.mid"),
             ("g", "pop909/010/010.mid")]  # g: a train song whose MIDI file is missing
    for _, path in items[:-1]:
        _melody(tmp_path / path)
    (tmp_path / "shards").mkdir()
    (tmp_path / "plan.json").write_text(json.dumps([{"id": i, "path": p} for i, p in items]))
    lengths = np.full(len(items), 64)
    info = {"start": 1.0, "seconds": 3.0, "tempo": 1.5}  # the excerpt played 4.5 s of the source
    np.savez(tmp_path / "shards" / "shard-0000.npz", ids=np.array([i for i, _ in items]), lengths=lengths,
             info=np.array([json.dumps({**info, "source": p}) for _, p in items]),
             frames=rng.random((int(lengths.sum()), 48)).astype(np.float16))
    result = CliRunner().invoke(app, ["train", "profile", "--scale", str(tmp_path), "--pop909", str(tmp_path / "pop909"),
                                      "--out", str(tmp_path / "m"), "--dims", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["recordings"] == 4 and summary["fit"] == "discriminant"  # a, c, e, f: songs 2, 3, 6, 7
    model = CodeProfileModel(shared_model("dhs"), model_dir=tmp_path / "m" / "profile" / "2")
    assert model.dims == 2 and model.card["training"]["pairs"] == 4 and model.card["training"]["skipped"] == 1
    assert model.card["fit"].startswith("linear discriminant")
    both = CliRunner().invoke(app, ["train", "profile", "--scale", str(tmp_path), "--index", str(tmp_path)])
    assert isinstance(both.exception, UsageError) and "give exactly one of --pairs" in str(both.exception)
    few = CliRunner().invoke(app, ["train", "profile", "--scale", str(tmp_path), "--pop909", str(tmp_path / "pop909"),
                                   "--out", str(tmp_path / "m"), "--dims", "8"])
    assert isinstance(few.exception, UsageError) and "4 pairs cannot fit 8 dimensions" in str(few.exception)
    perceptron = CliRunner().invoke(app, ["train", "profile", "--scale", str(tmp_path), "--pop909",
                                          str(tmp_path / "pop909"), "--out", str(tmp_path / "m"), "--dims", "2",
                                          "--fit", "mlp"])  # the perceptron's batches need 1,024 pairs
    assert isinstance(perceptron.exception, SeqretrieveError)
    assert "at least 1024 pairs" in str(perceptron.exception) or "TensorFlow" in str(perceptron.exception)
    no_midi = CliRunner().invoke(app, ["train", "profile", "--index", str(tmp_path), "--fit", "mlp"])
    assert isinstance(no_midi.exception, UsageError) and "--fit needs --scale or --pairs" in str(no_midi.exception)


def test_train_profile_fits_windows_of_a_corpus_train_split_with_a_given_dhs(tmp_path, rng):
    from seqretrieve.models.runtime import package_model_dir
    from seqretrieve.testing import run_cli
    from seqretrieve.training.pairs import Pair, save_pair

    for k in range(6):  # 30-s windows are 646 frames; a recording of 900 frames, played 1.5x slower
        midi = rng.random((600, 48)).astype(np.float32)
        save_pair(tmp_path / "pairs" / "train" / f"{k}.npz",
                  Pair(str(k), midi, rng.random((900, 48)).astype(np.float32), np.arange(600) * 3 // 2))
    crushed = Pair("x", rng.random((600, 48)).astype(np.float32), rng.random((900, 48)).astype(np.float32),
                   np.zeros(600, np.int64) + 899)  # every MIDI frame aligned to the last recording frame
    save_pair(tmp_path / "pairs" / "train" / "x.npz", crushed)
    (tmp_path / "pairs" / "validation").mkdir()
    (tmp_path / "pairs" / "validation" / "v.npz").write_bytes(b"not read: validation songs stay out")
    dhs = package_model_dir("dhs", DHS_VERSION)
    done = run_cli("train", "profile", "--pairs", tmp_path / "pairs", "--dhs", dhs, "--out", tmp_path / "m",
                   "--dims", "3", "--version", "7", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["fit"] == "discriminant" and summary["recordings"] == 6  # the crushed pair left out
    more = run_cli("train", "profile", "--pairs", tmp_path / "pairs", "--dhs", dhs, "--out", tmp_path / "m",
                   "--dims", "3", "--version", "8", "--windows", "3", "--json")
    assert json.loads(more.stdout)["recordings"] == 18
    model = CodeProfileModel(shared_model("dhs"), model_dir=tmp_path / "m" / "profile" / "7")
    assert model.card["derived_from"]["checksum"] == shared_model("dhs").checksum
    missing = run_cli("train", "profile", "--pairs", tmp_path / "nowhere", "--out", tmp_path / "m")
    assert missing.returncode != 0 and "no train/ folder" in missing.stderr


def test_train_profile_from_an_index_is_a_pca(tmp_path):
    from seqretrieve.testing import run_cli

    path = cqt_index(tmp_path / "ix", [f"e{i}" for i in range(5)])
    assert run_cli("index", "update", "--index", path).returncode == 0
    done = run_cli("train", "profile", "--index", path, "--out", tmp_path / "m", "--dims", "3", "--version", "9", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fit"] == "pca"
    model = CodeProfileModel(shared_model("dhs"), model_dir=tmp_path / "m" / "profile" / "9")
    np.testing.assert_allclose(model.components.T @ model.components, np.eye(3), atol=1e-4)


def test_index_update_stores_a_profile_matrix(tmp_path):
    from seqretrieve.index.representations import load_matrices
    from seqretrieve.index.store import Index
    from seqretrieve.testing import run_cli

    path = cqt_index(tmp_path / "ix", [f"e{i}" for i in range(5)])
    assert run_cli("index", "update", "--index", path).returncode == 0
    profile = get_registry().create("representation", "profile")
    with Index.open(path) as index:
        assert index.representations()["profile"]["checksum"] == profile.checksum
        matrix = load_matrices(index, profile).embeddings
        assert matrix.shape == (5, profile.dims) == (5, 65) and np.isfinite(matrix).all()
        np.testing.assert_allclose(matrix[3], index.get_array("repr:profile", "e3"))
        frames = index.get_array(index.features_db(), "e3")  # encoded from the stored DHS codes: the same
        np.testing.assert_allclose(matrix[3], profile.encode(frames, "audio"), rtol=1e-5, atol=1e-5)


def test_a_query_is_run_through_the_dhs_network_once(rng, monkeypatch):
    from seqretrieve.matchers.embedding import EmbeddingMatcher
    from seqretrieve.types import FeatureSequence, QueryData

    frames = rng.random((8 * 120, 48), dtype=np.float32)
    query = QueryData("q.mid", None, {"cqt": FeatureSequence(frames, 21.5, "cqt", {})})
    dhs, calls = shared_model("dhs"), []
    original = dhs.encode
    monkeypatch.setattr(dhs, "encode", lambda f, side: calls.append(side) or original(f, side))
    windows = EmbeddingMatcher("profile").encode_query(query)
    assert calls == ["midi"] and "dhs" in query.encoded  # kept for the hash-dtw stage
    profile = get_registry().create("representation", "profile")
    np.testing.assert_allclose(windows, profile.from_source(query.encoded["dhs"], "midi"))
    np.testing.assert_allclose(windows, profile.encode(frames, "midi"), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="side"):
        profile.from_source(query.encoded["dhs"], "score")


def test_cascade_prunes_with_the_profile_and_cascade_pse_keeps_the_old_first_stage():
    from seqretrieve.pipelines.search import build_matchers

    registry = get_registry()
    cascade, old = registry.get("pipeline", "cascade"), registry.get("pipeline", "cascade-pse")
    assert cascade.version == "9" and cascade.stages[-1].carry == 0.5 and set(cascade.needs) == {"dhs", "profile", "pse"}
    final = build_matchers(cascade, registry)["dtw"]
    assert (final.window, final.median_stride, final.coarse) == (0.25, 8, 8)
    assert build_matchers(cascade, registry)["embedding"].representation == "profile"
    assert build_matchers(cascade, registry)["hash-dtw"].embedding.representation == "pse"
    assert old.version == "4" and build_matchers(old, registry)["embedding"].representation == "pse"
