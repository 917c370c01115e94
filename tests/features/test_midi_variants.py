"""make_variant: corruptions as asked, and a time map that agrees exactly with the warped notes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from seqretrieve.synth.variants import MELODIC_PROGRAMS, PRESETS, TimeMap, make_variant, melody_index


@pytest.fixture
def song(midi_factory, instrument_factory):
    """Melody (named), an accompaniment, a bass and drums over ~20 s; names are unique."""
    midi = midi_factory([(72 + i % 5, i * 0.5, i * 0.5 + 0.4, 90) for i in range(40)], program=0, name="MELODY")
    midi.instruments.append(instrument_factory([(60 + i % 7, i * 1.0, i * 1.0 + 0.9, 70) for i in range(20)], 48, name="strings"))
    midi.instruments.append(instrument_factory([(40 + i % 3, i * 2.0, i * 2.0 + 1.5, 80) for i in range(10)], 33, name="bass"))
    midi.instruments.append(instrument_factory([(36, i * 0.5, i * 0.5 + 0.1, 100) for i in range(40)], is_drum=True, name="drums"))
    return midi


def _assert_time_map_matches_notes(original, variant, time_map):
    """Each note kept inside the crop sits at time_map(its original start/end); names are unique."""
    low, high = time_map.original[0], time_map.original[-1]
    assert variant.instruments
    for inst in variant.instruments:
        source = next(o for o in original.instruments if o.name == inst.name)
        kept = [n for n in source.notes if n.start >= low and n.end <= high]
        assert sorted(n.pitch for n in kept) == sorted(n.pitch for n in inst.notes)
        expected = np.sort(time_map(np.array([n.start for n in kept])))
        actual = np.sort([n.start for n in inst.notes])
        assert np.allclose(expected, actual, atol=1e-9)
        assert np.allclose(np.sort(time_map(np.array([n.end for n in kept]))), np.sort([n.end for n in inst.notes]))


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_time_map_agrees_with_warped_notes(song, preset, seed):
    variant, time_map = make_variant(song, seed, preset=preset, tempo_scale=1.2)
    _assert_time_map_matches_notes(song, variant, time_map)
    assert np.all(np.diff(time_map.new) > 0)
    assert time_map(time_map.original[0]) == pytest.approx(0.0)


def test_same_seed_same_variant_other_seed_other(song):
    first, map_first = make_variant(song, 7, preset="hard")
    again, map_again = make_variant(song, 7, preset="hard")
    other, map_other = make_variant(song, 8, preset="hard")
    assert np.array_equal(map_first.new, map_again.new)
    assert [i.program for i in first.instruments] == [i.program for i in again.instruments]
    assert not np.array_equal(map_first.new[:5], map_other.new[:5])


def test_original_is_left_untouched(song):
    before = [(n.start, n.velocity) for n in song.instruments[0].notes]
    make_variant(song, 0, preset="hard")
    assert [(n.start, n.velocity) for n in song.instruments[0].notes] == before
    assert len(song.instruments) == 4


def test_tempo_scale_alone_divides_times(song):
    variant, time_map = make_variant(song, 0, tempo_scale=2.0)
    assert time_map(10.0) == pytest.approx(5.0)
    assert np.allclose(time_map(np.array([0.0, 4.0, 19.5])), [0.0, 2.0, 9.75])
    assert variant.get_end_time() == pytest.approx(song.get_end_time() / 2, abs=1e-6)


def test_warp_is_smooth_and_bounded(song):
    _, time_map = make_variant(song, 3, warp=0.1)
    rates = np.diff(time_map.new) / np.diff(time_map.original)
    assert rates.min() > 0.5 and rates.max() < 2.0 and rates.std() > 0.01
    assert np.abs(np.diff(rates)).max() < 0.1  # neighbouring 0.25 s steps change tempo gently


def test_programs_shift_to_other_melodic_programs_and_drums_stay(song):
    variant, _ = make_variant(song, 5, programs="shift")
    for before, after in zip(song.instruments, variant.instruments):
        if before.is_drum:
            assert after.program == before.program
        else:
            assert after.program != before.program and after.program in MELODIC_PROGRAMS
    kept, _ = make_variant(song, 5, programs="keep")
    assert [i.program for i in kept.instruments] == [i.program for i in song.instruments]


def test_drop_removes_one_non_melody_instrument(song):
    assert melody_index(song) == 0
    for seed in range(6):
        variant, _ = make_variant(song, seed, drop_probability=1.0)
        assert len(variant.instruments) == 3
        assert variant.instruments[0].name == "MELODY"


def test_melody_without_a_name_is_the_highest_voice(song):
    for inst in song.instruments:
        inst.name = ""
    assert melody_index(song) == 0


def test_velocity_scale_stays_in_range(song):
    variant, _ = make_variant(song, 1, velocity_scale=(0.5, 0.5))
    assert [n.velocity for n in variant.instruments[0].notes] == [45] * 40


def test_crop_cuts_start_and_end(song):
    variant, time_map = make_variant(song, 2, crop=3.0)
    assert 0 < time_map.original[0] <= 3.0 and song.get_end_time() - 3.0 <= time_map.original[-1] < song.get_end_time()
    assert time_map(0.0) < 0  # cropped-away times map before the start
    assert min(n.start for i in variant.instruments for n in i.notes) >= 0


def test_bad_settings_are_refused(song):
    with pytest.raises(ValueError, match="unknown variant preset"):
        make_variant(song, 0, preset="medium")
    with pytest.raises(ValueError, match="programs"):
        make_variant(song, 0, programs="random")
    with pytest.raises(ValueError, match="tempo_scale"):
        make_variant(song, 0, tempo_scale=0.0)


def test_time_map_scalar_and_extrapolation():
    time_map = TimeMap(np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 3.0]))
    assert time_map(1.5) == pytest.approx(1.0) and isinstance(time_map(1.5), float)
    assert time_map(0.0) == pytest.approx(-2.0)  # first segment's slope 2
    assert time_map(6.0) == pytest.approx(4.0)  # last segment's slope 0.5


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(0.5, 2.0), warp=st.floats(0.0, 0.2))
def test_time_map_is_monotonic_for_any_seed(midi_factory, seed, scale, warp):
    midi = midi_factory([(60 + i % 12, i * 0.3, i * 0.3 + 0.25) for i in range(30)])
    variant, time_map = make_variant(midi, seed, tempo_scale=scale, warp=warp, crop=1.0)
    times = np.linspace(-1.0, 12.0, 200)
    assert np.all(np.diff(time_map(times)) > 0)
    _assert_time_map_matches_notes(midi, variant, time_map)
