"""Music to render as "recordings": MIDI sources (POP909 splits and versions, the music21
corpus), the training SoundFonts, and excerpt rendering with augmentation. Shared by the training
data builder and the benchmarks' distractor sets."""
