"""Matrix products with PyTorch's shape rules (1-D promotion, batch broadcasting)."""

from __future__ import annotations

from torsh import dtypes
from torsh._tensor import Tensor
from torsh.errors import DTypeError, ShapeMismatchError
from torsh.ops._core import cast
from torsh.ops.shape import reshape, t, unsqueeze


def _check(a: Tensor, b: Tensor, op: str) -> None:
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{op}: expected tensors, got {type(a).__name__} and {type(b).__name__}")
    if a.dtype is not b.dtype:
        raise DTypeError(f"{op}: expected both operands to have the same dtype, got "
                         f"{a.dtype!r} and {b.dtype!r}")
    if a.dtype.name == "bool":
        raise DTypeError(f"{op}: not supported for bool tensors")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeMismatchError(f"{op}: both arguments need at least 1 dim, got shapes "
                                 f"{list(a.shape)} and {list(b.shape)}")


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """torch.matmul: dot, matrix-vector, matrix and batched products."""
    _check(a, b, "matmul")
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        raise ShapeMismatchError(f"matmul: shapes {list(a.shape)} and {list(b.shape)} cannot "
                                 f"be multiplied ({ka} != {kb})")
    ba, bb = list(a.shape[:-2]), list(b.shape[:-2])
    for x, y in zip(reversed(ba), reversed(bb)):
        if x != y and 1 not in (x, y):
            raise ShapeMismatchError(f"matmul: shapes {list(a.shape)} and {list(b.shape)} cannot "
                                     f"be multiplied: batch dims {ba} and {bb} do not broadcast")
    if a.dtype in (dtypes.float16, dtypes.bfloat16):
        # The matmul kernel has no half-precision accumulator: multiply in float32 and round
        # once (as torch accumulates half products in float32).
        return cast(matmul(cast(a, dtypes.float32), cast(b, dtypes.float32)), a.dtype)
    a2 = unsqueeze(a, 0) if a.ndim == 1 else a
    b2 = unsqueeze(b, -1) if b.ndim == 1 else b
    out = Tensor._lazy("matmul", [a2, b2])
    shape = list(out.shape)
    if b.ndim == 1:
        shape.pop(-1)
    if a.ndim == 1:
        shape.pop(-2 if b.ndim > 1 else -1)
    return reshape(out, shape) if len(shape) != out.ndim else out


def mm(a: Tensor, b: Tensor) -> Tensor:
    _check(a, b, "mm")
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeMismatchError(f"mm: expected 2-D tensors, got shapes {list(a.shape)} and "
                                 f"{list(b.shape)}")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    _check(a, b, "bmm")
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ShapeMismatchError(f"bmm: expected 3-D tensors with one batch size, got shapes "
                                 f"{list(a.shape)} and {list(b.shape)}")
    return matmul(a, b)


def mv(a: Tensor, v: Tensor) -> Tensor:
    return matmul(a, v)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeMismatchError(f"dot: expected 1-D tensors, got shapes {list(a.shape)} and "
                                 f"{list(b.shape)}")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    from torsh.ops.elementwise import mul

    return mul(unsqueeze(a, 1), unsqueeze(b, 0))


__all__ = ["matmul", "mm", "bmm", "mv", "dot", "outer", "t"]
