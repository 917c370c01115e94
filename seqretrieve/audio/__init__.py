"""Input files: audio decoding (``decode.load_audio``) and checked MIDI loading (``midi.load_midi``)."""
