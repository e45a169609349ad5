"""A thin ctypes view of the C tensor API for tests: numpy in, numpy out, C errors raised
as torsh's exceptions. The functions are the ones torsh/_runtime.py declares from torsh.h.
"""

from __future__ import annotations

import ctypes

import numpy as np

from torsh import _runtime as rt

NUMPY_OF = {code: rt._NUMPY_DTYPES[name] for name, code in rt.DTYPES.items()}
CODE_OF = {np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.int32): 2,
           np.dtype(np.int64): 3, np.dtype(np.bool_): 4, np.dtype(np.int8): 7,
           np.dtype(np.uint8): 8}


def lib() -> ctypes.CDLL:
    return rt.lib()


class T:
    """An owned tensor handle, released when collected."""

    def __init__(self, handle: int):
        if not handle:
            raise rt.last_error()
        self.h = handle

    def __del__(self):
        if getattr(self, "h", None):
            lib().torsh_tensor_release(self.h)

    def numpy(self) -> np.ndarray:
        """A copy of the elements (any strides) as a numpy array."""
        n = lib().torsh_tensor_ndim(self.h)
        shape = [lib().torsh_tensor_shape(self.h)[k] for k in range(n)]
        strides = [lib().torsh_tensor_strides(self.h)[k] for k in range(n)]
        dt = np.dtype(NUMPY_OF[lib().torsh_tensor_dtype(self.h)])
        ptr = lib().torsh_tensor_data_ptr(self.h)
        if any(d == 0 for d in shape):
            return np.zeros(shape, dt)
        lo = sum((d - 1) * s for d, s in zip(shape, strides) if s < 0)
        hi = sum((d - 1) * s for d, s in zip(shape, strides) if s > 0)
        raw = (ctypes.c_char * ((hi - lo + 1) * dt.itemsize)).from_address(
            ptr + lo * dt.itemsize)
        flat = np.frombuffer(raw, dt)
        view = np.lib.stride_tricks.as_strided(
            flat[-lo:], shape, [s * dt.itemsize for s in strides])
        return np.array(view)

    @property
    def grad(self) -> np.ndarray | None:
        rt.lib().torsh_clear_error()
        g = lib().torsh_tensor_grad(self.h)
        if not g:
            if lib().torsh_last_error() != 0:
                raise rt.last_error()
            return None
        return T(g).numpy()

    def requires_grad_(self) -> T:
        rt.check(lib().torsh_tensor_set_requires_grad(self.h, True))
        return self


def tensor(a) -> T:
    a = np.array(a, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
    shape = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
    return T(lib().torsh_tensor_from_array(a.ctypes.data, shape, a.ndim, CODE_OF[a.dtype]))


def call(name: str, *args) -> T:
    """A tensor-returning C function: tensor arguments as T, others as they are."""
    conv = [a.h if isinstance(a, T) else a for a in args]
    return T(getattr(lib(), f"torsh_{name}")(*conv))


def status(name: str, *args) -> None:
    conv = [a.h if isinstance(a, T) else a for a in args]
    rt.check(getattr(lib(), f"torsh_{name}")(*conv))


def shape_arg(shape) -> ctypes.Array:
    return (ctypes.c_int64 * max(len(shape), 1))(*shape)
