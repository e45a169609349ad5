"""Whether new ops record gradients: ``torsh.no_grad()``, ``torsh.enable_grad()``,
``torsh.set_grad_enabled(mode)``.

>>> import torsh
>>> with torsh.no_grad():
...     torsh.is_grad_enabled()
False
"""

from __future__ import annotations

import functools
import threading

_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "enabled", True)


def _set(mode: bool) -> None:
    _state.enabled = bool(mode)


class _GradMode:
    mode = True

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set(self.mode)
        return self

    def __exit__(self, *exc) -> None:
        _set(self._prev)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Context manager / decorator: ops inside record no gradient graph."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Context manager / decorator: turn gradient recording back on."""

    mode = True


class set_grad_enabled(_GradMode):  # noqa: N801
    """``set_grad_enabled(False)`` as a call, a context manager or a decorator."""

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)
        self._prev = is_grad_enabled()
        _set(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        _set(self._prev)
