"""Every compiler test gets a private, empty kernel cache folder and no dump settings; the
in-process plans and kernels are dropped before and after, so counts start from nothing."""

from __future__ import annotations

import pytest

from tests.compiler.helpers import CACHE_AND_DUMP_VARS, forget_compiled


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    folder = tmp_path / "kernel-cache"
    for var in CACHE_AND_DUMP_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TORSH_CACHE_DIR", str(folder))
    forget_compiled()
    yield folder
    forget_compiled()
