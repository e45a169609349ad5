"""IR types: element dtypes, ranked tensor types (static or dynamic dims) and function types.

>>> from torsh.ir.types import TensorType, f32
>>> str(TensorType((2, None, 3), f32))
'tensor<2x?x3xf32>'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np


class DType(enum.Enum):
    """An element type; the value is its MLIR spelling."""

    f16 = "f16"
    bf16 = "bf16"
    f32 = "f32"
    f64 = "f64"
    i1 = "i1"
    i8 = "i8"
    i32 = "i32"
    i64 = "i64"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"DType.{self.value}"

    # Members are singletons: identity hashing is exact and much cheaper than Enum's
    # name-based hash, which sits on the hot path of every type and cache lookup.
    __hash__ = object.__hash__

    @property
    def is_float(self) -> bool:
        return self in _FLOATS

    @property
    def is_int(self) -> bool:
        return self in (DType.i8, DType.i32, DType.i64)

    @property
    def is_bool(self) -> bool:
        return self is DType.i1

    @property
    def itemsize(self) -> int:
        return _ITEMSIZE[self]

    @property
    def numpy(self) -> np.dtype:
        """The numpy dtype that holds values of this type (bf16 is held in float32)."""
        return np.dtype(_NUMPY[self])

    @staticmethod
    def from_numpy(dtype: np.dtype | type) -> DType:
        dt = np.dtype(dtype)
        for k, v in _NUMPY.items():
            if k is not DType.bf16 and np.dtype(v) == dt:
                return k
        raise ValueError(f"no torsh dtype for numpy dtype {dt}")


_FLOATS = frozenset({DType.f16, DType.bf16, DType.f32, DType.f64})
_ITEMSIZE = {
    DType.f16: 2, DType.bf16: 2, DType.f32: 4, DType.f64: 8,
    DType.i1: 1, DType.i8: 1, DType.i32: 4, DType.i64: 8,
}
_NUMPY = {
    DType.f16: np.float16, DType.bf16: np.float32, DType.f32: np.float32,
    DType.f64: np.float64, DType.i1: np.bool_, DType.i8: np.int8,
    DType.i32: np.int32, DType.i64: np.int64,
}

f16, bf16, f32, f64 = DType.f16, DType.bf16, DType.f32, DType.f64
i1, i8, i32, i64 = DType.i1, DType.i8, DType.i32, DType.i64

Dim = int | None  # None is a dynamic dimension, printed as '?'


@dataclass(frozen=True)
class TensorType:
    """A ranked tensor type. ``shape`` holds ints (static) or None (dynamic, '?')."""

    shape: tuple[Dim, ...]
    dtype: DType

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(self.shape))
        for d in self.shape:
            if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < 0):
                raise ValueError(f"invalid tensor dimension {d!r} in {self.shape}")
        # types key the front end's caches on every op: hash once
        object.__setattr__(self, "_hash", hash((self.shape, self.dtype)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        # rebuilt, not restored: the cached hash of another process would be stale
        return (TensorType, (self.shape, self.dtype))

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def is_static(self) -> bool:
        return all(d is not None for d in self.shape)

    @property
    def numel(self) -> int | None:
        if not self.is_static:
            return None
        n = 1
        for d in self.shape:
            n *= d
        return n

    def with_shape(self, shape) -> TensorType:
        return TensorType(tuple(shape), self.dtype)

    def with_dtype(self, dtype: DType) -> TensorType:
        return TensorType(self.shape, dtype)

    def __str__(self) -> str:
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.dtype}>"


@dataclass(frozen=True)
class FunctionType:
    inputs: tuple[TensorType, ...]
    results: tuple[TensorType, ...]

    def __str__(self) -> str:
        ins = ", ".join(map(str, self.inputs))
        if len(self.results) == 1:
            return f"({ins}) -> {self.results[0]}"
        return f"({ins}) -> ({', '.join(map(str, self.results))})"


def broadcast_shapes(*shapes: tuple[Dim, ...]) -> tuple[Dim, ...] | None:
    """numpy/PyTorch broadcasting of shapes; None if they are incompatible.

    A dynamic dim broadcasts with 1 to itself and with a static n to n (checked at run time).

    >>> broadcast_shapes((2, 1, 3), (4, 1))
    (2, 4, 3)
    """
    rank = max((len(s) for s in shapes), default=0)
    out: list[Dim] = []
    for i in range(rank):
        dim: Dim = 1
        for s in shapes:
            j = len(s) - rank + i
            if j < 0:
                continue
            d = s[j]
            if d == 1:
                continue
            if dim == 1:
                dim = d
            elif d is None:
                continue
            elif dim is None:
                dim = d
            elif d != dim:
                return None
        out.append(dim)
    return tuple(out)
