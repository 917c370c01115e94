"""MIDI synthesis (TinySoundFont, FluidSynth) and MIDI variants for demos and training data."""
