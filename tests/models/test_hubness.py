"""The code profile's hubness correction: one extra dimension that turns the nearest-window
distance into ``d(q, e) - weight * r(e) + ceiling``, and ``train hubness`` that fits it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from seqretrieve.errors import ModelFileError
from seqretrieve.matchers.embedding import shared_model, squared_distances
from seqretrieve.models.code_profile import CodeProfileModel
from seqretrieve.models.hubness import HubnessCorrection, neighbourhood
from seqretrieve.models.plugin import DHS_VERSION, PROFILE_BASE_VERSION, PROFILE_VERSION
from seqretrieve.models.runtime import package_model_dir



def _tune(path, shift: int) -> None:
    """A 40-s two-voice MIDI file, different for each ``shift``."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    for program, base in ((0, 60), (33, 36)):
        part = pretty_midi.Instrument(program=program)
        part.notes = [pretty_midi.Note(90, base + (k * (3 + shift) + shift * 5) % 14, k * 0.3, k * 0.3 + 0.4)
                      for k in range(130)]
        midi.instruments.append(part)
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.write(str(path))


def test_neighbourhood_is_the_mean_of_the_k_nearest(rng):
    reference = rng.standard_normal((300, 6)).astype(np.float32)
    vectors = rng.standard_normal((2500, 6)).astype(np.float32)  # more than one block
    brute = ((vectors[:, None] - reference[None]) ** 2).sum(-1)
    np.testing.assert_allclose(neighbourhood(vectors, reference, 4), np.sort(brute, 1)[:, :4].mean(1), rtol=1e-4)
    own = ((reference[:, None] - reference[None]) ** 2).sum(-1)
    np.testing.assert_allclose(neighbourhood(reference, reference, 3, skip_self=True),
                               np.sort(own, 1)[:, 1:4].mean(1), rtol=1e-4, atol=1e-4)


def test_augmented_distance_is_the_corrected_one(rng):
    reference = rng.standard_normal((200, 5)).astype(np.float32)
    correction = HubnessCorrection(reference, k=7, weight=0.5, ceiling=100.0, sha256="x")
    entries, windows = rng.standard_normal((50, 5)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
    plain = squared_distances(entries, windows)
    corrected = squared_distances(correction.entries(entries), correction.queries(windows))
    expected = plain - 0.5 * neighbourhood(entries, reference, 7) + 100.0
    np.testing.assert_allclose(corrected, expected, rtol=1e-4, atol=1e-3)
    hub = correction.entries(reference[:1] * 0)  # near the reference's centre: a hub, larger distances
    assert hub.shape == (1, 6) and correction.queries(windows)[:, -1].tolist() == [0, 0, 0, 0]


def test_shipped_profile_appends_the_correction(tiny_index, rendered, rng):
    from seqretrieve.index.store import Index

    profile = shared_model("profile")
    with Index.open(tiny_index) as index:
        codes = index.get_array("repr:dhs", rendered[2][0][0])  # a rendered recording's codes
    entry, windows = profile.from_source(codes, "audio"), profile.from_source(codes, "midi")
    assert profile.dims == 65 and entry.shape == (65,) and windows.shape[1] == 65
    assert entry[-1] > 0 and not windows[:, -1].any()
    plain = CodeProfileModel(shared_model("dhs"), model_dir=package_model_dir("profile", PROFILE_BASE_VERSION))
    np.testing.assert_allclose(entry[:64], plain.from_source(codes, "audio"), rtol=1e-6)
    assert plain.checksum != profile.checksum  # an index re-encodes (`index update`)
    noise = profile.from_source(rng.integers(0, 2**32, 200, dtype=np.uint32), "audio")
    assert noise[-1] == 0  # far from every reference window: past the ceiling, clipped


def test_a_corrupt_or_misdescribed_reference_is_refused(tmp_path):
    dhs = shared_model("dhs")
    folder = shutil.copytree(package_model_dir("profile", PROFILE_VERSION), tmp_path / "shipped")
    (folder / "hubness.npz").write_bytes(b"not a reference")
    with pytest.raises(ModelFileError, match="sha256"):
        CodeProfileModel(dhs, model_dir=folder)
    folder = shutil.copytree(package_model_dir("profile", PROFILE_VERSION), tmp_path / "k0")
    card = json.loads((folder / "card.json").read_text())
    card["hubness"]["k"] = 0
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="k >= 1"):
        CodeProfileModel(dhs, model_dir=folder)


def test_train_hubness_writes_a_new_version_from_train_songs(tmp_path):
    import typer
    from typer.testing import CliRunner

    from seqretrieve.cli import train

    app = typer.Typer()
    train.register(app)
    app.command("noop")(lambda: None)  # a second command keeps "train" a sub-command
    for shift, number in enumerate(("002", "003", "004", "006")):  # 004 is a test song: never a reference
        _tune(tmp_path / "pop909" / number / f"{number}.mid", shift)
    result = CliRunner().invoke(app, ["train", "hubness", "--pop909", str(tmp_path / "pop909"), "--songs", "5",
                                      "--dhs", str(package_model_dir("dhs", DHS_VERSION)), "--k", "2",
                                      "--out", str(tmp_path / "m"), "--version", "9", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    model = CodeProfileModel(shared_model("dhs"), model_dir=tmp_path / "m" / "profile" / "9")
    assert model.version == "9" and model.dims == 65 and model.hubness.k == 2
    assert summary["windows"] == len(model.hubness.reference) == 3 * 3  # songs 2, 3, 6: two windows + the whole
    assert model.card["training"]["hubness"]["windows"] == summary["windows"] and summary["ceiling"] > 0
    again = CliRunner().invoke(app, ["train", "hubness", "--profile", str(tmp_path / "m" / "profile" / "9"),
                                     "--pop909", str(tmp_path / "pop909"), "--out", str(tmp_path / "m")])
    assert isinstance(again.exception, ValueError) and "already has a hubness correction" in str(again.exception)
    many = CliRunner().invoke(app, ["train", "hubness", "--pop909", str(tmp_path / "pop909"), "--k", "9",
                                    "--out", str(tmp_path / "m")])
    assert isinstance(many.exception, ValueError) and "cannot give each one 9" in str(many.exception)
