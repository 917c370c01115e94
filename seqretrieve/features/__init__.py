"""Feature extractors (CQT) and the audio/MIDI -> features entry points in ``extract``."""
