"""Elementwise ops with PyTorch names, broadcasting and type promotion."""

from __future__ import annotations

import math

import numpy as np

from torsh import dtypes
from torsh._tensor import Tensor
from torsh.errors import DTypeError
from torsh.ops._core import (
    binary,
    cast,
    check_broadcast,
    check_operand,
    constant,
    float_operand,
    lift,
)


def add(a, b, *, alpha=1) -> Tensor:
    return binary("add", a, b if alpha == 1 else mul(b, alpha))


def sub(a, b, *, alpha=1) -> Tensor:
    return binary("sub", a, b if alpha == 1 else mul(b, alpha))


def mul(a, b) -> Tensor:
    return binary("mul", a, b)


def div(a, b, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is None:
        return binary("div", a, b, "float")
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', "
                         f"got {rounding_mode!r}")
    dt = dtypes.result_type(a, b)
    if dt.is_floating_point:
        q = binary("div", a, b, "float")
    else:
        # Integer quotients divide in float64, which is exact for |values| < 2**53 (all of
        # int32); the default float32 would round operands above 2**24.
        check_operand(a, "div")
        check_operand(b, "div")
        q = binary("div", lift(a, dtypes.float64), lift(b, dtypes.float64))
    q = floor(q) if rounding_mode == "floor" else trunc(q)
    return cast(q, dt)


true_divide = divide = div
multiply, subtract = mul, sub


def floor_divide(a, b) -> Tensor:
    return div(a, b, rounding_mode="floor")


def remainder(a, b) -> Tensor:
    """Python-style modulo (sign of the divisor), as torch.remainder."""
    dt = dtypes.result_type(a, b)
    q = floor_divide(a, b)  # in dt; exact for integers (see div)
    return sub(lift(a, dt), mul(q, lift(b, dt)))


def pow(a, b) -> Tensor:  # noqa: A001
    dt = dtypes.result_type(a, b)
    if dt.is_floating_point:
        return binary("pow", a, b)
    # integer powers: computed exactly in float64 for the magnitudes int64 can hold
    wide = binary("pow", lift(a, dtypes.float64), lift(b, dtypes.float64))
    return cast(round(wide), dt)


def neg(x: Tensor) -> Tensor:
    if x.dtype is dtypes.bool_:
        raise DTypeError("negation of a bool tensor is not supported; use logical_not")
    return Tensor._lazy("neg", [x])


negative = neg


def _unary(op: str, x: Tensor, floats_only: bool = False) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a tensor, got {type(x).__name__}")
    if floats_only:
        x = float_operand(x)
    elif x.dtype is dtypes.bool_:
        raise DTypeError(f"{op}: not supported for bool tensors")
    return Tensor._lazy(op, [x])


def abs(x):  # noqa: A001
    return _unary("abs", x)


def sign(x):
    return _unary("sign", x)


def floor(x):
    return _unary("floor", x)


def ceil(x):
    return _unary("ceil", x)


def round(x, decimals: int = 0):  # noqa: A001
    if decimals == 0:
        return _unary("round", x)
    scale = 10.0 ** decimals
    return div(_unary("round", mul(x, scale)), scale)


def trunc(x):
    if not x.dtype.is_floating_point:
        return x
    return where(lt(x, 0), ceil(x), floor(x))


def relu(x):
    return _unary("relu", x)


def _float_unary(op):
    def fn(x: Tensor) -> Tensor:
        return _unary(op, x, floats_only=True)

    fn.__name__ = op
    fn.__doc__ = f"Elementwise {op}; integer inputs promote to the default float dtype."
    return fn


exp, log, log1p, expm1 = (_float_unary(n) for n in ("exp", "log", "log1p", "expm1"))
sqrt, rsqrt, sin, cos = (_float_unary(n) for n in ("sqrt", "rsqrt", "sin", "cos"))
tanh, sigmoid, silu, erf = (_float_unary(n) for n in ("tanh", "sigmoid", "silu", "erf"))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    if approximate == "none":
        return _unary("gelu", x, floats_only=True)
    if approximate == "tanh":
        x = float_operand(x)
        inner = mul(add(x, mul(pow(x, 3), 0.044715)), math.sqrt(2 / math.pi))
        return mul(mul(x, 0.5), add(tanh(inner), 1))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def log2(x):
    return mul(log(x), 1 / math.log(2))


