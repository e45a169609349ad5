"""Reductions with PyTorch's dim/keepdim conventions, and the composite ones built from
them (var, std, logsumexp, softmax, log_softmax)."""

from __future__ import annotations

import builtins
from collections import namedtuple

from torsh import dtypes
from torsh._tensor import Tensor, _dim
from torsh.errors import DTypeError, InvalidArgumentError
from torsh.ops._core import cast, float_operand
from torsh.ops.elementwise import div, exp, log, mul, sqrt, sub

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _axes(x: Tensor, dim, op: str) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(x.ndim))
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    out = tuple(_dim(d, x.ndim, op) for d in dims)  # a 0-d tensor accepts dim 0 and -1
    if x.ndim == 0:
        return ()
    if len(set(out)) != len(out):
        raise InvalidArgumentError(f"{op}: dim {dim} repeats a dimension")
    return out


def _reduce(op: str, x: Tensor, dim, keepdim: bool) -> Tensor:
    return Tensor._lazy(op, [x], {"axes": _axes(x, dim, op), "keepdim": keepdim})


def sum(x: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    elif not x.dtype.is_floating_point:
        x = cast(x, dtypes.int64)  # as torch: integer and bool sums are int64
    return _reduce("sum", x, dim, keepdim)


def prod(x: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    elif not x.dtype.is_floating_point:
        x = cast(x, dtypes.int64)
    return _reduce("prod", x, dim, keepdim)


def mean(x: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    if not x.dtype.is_floating_point:
        raise DTypeError(f"mean: input dtype must be floating point, got {x.dtype!r} "
                         f"(use x.float().mean() or mean(dtype=torsh.float32))")
    return _reduce("mean", x, dim, keepdim)


def _extreme(op: str, x: Tensor, dim, keepdim: bool):
    if x.numel() == 0 and dim is None:
        raise InvalidArgumentError(f"{op}(): expected a non-empty tensor when no dim is given")
    if dim is None:
        return _reduce(op, x, None, False)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be an int (torch.{op} returns values and indices)")
    values = _reduce(op, x, dim, keepdim)
    indices = Tensor._lazy("arg" + op, [x], {"axis": _dim(dim, x.ndim, op),
                                            "keepdim": keepdim})
    return ValuesIndices(values, indices)


def max(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """max(x) -> the largest element; max(x, dim) -> (values, indices)."""
    if isinstance(dim, Tensor):
        from torsh.ops.elementwise import maximum

        return maximum(x, dim)
    return _extreme("max", x, dim, keepdim)


def min(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    if isinstance(dim, Tensor):
        from torsh.ops.elementwise import minimum

        return minimum(x, dim)
    return _extreme("min", x, dim, keepdim)


def amax(x: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    return _reduce("max", x, dim if dim != () else None, keepdim)


def amin(x: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    return _reduce("min", x, dim if dim != () else None, keepdim)


def _arg(op: str, x: Tensor, dim, keepdim: bool) -> Tensor:
    if dim is None:
        if x.numel() == 0:
            raise InvalidArgumentError(f"{op}(): expected a non-empty tensor")
        flat = Tensor._lazy("reshape", [x], {"shape": (x.numel(),)})
        out = Tensor._lazy(op, [flat], {"axis": 0, "keepdim": False})
        if keepdim:
            out = Tensor._lazy("reshape", [out], {"shape": (1,) * x.ndim})
        return out
    return Tensor._lazy(op, [x], {"axis": _dim(dim, x.ndim, op),
                                  "keepdim": keepdim})


def argmax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg("argmax", x, dim, keepdim)


def argmin(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg("argmin", x, dim, keepdim)


def var(x: Tensor, dim=None, *, correction: int = 1, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    if unbiased is not None:
        correction = 1 if unbiased else 0
    x = float_operand(x)
    axes = _axes(x, dim, "var")
    n = 1
    for a in axes:
        n *= x.shape[a]
    centered = sub(x, mean(x, axes, keepdim=True))
    ss = sum(mul(centered, centered), axes, keepdim=keepdim)
    return div(ss, builtins.max(n - correction, 0))


def std(x: Tensor, dim=None, *, correction: int = 1, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    return sqrt(var(x, dim, correction=correction, keepdim=keepdim, unbiased=unbiased))


def _empty_axis(x: Tensor, axes) -> bool:
    """Whether a reduction over ``axes`` has no elements per output (max/min reject that,
    so composites that shift by the max must not take it there)."""
    return x.ndim > 0 and builtins.any(x.shape[a] == 0 for a in axes)


def logsumexp(x: Tensor, dim, keepdim: bool = False) -> Tensor:
    x = float_operand(x)
    axes = _axes(x, dim, "logsumexp")
    if _empty_axis(x, axes):  # log of an empty sum: -inf, as torch
        return log(sum(exp(x), axes, keepdim=keepdim))
    m = _reduce("max", x, axes, True)
    # a row of -inf (or +inf) would give inf - inf = nan; shift by 0 there instead
    from torsh.ops.elementwise import isinf, where

    m = where(isinf(m), 0.0, m)
    out = log(sum(exp(sub(x, m)), axes, keepdim=True))
    out = Tensor._lazy("add", [out, m])
    if not keepdim:
        out = Tensor._lazy("reshape", [out], {"shape": tuple(
            d for i, d in enumerate(x.shape) if i not in axes)})
    return out


def softmax(x: Tensor, dim: int, dtype=None) -> Tensor:
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    x = float_operand(x)
    if _empty_axis(x, _axes(x, dim, "softmax")):  # no elements: nothing to shift
        return div(exp(x), sum(exp(x), dim, keepdim=True))
    e = exp(sub(x, _reduce("max", x, dim, True)))
    return div(e, sum(e, dim, keepdim=True))


def log_softmax(x: Tensor, dim: int, dtype=None) -> Tensor:
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    x = float_operand(x)
    if _empty_axis(x, _axes(x, dim, "log_softmax")):
        return sub(x, log(sum(exp(x), dim, keepdim=True)))
    shifted = sub(x, _reduce("max", x, dim, True))
    return sub(shifted, log(sum(exp(shifted), dim, keepdim=True)))


def all(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    b = cast(x, dtypes.bool_)
    if _empty_axis(b, _axes(b, dim, "all")):  # all() of nothing is True, as torch
        from torsh.ops.elementwise import eq, logical_not

        return eq(sum(logical_not(b), dim, keepdim), 0)
    return _reduce("min", b, dim, keepdim)


def any(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    b = cast(x, dtypes.bool_)
    if _empty_axis(b, _axes(b, dim, "any")):  # any() of nothing is False
        from torsh.ops.elementwise import ne

        return ne(sum(b, dim, keepdim), 0)
    return _reduce("max", b, dim, keepdim)


__all__ = ["sum", "prod", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "var",
           "std", "logsumexp", "softmax", "log_softmax", "all", "any", "ValuesIndices"]
