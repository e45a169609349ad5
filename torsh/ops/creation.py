"""Creating tensors: from data (copied into libtorsh memory), filled (lazy constants that
fuse into their consumers), ranges and random numbers."""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from torsh import _runtime, dtypes
from torsh._scope import note_volatile
from torsh._tensor import Tensor
from torsh.errors import DTypeError, InvalidArgumentError
from torsh.ir.bf16 import to_bf16_bits
from torsh.ir.types import TensorType
from torsh.ops._core import constant, shape_arg

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed torsh's random number generator (rand, randn, randint, dropout...)."""
    global _rng
    _rng = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The generator behind rand, randn, randint, randperm and dropout. Drawing from it
    inside torsh.compile makes the step untraceable once for all: each call re-traces."""
    note_volatile("it draws random numbers (rand, randn, dropout...), which a replay of "
                  "the captured plan would repeat")
    return _rng


def from_array(arr: np.ndarray, dtype: dtypes.dtype) -> Tensor:
    """A realized tensor holding a copy of ``arr`` converted to ``dtype``."""
    if dtype is dtypes.bfloat16:  # numpy has no bf16: write the bit patterns
        store = to_bf16_bits(np.asarray(arr, dtype=np.float32)).reshape(np.shape(arr))
        buf = _runtime.RuntimeTensor.empty(store.shape, "bf16")
        buf.numpy()[...] = store
    else:
        with np.errstate(all="ignore"):
            store = np.array(arr, dtype=dtype.numpy, order="C")  # keeps 0-d arrays 0-d
        buf = _runtime.RuntimeTensor.from_numpy(store)
    return Tensor._from_buffer(buf, TensorType(store.shape, dtype.ir))


def _infer_dtype(data) -> dtypes.dtype:
    if isinstance(data, (np.ndarray, np.generic)):  # numpy scalars keep their dtype too
        return dtypes.as_dtype(data.dtype)
    arr = np.asarray(data)
    if arr.dtype == np.bool_:
        return dtypes.bool_
    if arr.dtype.kind in "iu":
        return dtypes.int64
    if arr.dtype.kind == "f":
        return dtypes.get_default_dtype()
    raise DTypeError(f"tensor(): cannot infer a dtype for data of numpy kind {arr.dtype}")


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors)."""
    _check_device(device)
    if isinstance(data, Tensor):
        data = data.numpy()
    try:
        dt = dtypes.as_dtype(dtype) if dtype is not None else _infer_dtype(data)
        arr = np.asarray(data)
    except ValueError as e:
        raise InvalidArgumentError(f"tensor(): {e}") from None
    if arr.dtype == object:
        raise InvalidArgumentError("tensor(): data must be a (nested, rectangular) sequence "
                                   "of numbers")
    out = from_array(arr, dt)
    if requires_grad:
        out.requires_grad_(True)
    return out


def _check_device(device) -> None:
    if device not in (None, "cpu"):
        from torsh.errors import TorshNotImplementedError

        raise TorshNotImplementedError(f"device {device!r}: torsh runs on the CPU only")


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    _check_device(device)
    shape = shape_arg((size,) if not isinstance(size, (tuple, list)) else (tuple(size),))
    if dtype is None:
        if isinstance(fill_value, (bool, np.bool_)):
            dt = dtypes.bool_
        elif isinstance(fill_value, numbers.Integral):
            dt = dtypes.int64
        else:
            dt = dtypes.get_default_dtype()
    else:
        dt = dtypes.as_dtype(dtype)
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"full: negative dimension in {list(shape)}")
    out = constant(fill_value, dt)
    if shape:
        out = Tensor._lazy("expand", [out], {"shape": shape})
    if requires_grad:
        out = out.realize()
        out.requires_grad_(True)
    return out


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(shape_arg(size), 0, dtype=dtype or dtypes.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(shape_arg(size), 1, dtype=dtype or dtypes.get_default_dtype(), device=device,
                requires_grad=requires_grad)


empty = zeros


def zeros_like(x: Tensor, dtype=None) -> Tensor:
    return zeros(x.shape, dtype=dtype or x.dtype)


def ones_like(x: Tensor, dtype=None) -> Tensor:
    return ones(x.shape, dtype=dtype or x.dtype)


def full_like(x: Tensor, fill_value, dtype=None) -> Tensor:
    return full(x.shape, fill_value, dtype=dtype or x.dtype)


empty_like = zeros_like


def arange(start, end=None, step=1, *, dtype=None, device=None) -> Tensor:
    _check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise InvalidArgumentError("arange: step must be nonzero")
    if dtype is None:
        ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dt = dtypes.int64 if ints else dtypes.get_default_dtype()
    else:
        dt = dtypes.as_dtype(dtype)
    n = builtins.max(0, int(np.ceil((end - start) / step)))
    return from_array(start + step * np.arange(n, dtype=np.float64 if dt.is_floating_point
                                                 else np.int64), dt)


def linspace(start, end, steps: int, *, dtype=None) -> Tensor:
    if steps < 0:
        raise InvalidArgumentError("linspace: number of steps must be non-negative")
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    return from_array(np.linspace(start, end, steps), dt)


def eye(n: int, m: int | None = None, *, dtype=None) -> Tensor:
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    return from_array(np.eye(n, m), dt)


def rand(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    return _random(lambda g, s: g.random(s), size, dtype, generator, requires_grad)


def randn(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    return _random(lambda g, s: g.standard_normal(s), size, dtype, generator, requires_grad)


def _random(draw, size, dtype, gen, requires_grad) -> Tensor:
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    if not dt.is_floating_point:
        raise DTypeError(f"random floats cannot have dtype {dt!r}")
    rng = generator()  # (records the draw for torsh.compile even with gen given)
    out = from_array(draw(gen or rng, shape_arg(size)), dt)
    if requires_grad:
        out.requires_grad_(True)
    return out


def randint(low, high=None, size=None, *, dtype=None) -> Tensor:
    if high is None:
        low, high = 0, low
    if size is None:
        raise InvalidArgumentError("randint: size is required")
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.int64
    return from_array(generator().integers(low, high, shape_arg((size,) if isinstance(size, int)
                                                         else (tuple(size),))), dt)


def randperm(n: int, *, dtype=None) -> Tensor:
    return from_array(generator().permutation(n), dtypes.as_dtype(dtype) if dtype else dtypes.int64)


def rand_like(x: Tensor, dtype=None) -> Tensor:
    return rand(x.shape, dtype=dtype or x.dtype)


def randn_like(x: Tensor, dtype=None) -> Tensor:
    return randn(x.shape, dtype=dtype or x.dtype)


__all__ = ["manual_seed", "tensor", "full", "zeros", "ones", "empty", "zeros_like", "ones_like",
           "full_like", "empty_like", "arange", "linspace", "eye", "rand", "randn", "randint",
           "randperm", "rand_like", "randn_like"]
