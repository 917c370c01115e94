"""Aligning a MIDI file to a recording: DTW on synthesized vs recorded features, then warping the MIDI."""
