"""The public DTW and index APIs carry numpydoc sections (Parameters with shapes, Returns,
Raises, Examples), and their examples run."""

from __future__ import annotations

import doctest
import importlib

import pytest

PUBLIC = {
    "seqretrieve.dtw.align": ["align_features", "score_features", "align_codes", "score_codes"],
    "seqretrieve.index.build": ["build_index"],
    "seqretrieve.index.store": ["Index.create", "Index.open"],
}
SECTIONS = ("Parameters\n", "Returns\n", "Raises\n", "Examples\n")


def _target(module_name: str, qualname: str):
    target = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


@pytest.mark.parametrize("module_name, qualname", [(m, q) for m, names in PUBLIC.items() for q in names])
def test_numpydoc_sections(module_name, qualname):
    doc = _target(module_name, qualname).__doc__ or ""
    missing = [section.strip() for section in SECTIONS if section not in doc]
    assert not missing, f"{module_name}.{qualname} lacks {', '.join(missing)}"
    if module_name.startswith("seqretrieve.dtw"):
        assert "shape (" in doc, "array parameters say their shapes"


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_examples_run(module_name):
    module = importlib.import_module(module_name)
    failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried and not failed
