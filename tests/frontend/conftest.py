"""Fixtures of the front-end tests: a private kernel cache for the whole session, so the
suite never writes to ~/.cache/torsh."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_kernel_cache(tmp_path_factory: pytest.TempPathFactory):
    """TORSH_CACHE_DIR in a temporary folder (the cache reads the variable whenever it looks
    a kernel up, so setting it here covers every test of the session)."""
    old = os.environ.get("TORSH_CACHE_DIR")
    os.environ["TORSH_CACHE_DIR"] = str(tmp_path_factory.mktemp("torsh_cache"))
    yield
    if old is None:
        os.environ.pop("TORSH_CACHE_DIR", None)
    else:
        os.environ["TORSH_CACHE_DIR"] = old
