"""Shared by the codegen tests."""

from __future__ import annotations

from torsh import _runtime


def on_threads(n: int, fn):
    """fn() with the runtime on ``n`` threads (then back to the default)."""
    _runtime.set_num_threads(n)
    try:
        return fn()
    finally:
        _runtime.set_num_threads(0)
