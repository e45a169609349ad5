"""Memory accounting and limits, backed by libtorsh's counted allocator.

>>> import torsh
>>> torsh.set_memory_limit(1 << 20)
>>> try:
...     torsh.zeros(1 << 20).numpy()      # 4 MiB > 1 MiB
... except torsh.OutOfMemoryError as e:
...     print("refused")
refused
>>> torsh.set_memory_limit(None)
"""

from __future__ import annotations

from torsh import _runtime


def set_memory_limit(nbytes: int | None) -> None:
    """Cap the bytes libtorsh may hold live; ``None`` (or 0) removes the cap. A realization
    that would exceed it raises :class:`torsh.OutOfMemoryError` and changes no tensor."""
    _runtime.set_memory_limit(nbytes)


def get_memory_limit() -> int | None:
    limit = _runtime.get_memory_limit()
    return limit or None


def memory_stats() -> dict:
    """Bytes live, peak bytes, allocation counts of libtorsh's allocator."""
    s = _runtime.memory_stats()
    return {k: getattr(s, k) for k in dir(s) if not k.startswith("_")}
