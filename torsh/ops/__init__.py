"""The front-end op set; also installs the Tensor methods and operators."""

from __future__ import annotations

import builtins

from torsh import dtypes
from torsh._tensor import Tensor
from torsh.ops import creation, elementwise, linalg, reduce, shape
from torsh.ops._core import cast
from torsh.ops.creation import *  # noqa: F401,F403
from torsh.ops.elementwise import *  # noqa: F401,F403
from torsh.ops.linalg import *  # noqa: F401,F403
from torsh.ops.reduce import *  # noqa: F401,F403
from torsh.ops.shape import *  # noqa: F401,F403

E, R, S, L = elementwise, reduce, shape, linalg


def _to(self: Tensor, *args, **kwargs) -> Tensor:
    """x.to(dtype), x.to("cpu"), x.to(other_tensor)."""
    target = kwargs.get("dtype")
    for a in list(args) + [kwargs.get("device")]:
        if isinstance(a, Tensor):
            target = a.dtype
        elif a in (None, "cpu") or getattr(a, "type", None) == "cpu":
            continue
        elif isinstance(a, str) or hasattr(a, "type"):  # a device other than the CPU
            creation._check_device(a)
        else:
            target = a
    return self if target is None else cast(self, dtypes.as_dtype(target))


def _swap(fn):
    return lambda self, other: fn(other, self)


def _shape_method(fn):
    return lambda self, *shape: fn(self, *shape)


_METHODS = {
    # elementwise
    "add": E.add, "sub": E.sub, "mul": E.mul, "div": E.div, "pow": E.pow, "neg": E.neg,
    "abs": E.abs, "sign": E.sign, "floor": E.floor, "ceil": E.ceil, "round": E.round,
    "trunc": E.trunc, "relu": E.relu, "exp": E.exp, "log": E.log, "log1p": E.log1p,
    "expm1": E.expm1, "sqrt": E.sqrt, "rsqrt": E.rsqrt, "sin": E.sin, "cos": E.cos,
    "tanh": E.tanh, "sigmoid": E.sigmoid, "silu": E.silu, "erf": E.erf, "gelu": E.gelu,
    "log2": E.log2, "log10": E.log10, "reciprocal": E.reciprocal, "square": E.square,
    "clamp": E.clamp, "clip": E.clamp, "maximum": E.maximum, "minimum": E.minimum,
    "eq": E.eq, "ne": E.ne, "lt": E.lt, "le": E.le, "gt": E.gt, "ge": E.ge,
    "logical_and": E.logical_and, "logical_or": E.logical_or, "logical_xor": E.logical_xor,
    "logical_not": E.logical_not, "isnan": E.isnan, "isinf": E.isinf, "isfinite": E.isfinite,
    "remainder": E.remainder, "floor_divide": E.floor_divide, "lerp": E.lerp,
    "where": lambda self, cond, other: E.where(cond, self, other),
    # reductions
    "sum": R.sum, "mean": R.mean, "prod": R.prod, "max": R.max, "min": R.min,
    "amax": R.amax, "amin": R.amin, "argmax": R.argmax, "argmin": R.argmin, "var": R.var,
    "std": R.std, "logsumexp": R.logsumexp, "softmax": R.softmax,
    "log_softmax": R.log_softmax, "all": R.all, "any": R.any,
    # movement
    "reshape": _shape_method(S.reshape), "view": _shape_method(S.reshape),
    "permute": _shape_method(S.permute), "expand": _shape_method(S.expand),
    "transpose": S.transpose, "swapaxes": S.transpose, "t": S.t, "squeeze": S.squeeze,
    "unsqueeze": S.unsqueeze, "expand_as": S.expand_as, "flatten": S.flatten,
    "unflatten": S.unflatten, "contiguous": S.contiguous, "narrow": S.narrow,
    "split": S.split, "chunk": S.chunk, "unbind": S.unbind, "select": S.select,
    "index_select": S.index_select, "gather": S.gather,
    "view_as": lambda self, other: S.reshape(self, other.shape),
    "reshape_as": lambda self, other: S.reshape(self, other.shape),
    # linear algebra
    "matmul": L.matmul, "mm": L.mm, "bmm": L.bmm, "mv": L.mv, "dot": L.dot,
    # casts
    "to": _to, "type_as": lambda self, other: cast(self, other.dtype),
    "float": lambda self: cast(self, dtypes.float32),
    "double": lambda self: cast(self, dtypes.float64),
    "half": lambda self: cast(self, dtypes.float16),
    "bfloat16": lambda self: cast(self, dtypes.bfloat16),
    "long": lambda self: cast(self, dtypes.int64),
    "int": lambda self: cast(self, dtypes.int32),
    "bool": lambda self: cast(self, dtypes.bool_),
    # operators
    "__add__": E.add, "__radd__": _swap(E.add), "__sub__": E.sub, "__rsub__": _swap(E.sub),
    "__mul__": E.mul, "__rmul__": _swap(E.mul), "__truediv__": E.div,
    "__rtruediv__": _swap(E.div), "__floordiv__": E.floor_divide,
    "__rfloordiv__": _swap(E.floor_divide), "__mod__": E.remainder,
    "__rmod__": _swap(E.remainder), "__pow__": E.pow, "__rpow__": _swap(E.pow),
    "__matmul__": L.matmul, "__rmatmul__": _swap(L.matmul), "__neg__": E.neg,
    "__pos__": lambda self: self, "__abs__": E.abs, "__invert__": E.bitwise_not,
    "__eq__": E.eq, "__ne__": E.ne, "__lt__": E.lt, "__le__": E.le, "__gt__": E.gt,
    "__ge__": E.ge, "__and__": E.bitwise_and, "__rand__": _swap(E.bitwise_and),
    "__or__": E.bitwise_or, "__ror__": _swap(E.bitwise_or), "__xor__": E.bitwise_xor,
    "__rxor__": _swap(E.bitwise_xor), "__getitem__": S.getitem,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

# In-place operators rebind the name to a new lazy node (torsh tensors are values).
for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
            "xor"):
    setattr(Tensor, f"__i{_op}__", getattr(Tensor, f"__{_op}__"))

Tensor.T = property(lambda self: S.permute(self, list(builtins.range(self.ndim))[::-1]))
Tensor.mT = property(lambda self: S.transpose(self, -2, -1))

__all__ = sorted(set(creation.__all__) | set(elementwise.__all__) | set(linalg.__all__)
                 | set(reduce.__all__) | set(shape.__all__))
