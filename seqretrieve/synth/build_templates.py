"""Build the CQT note templates of a SoundFont (offline, once): ``python -m seqretrieve.synth.build_templates``.

Every General MIDI program (and the drum kit) plays each pitch of ``PITCHES`` for ``HOLD`` frames
at velocity ``VELOCITY``, one note per slot of a long TinySoundFont rendering at the extractor's
MIDI rate; the CQT magnitudes of each slot (``PRE`` frames before the onset, the held note, the
``RELEASE`` frames after its note-off) are one template. Levels are relative to a reference note
(program 0, middle C) rendered in every instrument's file, so instruments keep their relative
loudness through the renderer's peak normalisation. Stored per instrument as uint8 decibels
(``DB_STEP`` steps above ``DB_FLOOR``; 0 = silence) in one compressed ``.npz``, with a JSON card
(font, parameters, sha256 of the font and of the file).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

PITCHES = (21, 96)  # piano range up to the pitch whose fundamental leaves the 48 CQT bins
PRE, HOLD, RELEASE, GAP = 2, 43, 16, 4  # frames: before the onset, held (2 s), after note-off, spare
VELOCITY = 100
DB_FLOOR, DB_STEP = -100.0, 0.5
VELOCITIES = tuple(range(7, 128, 8)) + (127,)  # where the velocity gain is measured
DEFAULT_DIR = Path(__file__).resolve().parent / "templates" / "timgm6mb"
REFERENCE = (0, 60)  # program, pitch of the level reference


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _slot_midi(program: int, is_drum: bool, notes: list[tuple[int, int]], seconds_per_frame: float):
    """A PrettyMIDI playing (pitch, velocity) ``notes`` one slot apart, then the reference note."""
    import pretty_midi

    slot = PRE + HOLD + RELEASE + GAP
    midi = pretty_midi.PrettyMIDI()
    instrument = pretty_midi.Instrument(program, is_drum=is_drum)
    for k, (pitch, velocity) in enumerate(notes):
        start = (k * slot + PRE) * seconds_per_frame
        instrument.notes.append(pretty_midi.Note(velocity, pitch, start, start + HOLD * seconds_per_frame))
    reference = pretty_midi.Instrument(REFERENCE[0])
    start = (len(notes) * slot + PRE) * seconds_per_frame
    reference.notes.append(pretty_midi.Note(VELOCITY, REFERENCE[1], start, start + HOLD * seconds_per_frame))
    midi.instruments += [instrument, reference]
    return midi


def render_slots(synthesizer, extractor, program: int, is_drum: bool, notes) -> np.ndarray:
    """(len(notes), PRE + HOLD + RELEASE, bins) float32 magnitudes relative to the reference's peak."""
    rate = extractor.midi_sample_rate
    hop = extractor.hop_for(rate)
    audio = synthesizer.render(_slot_midi(program, is_drum, notes, hop / rate), rate)
    magnitude = extractor.magnitude(audio, rate, hop).T  # (T, bins)
    slot, width = PRE + HOLD + RELEASE + GAP, PRE + HOLD + RELEASE
    needed = (len(notes) + 1) * slot
    if len(magnitude) < needed:
        magnitude = np.concatenate([magnitude, np.zeros((needed - len(magnitude), magnitude.shape[1]))])
    slots = np.stack([magnitude[k * slot: k * slot + width] for k in range(len(notes) + 1)])
    return (slots[:-1] / max(float(slots[-1].max()), 1e-12)).astype(np.float32)


def to_db_codes(magnitudes: np.ndarray) -> np.ndarray:
    """Magnitudes -> uint8 codes: 0 below DB_FLOOR, else 1 + round((dB - floor) / step)."""
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(np.maximum(magnitudes, 1e-30))
    codes = np.clip(np.round((db - DB_FLOOR) / DB_STEP) + 1, 0, 255)
    return np.where(db < DB_FLOOR, 0, codes).astype(np.uint8)


def from_db_codes(codes: np.ndarray) -> np.ndarray:
    """Inverse of :func:`to_db_codes` (0 -> 0.0) as float32 magnitudes."""
    magnitudes = 10 ** ((DB_FLOOR + (codes.astype(np.float32) - 1) * DB_STEP) / 20)
    return np.where(codes == 0, 0, magnitudes).astype(np.float32)


def build(out_dir: Path = DEFAULT_DIR, programs=range(128), progress=print) -> dict:
    """Render every instrument's templates into ``out_dir`` (templates.npz + card.json)."""
    from ..registry import get_registry

    registry = get_registry()
    synthesizer = registry.create("synthesizer", "tinysoundfont")
    extractor = registry.create("feature_extractor", "cqt")
    pitches = list(range(*PITCHES))
    arrays = {}
    for program in programs:
        arrays[f"program{program:03d}"] = to_db_codes(
            render_slots(synthesizer, extractor, program, False, [(p, VELOCITY) for p in pitches]))
        progress(f"program {program}")
    arrays["drums"] = to_db_codes(render_slots(synthesizer, extractor, 0, True, [(p, VELOCITY) for p in pitches]))
    level = render_slots(synthesizer, extractor, REFERENCE[0], False, [(REFERENCE[1], v) for v in VELOCITIES])
    level = level[:, PRE:PRE + HOLD].sum(axis=(1, 2))
    gains = np.interp(np.arange(128), VELOCITIES, level / np.interp(VELOCITY, VELOCITIES, level))
    arrays["velocity_gain"] = gains.astype(np.float32)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "templates.npz"
    np.savez_compressed(path, **arrays)
    card = {
        "name": out_dir.name,
        "soundfont": synthesizer.soundfont.name,
        "soundfont_sha256": _sha256(synthesizer.soundfont),
        "synthesizer": synthesizer.params(),
        "extractor": extractor.params(),
        "pitches": list(PITCHES), "pre": PRE, "hold": HOLD, "release": RELEASE, "velocity": VELOCITY,
        "db_floor": DB_FLOOR, "db_step": DB_STEP, "reference": list(REFERENCE),
        "file": path.name, "sha256": _sha256(path),
    }
    (out_dir / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR, help="folder for templates.npz + card.json")
    args = parser.parse_args(argv)
    card = build(args.out)
    print(f"{args.out / card['file']}: {(args.out / card['file']).stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
