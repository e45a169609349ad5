"""Builder: the programmatic way to make IR. Every op of the table is a method.

>>> import numpy as np
>>> from torsh.ir import Builder, f32
>>> b = Builder()
>>> with b.func("main", [((2, 3), f32), ((3,), f32)]) as (x, y):
...     s = b.sum(b.add(x, y), axes=[1], keepdim=False)
...     b.ret(s)
>>> print(b.module.funcs[0].body.ops[1].result.type)
tensor<2xf32>
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from torsh.errors import TorshError
from torsh.ir.core import Block, DenseElements, Func, Module, Operation, Value
from torsh.ir.ops import OPS, with_defaults
from torsh.ir.types import DType, TensorType


def normalize_attr(value: Any) -> Any:
    """Python/numpy values -> the IR's attribute representation (tuples for arrays)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(normalize_attr(v) for v in value)
    return value


def as_type(spec) -> TensorType:
    """A TensorType, or a (shape, dtype) pair."""
    if isinstance(spec, TensorType):
        return spec
    shape, dtype = spec
    return TensorType(tuple(shape), dtype)


class Builder:
    """Appends ops to the current block of a module (a new module by default)."""

    def __init__(self, module: Module | None = None):
        self.module = module if module is not None else Module()
        self.block: Block | None = None
        self._func: Func | None = None

    @contextlib.contextmanager
    def func(self, name: str, arg_types: Sequence) -> Iterator[list[Value]]:
        """Open ``func.func @name``; call :meth:`ret` inside to finish it."""
        body = Block([as_type(t) for t in arg_types])
        f = Func(name, body, ())
        saved = (self.block, self._func)
        self.block, self._func = body, f
        try:
            yield list(body.args)
        finally:
            self.block, self._func = saved
        if f.return_op is None:
            raise ValueError(f"func @{name} was left without a return (call Builder.ret)")
        self.module.funcs.append(f)

    def ret(self, *values: Value) -> None:
        """Finish the open function, returning ``values``."""
        if self._func is None:
            raise ValueError("ret() outside of a func")
        self._func.result_types = tuple(v.type for v in values)
        self._insert(Operation("func.return", list(values), []))

    def _insert(self, op: Operation) -> Operation:
        if self.block is None:
            raise ValueError("no insertion block: open one with Builder.func(...)")
        return self.block.append(op)

    def op(self, name: str, operands: Sequence[Value], attrs: dict | None = None,
           result_type: TensorType | None = None) -> Value:
        """Append ``torsh.<name>``. Without ``result_type`` the type is inferred (and bad
        operands raise the typed error at once); with it, the op is taken as given and only
        the verifier checks it."""
        opdef = OPS.get(name)
        if opdef is None:
            raise ValueError(f"unknown op torsh.{name}")
        attrs = {k: normalize_attr(v) for k, v in (attrs or {}).items()}
        attrs = with_defaults(opdef, attrs)
        if result_type is None:
            try:
                result_type = opdef.infer([v.type for v in operands], attrs)
            except TorshError as e:
                raise type(e)(f"torsh.{name}: {e}") from None
            except KeyError as e:
                raise TypeError(f"torsh.{name}: missing attribute {e}") from None
        return self._insert(Operation(opdef.full_name, list(operands), [result_type], attrs)).result

    def constant(self, value, dtype: DType | None = None) -> Value:
        arr = np.asarray(value)
        if dtype is None:
            # numpy arrays keep their dtype; Python floats default to f32 as in PyTorch.
            python_float = not isinstance(value, (np.ndarray, np.generic)) and arr.dtype.kind == "f"
            dtype = DType.f32 if python_float else DType.from_numpy(arr.dtype)
        return self.op("constant", [], {"value": DenseElements(arr, TensorType(arr.shape, dtype))})

    def cast(self, x: Value, dtype: DType) -> Value:
        return self.op("cast", [x], {"dtype": dtype})

    def __getattr__(self, name: str):
        if name in OPS:
            def make(*operands: Value, **attrs) -> Value:
                return self.op(name, operands, attrs)

            make.__name__ = name
            make.__doc__ = OPS[name].doc
            return make
        raise AttributeError(name)
