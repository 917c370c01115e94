"""Shipped models: checksums recomputed, encodings' shapes and dtypes, bad input, no TensorFlow."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

from seqretrieve.errors import ModelFileError, ModelMismatchError
from seqretrieve.models.encoders import pack_bits
from seqretrieve.models.plugin import DHS_VERSION
from seqretrieve.models.runtime import load_card, package_model_dir, sha256_bytes
from seqretrieve.registry import get_registry


@pytest.mark.parametrize("name", ["dhs", "pse"])
def test_shipped_checksums_recomputed(name):
    spec = get_registry().get("representation", name)
    folder = package_model_dir(name, spec.version)
    card = load_card(folder)  # raises on any mismatch
    for side in ("audio", "midi"):
        data = folder.joinpath(card.card["files"][side]["path"]).read_bytes()
        assert sha256_bytes(data) == card.card["files"][side]["sha256"]
    assert card.card["name"] == name and card.card["extractor"] == "cqt"
    assert len(card.checksum) == 64


def test_tampered_model_is_refused(tmp_path):
    source = package_model_dir("dhs", DHS_VERSION)
    target = tmp_path / "dhs"
    shutil.copytree(str(source), target)
    data = bytearray((target / "model_midi.tflite").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (target / "model_midi.tflite").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="sha256"):
        load_card(target)


def test_missing_card_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match="card.json"):
        load_card(tmp_path)


def test_pack_bits_little_endian():
    outputs = -np.ones((2, 32), np.float32)
    outputs[0, 0] = 1.0  # bit 0
    outputs[1, 31] = 0.5  # bit 31
    assert pack_bits(outputs).tolist() == [1, 2**31]


def test_hash_encoding_shape_dtype(rng):
    model = get_registry().create("representation", "dhs")
    frames = rng.random((203, 48), dtype=np.float32)
    for side in ("audio", "midi"):
        codes = model.encode(frames, side)
        assert codes.dtype == np.uint32 and codes.shape == (203 // 8,)
    assert model.encode(frames[:3], "midi").shape == (1,)  # short input padded to 8 frames
    assert model.kind == "hash"


@pytest.mark.parametrize("side", ["midi", "audio"])
def test_long_sequences_are_encoded_in_chunks_with_the_same_codes(rng, side):
    from seqretrieve.models.encoders import CHUNK_FRAMES, CHUNK_MARGIN

    model = get_registry().create("representation", "dhs")
    for length in (CHUNK_FRAMES + 2 * CHUNK_MARGIN + 1, 2 * CHUNK_FRAMES + 5, 4 * CHUNK_FRAMES - 3):
        frames = rng.random((length, 48), dtype=np.float32)
        whole = pack_bits(model._run(frames, side))  # one interpreter run over the whole sequence
        np.testing.assert_array_equal(model.encode(frames, side), whole)
    shapes = {shape for (_, shape) in model._runners if shape is not None}
    assert CHUNK_FRAMES in shapes and len(shapes) <= 1 + 8  # full chunks, and last chunks 0-7 frames longer


def test_embedding_encoding_shape_dtype(rng):
    model = get_registry().create("representation", "pse")
    a = model.encode(rng.random((400, 48), dtype=np.float32), "audio")
    b = model.encode(rng.random((977, 48), dtype=np.float32), "midi")
    assert a.dtype == np.float32 and a.shape == b.shape == (128,)
    assert np.all(np.abs(a) <= 1) and not np.allclose(a, b)


def test_wrong_width_and_side_are_refused(rng):
    model = get_registry().create("representation", "pse")
    with pytest.raises(ModelMismatchError, match="48"):
        model.encode(rng.random((100, 12), dtype=np.float32), "audio")
    with pytest.raises(ValueError, match="side"):
        model.encode(rng.random((100, 48), dtype=np.float32), "score")


def test_query_path_never_imports_tensorflow():
    code = (
        "import sys, numpy as np\n"
        "from seqretrieve.registry import get_registry\n"
        "import seqretrieve.matchers.embedding, seqretrieve.matchers.hash_dtw, seqretrieve.index.representations\n"
        "r = get_registry()\n"
        "for name in ('dhs', 'pse', 'profile'): r.create('representation', name).encode(np.zeros((64, 48), np.float32), 'midi')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_plugin_module_is_cheap_to_import():
    code = ("import sys, seqretrieve.models.plugin\n"
            "bad = [m for m in ('librosa', 'numba', 'lmdb', 'ai_edge_litert', 'tensorflow') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_model_folder_loads_under_its_cards_name_and_version(tmp_path):
    from seqretrieve.models.encoders import HashSequenceModel

    target = tmp_path / "anywhere"
    shutil.copytree(str(package_model_dir("dhs", DHS_VERSION)), target)
    model = HashSequenceModel.from_folder(target)
    assert (model.name, model.version) == ("dhs", DHS_VERSION)
    assert model.checksum == HashSequenceModel("dhs", DHS_VERSION).checksum
    with pytest.raises(ModelFileError, match="model card not found"):
        HashSequenceModel.from_folder(tmp_path / "empty")
