"""The ``seqretrieve`` command line: one module per command group, all added through hooks."""
