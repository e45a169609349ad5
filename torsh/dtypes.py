"""PyTorch-style dtypes (``torsh.float32`` ...) and PyTorch's type promotion.

>>> import torsh
>>> torsh.result_type(torsh.zeros(2, dtype=torsh.int32), 1.5)
torsh.float32
"""

from __future__ import annotations

import builtins

import numpy as np

from torsh.errors import DTypeError
from torsh.ir.types import DType


class dtype:  # noqa: N801 - the PyTorch name
    """A tensor element type. Compare with ``==``; ``torsh.float32.is_floating_point``."""

    __slots__ = ("ir", "name", "itemsize")
    _by_ir: dict[DType, dtype] = {}

    def __init__(self, ir: DType, name: str):
        self.ir = ir
        self.name = name
        self.itemsize = ir.itemsize
        dtype._by_ir[ir] = self

    @property
    def is_floating_point(self) -> bool:
        return self.ir.is_float

    @property
    def is_signed(self) -> bool:
        return not self.ir.is_bool

    @property
    def numpy(self) -> np.dtype:
        """numpy dtype of this dtype's storage (bfloat16 is stored as uint16 bits)."""
        return np.dtype(np.uint16) if self.ir is DType.bf16 else self.ir.numpy

    def __repr__(self) -> str:
        return f"torsh.{self.name}"

    def __reduce__(self):
        return (_from_name, (self.name,))

    @staticmethod
    def of(ir: DType) -> dtype:
        return dtype._by_ir[ir]


def _from_name(name: str) -> dtype:
    return globals()[name]


float16 = dtype(DType.f16, "float16")
bfloat16 = dtype(DType.bf16, "bfloat16")
float32 = dtype(DType.f32, "float32")
float64 = dtype(DType.f64, "float64")
bool_ = dtype(DType.i1, "bool")
int8 = dtype(DType.i8, "int8")
int32 = dtype(DType.i32, "int32")
int64 = dtype(DType.i64, "int64")
half, float, double = float16, float32, float64  # noqa: A001 - PyTorch aliases
int, long = int32, int64  # noqa: A001

ALL = (float16, bfloat16, float32, float64, bool_, int8, int32, int64)
_default_float = float32


def get_default_dtype() -> dtype:
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise DTypeError(f"default dtype must be a floating point dtype, got {d!r}")
    _default_float = d


def as_dtype(d) -> dtype:
    """A torsh dtype from a torsh dtype, a numpy dtype/type, or a Python type."""
    if isinstance(d, dtype):
        return d
    if d is bool or d is np.bool_:
        return bool_
    if d is builtins.float:
        return _default_float
    if d is builtins.int:
        return int64
    try:
        nd = np.dtype(d)
    except TypeError:
        raise DTypeError(f"{d!r} is not a dtype torsh knows") from None
    try:
        return dtype.of(DType.from_numpy(nd))
    except ValueError:
        raise DTypeError(f"numpy dtype {nd} has no torsh equivalent (supported: "
                         f"{', '.join(x.name for x in ALL)})") from None


_CATEGORY = {DType.i1: 0, DType.i8: 1, DType.i32: 1, DType.i64: 1,
             DType.f16: 2, DType.bf16: 2, DType.f32: 2, DType.f64: 2}


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's promote_types: the smallest dtype both convert to without losing kind."""
    if a is b:
        return a
    ca, cb = _CATEGORY[a.ir], _CATEGORY[b.ir]
    if ca != cb:
        return a if ca > cb else b
    if {a.ir, b.ir} == {DType.f16, DType.bf16}:
        return float32
    return a if a.itemsize >= b.itemsize else b


def result_type(*operands) -> dtype:
    """PyTorch's result_type: dimensioned tensors outrank 0-d tensors, which outrank Python
    numbers, unless a lower tier has a higher category (bool < int < float)."""
    from torsh._tensor import Tensor

    tiers: list[dtype | None] = [None, None, None]  # dim tensors, 0-d tensors, scalars
    for x in operands:
        if isinstance(x, Tensor):
            tier, d = (0 if x.ndim else 1), x.dtype
        elif isinstance(x, (bool, np.bool_)):
            tier, d = 2, bool_
        elif isinstance(x, (builtins.int, np.integer)):
            tier, d = 2, int64
        elif isinstance(x, (builtins.float, np.floating)):
            tier, d = 2, _default_float
        else:
            raise DTypeError(f"cannot take the dtype of {type(x).__name__}")
        tiers[tier] = d if tiers[tier] is None else promote_types(tiers[tier], d)
    result = None
    for d in tiers:
        if d is None:
            continue
        if result is None:
            result = d
        elif _CATEGORY[d.ir] > _CATEGORY[result.ir]:
            # a lower tier of a higher category decides; Python floats use the default
            result = d
    return result
