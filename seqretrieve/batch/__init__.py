"""Batch matching of MIDI collections: the results database, the workers and the driver of `seqretrieve match`."""
