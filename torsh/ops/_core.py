"""Helpers every front-end op uses: scalars as constants, casts, PyTorch promotion."""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from torsh import dtypes
from torsh._tensor import Tensor
from torsh.errors import DTypeError, ShapeMismatchError
from torsh.ir.core import DenseElements
from torsh.ir.types import TensorType

Scalar = (numbers.Number, np.bool_, np.number)


_CONSTANTS: dict = {}


def constant(value, dtype: dtypes.dtype) -> Tensor:
    """A 0-d constant node (folded into the kernels that read it). Its attribute is shared
    between nodes of the same value and dtype (attributes are never mutated)."""
    # float.hex keeps -0.0 apart from 0.0 and makes NaN equal to itself
    key = (dtype, type(value), value.hex() if isinstance(value, float) else value)
    try:
        dense = _CONSTANTS.get(key)
    except TypeError:  # an unhashable scalar type
        key, dense = None, None
    if dense is None:
        arr = np.array(value).astype(dtype.ir.numpy)
        dense = DenseElements(arr, TensorType((), dtype.ir))
        if key is not None:
            if len(_CONSTANTS) > 4096:
                _CONSTANTS.clear()
            _CONSTANTS[key] = dense
    return Tensor._lazy("constant", [], {"value": dense})


def cast(x: Tensor, dtype: dtypes.dtype) -> Tensor:
    return x if x.dtype is dtype else Tensor._lazy("cast", [x], {"dtype": dtype.ir})


def lift(x, dtype: dtypes.dtype) -> Tensor:
    """A tensor operand of ``dtype`` from a tensor or a Python/numpy scalar."""
    if isinstance(x, Tensor):
        return cast(x, dtype)
    if isinstance(x, Scalar):
        return constant(x, dtype)
    raise TypeError(f"expected a tensor or a number, got {type(x).__name__}")


def check_operand(x, op: str) -> None:
    if not isinstance(x, (Tensor, *Scalar)):
        raise TypeError(f"{op}: unsupported operand type {type(x).__name__}")


# (op, kind, operand types or scalar classes, default dtype) -> (op, operand dtype) of the
# node to build: the checks below depend on nothing else, and a training step makes
# hundreds of binary nodes of a few such signatures.
_BINARY_PLANS: dict = {}


def binary(op: str, a, b, kind: str = "arith") -> Tensor:
    """A broadcasting binary op with PyTorch promotion.

    kind: 'arith' (result in the promoted dtype), 'float' (ints promote to the default
    float, as true division), 'compare' (compute in the promoted dtype, result bool),
    'logical' (operands as bool)."""
    key = (op, kind, a._type if isinstance(a, Tensor) else type(a),
           b._type if isinstance(b, Tensor) else type(b), dtypes.get_default_dtype())
    plan = _BINARY_PLANS.get(key)
    if plan is None:
        plan = _binary_plan(op, a, b, kind)  # raises the typed errors
        if len(_BINARY_PLANS) > 8192:
            _BINARY_PLANS.clear()
        _BINARY_PLANS[key] = plan
    op, dt = plan
    return Tensor._lazy(op, [lift(a, dt), lift(b, dt)])


def _binary_plan(op: str, a, b, kind: str) -> tuple[str, dtypes.dtype]:
    check_operand(a, op)
    check_operand(b, op)
    if op == "sub" and any(isinstance(x, (bool, np.bool_)) or (isinstance(x, Tensor) and
                                                             x.dtype is dtypes.bool_)
                           for x in (a, b)):
        # as torch: a bool operand of '-' is an error, whatever the other operand is
        raise DTypeError("subtraction with a bool operand is not supported; use "
                         "logical_xor, ~ or logical_not instead")
    if kind == "logical":
        dt = dtypes.bool_
    else:
        dt = dtypes.result_type(a, b)
        if kind == "float" and not dt.is_floating_point:
            dt = dtypes.get_default_dtype()
        if kind == "arith" and dt is dtypes.bool_ and op in ("add", "mul"):
            return _binary_plan("or" if op == "add" else "and", a, b, "logical")
    check_broadcast(op, a, b)
    return op, dt


def check_broadcast(op: str, *operands) -> None:
    """PyTorch-worded broadcasting error naming the op, both shapes and the dim."""
    shapes = [tuple(x.shape) for x in operands if isinstance(x, Tensor)]
    if len(shapes) < 2:
        return
    rank = builtins.max(len(s) for s in shapes)
    for i in range(1, rank + 1):
        sizes = {s[-i] for s in shapes if len(s) >= i and s[-i] != 1}
        if len(sizes) > 1:
            listed = " and ".join(str(list(s)) for s in shapes)
            raise ShapeMismatchError(f"{op}: shapes {listed} cannot be broadcast: sizes "
                                     f"{' vs '.join(map(str, sorted(sizes)))} at dim {-i}")


def float_operand(x: Tensor) -> Tensor:
    """Integer and bool inputs of float-only ops promote to the default float dtype."""
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a tensor, got {type(x).__name__}")
    return x if x.dtype.is_floating_point else cast(x, dtypes.get_default_dtype())


def shape_arg(shape) -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and torsh.Size."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    out = []
    for d in shape:
        if isinstance(d, Tensor):
            d = builtins.int(d)
        if not isinstance(d, (builtins.int, np.integer)) or isinstance(d, builtins.bool):
            raise TypeError(f"shape entries must be ints, got {d!r}")
        out.append(builtins.int(d))
    return tuple(out)
