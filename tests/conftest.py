"""Suite-wide fixtures: kernels compiled by tests go to a private cache folder for the
session, never to the user's ~/.cache/torsh (tests of the cache itself use their own)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_kernel_cache(tmp_path_factory: pytest.TempPathFactory):
    """TORSH_CACHE_DIR in a temporary folder (the cache reads the variable whenever it looks
    a kernel up, so setting it here covers every test, and child processes inherit it)."""
    old = os.environ.get("TORSH_CACHE_DIR")
    os.environ["TORSH_CACHE_DIR"] = str(tmp_path_factory.mktemp("torsh_cache"))
    yield
    if old is None:
        os.environ.pop("TORSH_CACHE_DIR", None)
    else:
        os.environ["TORSH_CACHE_DIR"] = old
