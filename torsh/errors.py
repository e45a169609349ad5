"""Typed errors shared by every layer of torsh.

Each class corresponds one-to-one to a C status code of ``include/torsh.h``
(``TORSH_ERR_*``); ``error_for_code`` maps a code back to its class, so an error
raised inside libtorsh surfaces in Python as the same class with the C message.

>>> import torsh
>>> issubclass(torsh.OutOfMemoryError, MemoryError)
True
"""

from __future__ import annotations

import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_frame(frame) -> tuple:
    """(the innermost frame from ``frame`` outward that is outside the torsh package, how
    many frames out it is, counting ``frame`` as 1), or (None, 0)."""
    level = 1
    while frame is not None:
        path = frame.f_code.co_filename
        inside = os.path.abspath(path).startswith(_PACKAGE_DIR + os.sep)
        if not inside and not path.startswith("<frozen"):
            return frame, level
        frame, level = frame.f_back, level + 1
    return None, 0


def user_location() -> str | None:
    """``file:line`` of the innermost caller outside the torsh package (the user's line
    that made a lazy op), or None when there is none."""
    frame, _ = _user_frame(sys._getframe(1))
    return None if frame is None else f"{frame.f_code.co_filename}:{frame.f_lineno}"


def user_stacklevel() -> int:
    """The ``stacklevel`` for a ``warnings.warn`` in the caller that points the warning at
    the user's line (the innermost frame outside the torsh package)."""
    _, level = _user_frame(sys._getframe(1))
    return max(level, 1)


class TorshError(Exception):
    """Base class of every error torsh raises on purpose. Messages end with the user's
    source line that led to the error (``(at file.py:12)``), found when it is raised."""

    code = 12  # TORSH_ERR_INTERNAL unless a subclass says otherwise
    locate = True  # IR errors point into IR text instead

    def __init__(self, *args):
        if self.locate and args and isinstance(args[0], str) and " (at " not in args[0]:
            where = user_location()
            if where is not None:
                args = (f"{args[0]} (at {where})",) + args[1:]
        super().__init__(*args)


class NullArgumentError(TorshError, ValueError):
    """A required pointer or object was NULL/None (TORSH_ERR_NULL_ARGUMENT)."""

    code = 1


class InvalidHandleError(TorshError, ValueError):
    """A handle was released, freed with its pool, or never valid (TORSH_ERR_INVALID_HANDLE)."""

    code = 2


class ShapeMismatchError(TorshError, ValueError):
    """Operand shapes are incompatible for an op (TORSH_ERR_SHAPE_MISMATCH)."""

    code = 3


class DTypeError(TorshError, TypeError):
    """A dtype an op does not support, or mismatched dtypes (TORSH_ERR_DTYPE)."""

    code = 4


class OutOfMemoryError(TorshError, MemoryError):
    """An allocation failed or exceeded the memory limit (TORSH_ERR_OUT_OF_MEMORY)."""

    code = 5


class TorshIndexError(TorshError, IndexError):
    """An index or dimension is out of range (TORSH_ERR_INDEX)."""

    code = 6


class TorshNotImplementedError(TorshError, NotImplementedError):
    """A feature torsh does not implement yet (TORSH_ERR_NOT_IMPLEMENTED)."""

    code = 7


class InvalidArgumentError(TorshError, ValueError):
    """An argument value is invalid for reasons other than shape or dtype
    (TORSH_ERR_INVALID_ARGUMENT)."""

    code = 8


class IRParseError(TorshError, ValueError):
    """IR text could not be parsed; the message carries line:column and a caret line
    (TORSH_ERR_IR_PARSE)."""

    code = 9
    locate = False


class IRVerifyError(TorshError, ValueError):
    """An IR module breaks an invariant; the message names the op and the mismatch
    (TORSH_ERR_IR_VERIFY)."""

    code = 10
    locate = False


class CompileError(TorshError, RuntimeError):
    """Lowering or JIT compilation of a kernel failed (TORSH_ERR_COMPILE)."""

    code = 11


class InternalError(TorshError, RuntimeError):
    """A bug in torsh itself (TORSH_ERR_INTERNAL)."""

    code = 12


class VersionMismatchError(TorshError, ImportError):
    """libtorsh.so's version differs from the Python package's (TORSH_ERR_VERSION_MISMATCH)."""

    code = 13


_BY_CODE: dict[int, type[TorshError]] = {
    cls.code: cls
    for cls in (
        NullArgumentError,
        InvalidHandleError,
        ShapeMismatchError,
        DTypeError,
        OutOfMemoryError,
        TorshIndexError,
        TorshNotImplementedError,
        InvalidArgumentError,
        IRParseError,
        IRVerifyError,
        CompileError,
        InternalError,
        VersionMismatchError,
    )
}


def error_for_code(code: int) -> type[TorshError]:
    """The exception class of a C status code (``InternalError`` for unknown codes)."""
    return _BY_CODE.get(code, InternalError)


__all__ = [cls.__name__ for cls in _BY_CODE.values()] + ["TorshError", "error_for_code"]
