"""``torsh.realize_async``: realize tensors on a background thread.

The compiled kernels run inside libtorsh without holding the GIL, so Python goes on while
they run. The future's ``result()`` returns the tensors (realized) or raises the error.

>>> import torsh
>>> fut = torsh.realize_async(torsh.ones(3) * 2)
>>> fut.result().tolist()
[2.0, 2.0, 2.0]
"""

from __future__ import annotations

import atexit
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from torsh.plan import realize

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="torsh-realize")
            atexit.register(_executor.shutdown, wait=True)
        return _executor


def realize_async(*tensors) -> Future:
    """Start realizing ``tensors``; returns a Future of the tensor (one argument) or the
    tuple of tensors."""

    def work():
        realize(*tensors)
        return tensors[0] if len(tensors) == 1 else tensors

    return _pool().submit(work)
