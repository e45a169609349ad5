"""The reference interpreter: runs a function op by op with numpy, using each op's
reference semantics from the op table. Small and slow on purpose; it is the oracle that
compiled kernels are tested against.

>>> import numpy as np
>>> from torsh.ir import Builder, f32, interpret
>>> b = Builder()
>>> with b.func("main", [((2, 2), f32)]) as (x,):
...     b.ret(b.sum(x, axes=[0]))
>>> interpret(b.module, np.ones((2, 2), np.float32))
array([2., 2.], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from torsh.errors import DTypeError, ShapeMismatchError, TorshError
from torsh.ir.bf16 import round_to_bf16
from torsh.ir.core import Module, Value
from torsh.ir.ops import lookup, with_defaults
from torsh.ir.types import DType, TensorType


def interpret(module: Module, *inputs, func: str | None = None):
    """Run ``func`` (default: the first function) on numpy inputs.

    Returns one array for a single result, else a tuple of arrays."""
    f = module.get(func) if func is not None else module.funcs[0]
    if len(inputs) != len(f.args):
        raise TypeError(f"@{f.name} takes {len(f.args)} input(s), got {len(inputs)}")
    env: dict[Value, np.ndarray] = {}
    for i, (arg, x) in enumerate(zip(f.args, inputs)):
        env[arg] = _check_input(i, arg.type, x)
    for op in f.body.ops:
        args = [env[v] for v in op.operands]
        if op.name == "func.return":
            return args[0] if len(args) == 1 else tuple(args)
        if op.name == "func.call":
            out = interpret(module, *args, func=op.attributes["callee"].name)
            for r, a in zip(op.results, out if len(op.results) > 1 else (out,)):
                env[r] = a
            continue
        opdef = lookup(op.name)
        if opdef is None:
            raise TorshError(f"the interpreter does not know op {op.name}")
        with np.errstate(all="ignore"):
            out = opdef.ref(with_defaults(opdef, op.attributes), *args)
        env[op.result] = _as_result(out, op.result.type)
    raise TorshError(f"@{f.name} has no return")


def _check_input(i: int, t: TensorType, x) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        x = np.asarray(x, dtype=t.dtype.numpy)
    if x.dtype != t.dtype.numpy:
        raise DTypeError(f"input #{i} has dtype {x.dtype}, expected {t.dtype.numpy} for {t}")
    if len(x.shape) != t.rank or any(d is not None and d != s for d, s in zip(t.shape, x.shape)):
        raise ShapeMismatchError(f"input #{i} has shape {x.shape}, expected {t}")
    return round_to_bf16(x) if t.dtype is DType.bf16 else x


def _as_result(out, t: TensorType) -> np.ndarray:
    arr = np.asarray(out)
    if arr.dtype != t.dtype.numpy:
        with np.errstate(all="ignore"):
            arr = arr.astype(t.dtype.numpy)
    if t.dtype is DType.bf16:
        arr = round_to_bf16(arr)
    return np.ascontiguousarray(arr).reshape(arr.shape)  # ascontiguousarray alone makes 0-d 1-d
