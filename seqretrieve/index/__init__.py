"""The LMDB index: ``store`` (the :class:`~seqretrieve.index.store.Index` and its schema),
``codec`` (array values), ``build`` (parallel, incremental, crash-safe building), ``sources``
(which files, which ids), ``worker`` (what build workers run), ``verify`` (consistency checks)
and ``location`` (the default path)."""