def log10(x):
    return mul(log(x), 1 / math.log(10))


def exp2(x):
    return exp(mul(float_operand(x), math.log(2)))


def reciprocal(x):
    return div(1.0, float_operand(x))


def square(x):
    return mul(x, x)


def tan(x):
    return div(sin(x), cos(x))


def maximum(a, b):
    return binary("maximum", a, b)


def minimum(a, b):
    return binary("minimum", a, b)


def clamp(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    dt = dtypes.result_type(x, *(v for v in (min, max) if v is not None))
    out = cast(x, dt)
    if min is not None:
        out = maximum(out, lift(min, dt))
    if max is not None:
        out = minimum(out, lift(max, dt))
    return out


clip = clamp


def where(cond, a, b) -> Tensor:
    check_operand(a, "where")
    check_operand(b, "where")
    if not isinstance(cond, Tensor):
        raise TypeError("where: condition must be a tensor")
    dt = dtypes.result_type(a, b)
    check_broadcast("where", cond, a, b)
    return Tensor._lazy("where", [cast(cond, dtypes.bool_), lift(a, dt), lift(b, dt)])


def _compare(op):
    def fn(a, b) -> Tensor:
        return binary(op, a, b, "compare")

    fn.__name__ = op
    return fn


eq, ne, lt, le, gt, ge = (_compare(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
greater, greater_equal, less, less_equal = gt, ge, lt, le
not_equal = ne


def logical_and(a, b):
    return binary("and", a, b, "logical")


def logical_or(a, b):
    return binary("or", a, b, "logical")


def logical_xor(a, b):
    return binary("xor", a, b, "logical")


def logical_not(x: Tensor) -> Tensor:
    return Tensor._lazy("not", [cast(x, dtypes.bool_)])


def bitwise_not(x: Tensor) -> Tensor:
    if x.dtype is not dtypes.bool_:
        raise DTypeError("bitwise_not (~) is only supported for bool tensors in torsh")
    return logical_not(x)


def _bool_operands(op: str, a, b) -> None:
    """& | ^ are bitwise in PyTorch; torsh has no integer bit ops, so they take bools only
    (on ints a logical result would silently differ from torch's bitwise one)."""
    check_operand(a, op)
    check_operand(b, op)
    for x in (a, b):
        d = x.dtype if isinstance(x, Tensor) else None
        if (d is not None and d is not dtypes.bool_) or (d is None and not isinstance(
                x, (bool, np.bool_))):
            name = d if d is not None else type(x).__name__
            raise DTypeError(f"{op} (& | ^) is only supported for bool operands in torsh, got "
                             f"{name}; use logical_and/logical_or/logical_xor for a truth test")


def bitwise_and(a, b) -> Tensor:
    _bool_operands("bitwise_and", a, b)
    return logical_and(a, b)


def bitwise_or(a, b) -> Tensor:
    _bool_operands("bitwise_or", a, b)
    return logical_or(a, b)


def bitwise_xor(a, b) -> Tensor:
    _bool_operands("bitwise_xor", a, b)
    return logical_xor(a, b)


def isnan(x: Tensor) -> Tensor:
    return ne(x, x) if x.dtype.is_floating_point else _full_like_bool(x, False)


def isinf(x: Tensor) -> Tensor:
    if not x.dtype.is_floating_point:
        return _full_like_bool(x, False)
    return eq(abs(x), float("inf"))


def isfinite(x: Tensor) -> Tensor:
    if not x.dtype.is_floating_point:
        return _full_like_bool(x, True)
    return logical_not(logical_or(isnan(x), isinf(x)))


def _full_like_bool(x: Tensor, value: bool) -> Tensor:
    return Tensor._lazy("expand", [constant(value, dtypes.bool_)], {"shape": tuple(x.shape)})


def lerp(a, b, weight):
    return add(a, mul(weight, sub(b, a)))


__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "annotations", "math", "np", "dtypes", "DTypeError", "Scalar", "binary", "cast",
    "check_broadcast", "check_operand", "constant", "float_operand", "lift", "Tensor")]
