"""A small end-to-end training run (needs the optional TensorFlow 'train' extra)."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

pytestmark = pytest.mark.train


@pytest.fixture
def pairs_dir(tmp_path):
    """Fake aligned pairs: the recording is the MIDI side plus noise, 2 x 4 songs."""
    from seqretrieve.training.pairs import Pair, save_pair

    rng = np.random.default_rng(0)
    for split in ("train", "validation"):
        for i in range(4):
            midi = rng.random((400, 48)).astype(np.float32)
            audio = midi + 0.1 * rng.random((400, 48)).astype(np.float32)
            save_pair(tmp_path / split / f"{i:03d}.npz", Pair(f"{i:03d}", midi, audio, np.arange(400)))
    (tmp_path / "meta.json").write_text(json.dumps({"extractor": "cqt", "extractor_params": {}}))
    return tmp_path


@pytest.mark.parametrize("kind,cls,shape", [("hash", "HashSequenceModel", (25,)), ("embed", "EmbeddingModel", (128,))])
def test_train_export_and_load(pairs_dir, tmp_path, kind, cls, shape):
    from seqretrieve.models import encoders
    from seqretrieve.training.trainer import TrainConfig, train_and_write

    config = TrainConfig(kind, steps=20, eval_every=10, batch=4, length=64, val_crops=8)
    card = train_and_write(config, pairs_dir, tmp_path / "models", log=lambda line: None, validation_limit=3)
    assert (card["training"]["train_songs"], card["training"]["validation_songs"]) == (4, 3)
    folder = tmp_path / "models" / card["name"] / "1"
    assert card["quantisation"] in ("float16", "float32")
    assert 0 <= card["metrics"]["validation"]["bhattacharyya"] <= 1
    model = getattr(encoders, cls)(card["name"], "1", model_dir=str(folder))
    out = model.encode(np.random.default_rng(1).random((200, 48), dtype=np.float32), "midi")
    assert out.shape == shape and model.checksum == card["checksum"]


def test_a_stopped_run_resumes_from_its_checkpoint(pairs_dir, tmp_path):
    from seqretrieve.errors import UsageError
    from seqretrieve.training.trainer import TrainConfig, train_and_write

    def run(steps, folder, **changes):
        config = TrainConfig("hash", steps=steps, eval_every=10, batch=4, length=64, val_crops=8,
                             **{"hidden": 32, **changes})
        lines = []
        card = train_and_write(config, pairs_dir, tmp_path / folder, log=lines.append, validation_limit=3,
                               checkpoint=tmp_path / f"{folder}-checkpoint")
        return card, lines

    whole, _ = run(30, "whole")
    run(10, "parts")  # stopped after its first evaluation
    state = json.loads((tmp_path / "parts-checkpoint" / "state.json").read_text())
    assert state["step"] == 10 and len(state["validation_songs"]) == 3
    resumed, lines = run(30, "parts")
    assert any(line.startswith("resumed") and "at step 10" in line for line in lines)
    assert [h["step"] for h in resumed["metrics"]["history"]] == [10, 20, 30]
    for before, after in zip(whole["metrics"]["history"], resumed["metrics"]["history"]):
        assert after["bhattacharyya"] == pytest.approx(before["bhattacharyya"], abs=1e-6)
    with pytest.raises(UsageError, match="hidden 32 -> 64"):
        run(40, "parts", hidden=64)


def test_natural_timing_trains_on_midi_resampled_to_the_recording(pairs_dir, tmp_path):
    from seqretrieve.training.pairs import Pair, save_pair
    from seqretrieve.training.trainer import TrainConfig, train_and_write

    rng = np.random.default_rng(3)
    midi = rng.random((300, 48)).astype(np.float32)
    slow = np.repeat(midi, 2, axis=0) + 0.1 * rng.random((600, 48)).astype(np.float32)  # played 2x slower
    save_pair(pairs_dir / "train" / "slow.npz", Pair("slow", midi, slow, np.arange(300) * 2))
    config = TrainConfig("hash", steps=10, eval_every=10, batch=4, length=64, val_crops=8, natural_timing=True)
    card = train_and_write(config, pairs_dir, tmp_path / "models", log=lambda line: None, validation_limit=3,
                           checkpoint=tmp_path / "checkpoint")
    assert card["training"]["natural_timing"] is True and card["training"]["train_songs"] == 5


def test_profile_perceptron_finds_pieces_despite_renderings_and_runs_in_numpy(tmp_path):
    """The code profile's perceptron, trained with InfoNCE on (recording, MIDI) renderings of
    made-up pieces (tests/models/test_code_profile.py), finds held-out pieces; written and loaded
    as the "profile" representation, it projects with NumPy alone to the same embeddings."""
    from seqretrieve.matchers.embedding import shared_model
    from seqretrieve.models.code_profile import CodeProfileModel
    from seqretrieve.training.profile import write_model
    from seqretrieve.training.profile_mlp import fit_mlp

    from .test_code_profile import _retrieved, piece, rendering

    rng = np.random.default_rng(0)
    train = [piece(rng) for _ in range(1500)]
    pairs = [(rendering(rng, low), rendering(rng, low)) for low in train]
    projection = fit_mlp(pairs, dims=16, hidden=64, epochs=20, batch=128)
    assert projection.method == "mlp" and projection.hidden[0].shape == (1552, 64)
    assert projection.components.shape == (64, 16) and projection.bias.shape == (16,) and projection.loss > 0
    held_out = [piece(rng) for _ in range(40)]
    recordings, midis = [rendering(rng, low) for low in held_out], [rendering(rng, low) for low in held_out]
    card = write_model(tmp_path, "9", projection, shared_model("dhs"), {"source": "test"})
    assert card["fit"].startswith("two-layer perceptron") and card["metrics"] == {"final_loss": round(projection.loss, 4)}
    model = CodeProfileModel(shared_model("dhs"), model_dir=tmp_path / "profile" / "9")
    assert (model.name, model.version, model.dims) == ("profile", "9", 16)
    assert _retrieved(model.project, recordings, midis) >= 0.8  # measured 0.925 (chance 0.025)
    with pytest.raises(ValueError, match="two batches"):
        fit_mlp(pairs[:100], batch=64)
