"""Every docstring example in the torsh package runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import torsh

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(torsh.__path__, "torsh.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.setenv("TORSH_CACHE_DIR", str(tmp_path))
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
