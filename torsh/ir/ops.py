"""The op table: every torsh op is declared here once.

A row (:class:`OpDef`) gives the op's name, traits, arity, attributes, shape/dtype
inference and its numpy reference semantics (used by the interpreter, the oracle of every
compiled kernel). Later layers add their own per-op entries keyed by the same names
(codegen lowering, autodiff VJP rules), and tests assert that every op has every entry.

Inference raises :class:`torsh.ShapeMismatchError`, :class:`torsh.DTypeError` or
:class:`torsh.InvalidArgumentError` with a message that names the mismatch; the verifier
and the builder prefix it with the op.

>>> from torsh.ir.ops import OPS
>>> from torsh.ir.types import TensorType, f32
>>> str(OPS["add"].infer([TensorType((2, 1), f32), TensorType((3,), f32)], {}))
'tensor<2x3xf32>'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from torsh.errors import DTypeError, InvalidArgumentError, ShapeMismatchError
from torsh.ir.core import DenseElements
from torsh.ir.types import DType, TensorType, broadcast_shapes

REQUIRED = object()


@dataclass(frozen=True)
class AttrSpec:
    """kind: 'int', 'float', 'bool', 'str', 'ints' (array of ints), 'dtype', 'dense'."""

    kind: str
    default: Any = REQUIRED


@dataclass(frozen=True)
class OpDef:
    name: str
    traits: frozenset[str]
    arity: int | None  # None: variadic, at least one operand
    infer: Callable[[list[TensorType], dict], TensorType]
    ref: Callable[..., np.ndarray]
    attrs: dict[str, AttrSpec] = field(default_factory=dict)
    doc: str = ""

    @property
    def full_name(self) -> str:
        return "torsh." + self.name

    def has(self, trait: str) -> bool:
        return trait in self.traits


OPS: dict[str, OpDef] = {}


def _register(op: OpDef) -> OpDef:
    if op.name in OPS:
        raise ValueError(f"op {op.name} declared twice")
    OPS[op.name] = op
    return op


def lookup(full_name: str) -> OpDef | None:
    """The OpDef of ``torsh.<name>``, or None for names outside the torsh dialect."""
    if not full_name.startswith("torsh."):
        return None
    return OPS.get(full_name[6:])


# ---------------------------------------------------------------------------- dtype rules

def _fmt(types) -> str:
    return ", ".join(str(t) for t in types)


def _check_dtype(t: TensorType, rule: str, what: str = "operand") -> None:
    ok = {
        "float": t.dtype.is_float,
        "numeric": not t.dtype.is_bool,
        "bool": t.dtype.is_bool,
        "any": True,
    }[rule]
    if not ok:
        need = {"float": "a floating-point", "numeric": "a numeric (non-bool)",
                "bool": "a bool (i1)"}[rule]
        raise DTypeError(f"{what} dtype {t.dtype} is not {need} type")


def _same_dtype(types: list[TensorType]) -> DType:
    dts = {t.dtype for t in types}
    if len(dts) != 1:
        raise DTypeError(f"operands must have one dtype, got ({_fmt(types)})")
    return types[0].dtype


def _broadcast(types: list[TensorType]) -> tuple:
    shape = broadcast_shapes(*(t.shape for t in types))
    if shape is None:
        raise ShapeMismatchError(f"shapes ({_fmt(types)}) cannot be broadcast together")
    return shape


# ------------------------------------------------------------------------ elementwise ops

def _unary(name: str, rule: str, fn: Callable, doc: str, result: DType | None = None) -> None:
    def infer(types, attrs):
        _check_dtype(types[0], rule)
        return types[0] if result is None else types[0].with_dtype(result)

    _register(OpDef(name, frozenset({"elementwise", "unary", "pure"}), 1, infer,
                    lambda attrs, x: fn(x), doc=doc))


def _binary(name: str, rule: str, fn: Callable, doc: str, result: DType | None = None,
            commutative: bool = False) -> None:
    def infer(types, attrs):
        dtype = _same_dtype(types)
        _check_dtype(types[0], rule)
        return TensorType(_broadcast(types), dtype if result is None else result)

    traits = {"elementwise", "binary", "pure"} | ({"commutative"} if commutative else set())
    if result is DType.i1 and rule != "bool":
        traits.add("compare")
    _register(OpDef(name, frozenset(traits), 2, infer, lambda attrs, a, b: fn(a, b), doc=doc))


_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    """Error function elementwise (numpy has none); exact via math.erf."""
    return np.asarray(_erf(np.asarray(x, dtype=np.float64)), dtype=np.float64)  # 0-d: a float


def _sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                    np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


_unary("neg", "numeric", np.negative, "Negation, -x.")
_unary("abs", "numeric", np.abs, "Absolute value.")
_unary("sign", "numeric", np.sign, "Sign: -1, 0 or 1 (NaN stays NaN).")
_unary("relu", "numeric", lambda x: np.where(x > 0, x, np.zeros_like(x)) if x.dtype.kind in "iu"
       else np.where(np.isnan(x) | (x > 0), x, 0).astype(x.dtype), "max(x, 0).")
_unary("floor", "numeric", lambda x: x if x.dtype.kind in "iu" else np.floor(x), "Round down.")
_unary("ceil", "numeric", lambda x: x if x.dtype.kind in "iu" else np.ceil(x), "Round up.")
_unary("round", "numeric", lambda x: x if x.dtype.kind in "iu" else np.round(x),
       "Round half to even, as torch.round.")
_unary("exp", "float", np.exp, "e**x.")
_unary("log", "float", np.log, "Natural logarithm.")
_unary("log1p", "float", np.log1p, "log(1 + x), accurate near 0.")
_unary("expm1", "float", np.expm1, "exp(x) - 1, accurate near 0.")
_unary("sqrt", "float", np.sqrt, "Square root.")
_unary("rsqrt", "float", lambda x: 1 / np.sqrt(x), "1 / sqrt(x).")
_unary("sin", "float", np.sin, "Sine.")
_unary("cos", "float", np.cos, "Cosine.")
_unary("tanh", "float", np.tanh, "Hyperbolic tangent.")
_unary("sigmoid", "float", _sigmoid, "1 / (1 + exp(-x)).")
_unary("gelu", "float", lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))),
       "x * Phi(x) with the exact erf form (torch's default approximate='none').")
_unary("silu", "float", lambda x: x * _sigmoid(x), "x * sigmoid(x).")
_unary("erf", "float", erf, "Error function.")
_unary("not", "bool", np.logical_not, "Logical not of an i1 tensor.")

_binary("add", "numeric", np.add, "a + b with broadcasting.", commutative=True)
_binary("sub", "numeric", np.subtract, "a - b with broadcasting.")
_binary("mul", "numeric", np.multiply, "a * b with broadcasting.", commutative=True)
_binary("div", "float", np.divide, "True division a / b (floating point).")
_binary("pow", "float", np.power, "a ** b (floating point).")
_binary("maximum", "numeric", np.maximum, "Elementwise max; NaN propagates.", commutative=True)
_binary("minimum", "numeric", np.minimum, "Elementwise min; NaN propagates.", commutative=True)
_binary("and", "bool", np.logical_and, "Logical and of i1 tensors.", commutative=True)
_binary("or", "bool", np.logical_or, "Logical or of i1 tensors.", commutative=True)
_binary("xor", "bool", np.logical_xor, "Logical xor of i1 tensors.", commutative=True)
_binary("eq", "any", np.equal, "a == b -> i1.", result=DType.i1, commutative=True)
_binary("ne", "any", np.not_equal, "a != b -> i1.", result=DType.i1, commutative=True)
_binary("lt", "any", np.less, "a < b -> i1.", result=DType.i1)
_binary("le", "any", np.less_equal, "a <= b -> i1.", result=DType.i1)
_binary("gt", "any", np.greater, "a > b -> i1.", result=DType.i1)
_binary("ge", "any", np.greater_equal, "a >= b -> i1.", result=DType.i1)


def _infer_where(types, attrs):
    cond, a, b = types
    if not cond.dtype.is_bool:
        raise DTypeError(f"condition dtype {cond.dtype} is not i1")
    dtype = _same_dtype([a, b])
    return TensorType(_broadcast(types), dtype)


_register(OpDef("where", frozenset({"elementwise", "pure"}), 3, _infer_where,
                lambda attrs, c, a, b: np.where(c, a, b),
                doc="cond ? a : b, broadcasting all three."))


def _infer_cast(types, attrs):
    return types[0].with_dtype(attrs["dtype"])


def _ref_cast(attrs, x):
    dt: DType = attrs["dtype"]
    with np.errstate(all="ignore"):
        if dt.is_int and x.dtype.kind == "f":
            # float -> int truncates toward zero; NaN/inf/out-of-range become 0 here
            # (C leaves them undefined, so compiled code and this oracle agree on a choice).
            half = 2.0 ** (8 * dt.itemsize - 1)  # exact in float64: [-half, half) fits
            wide = x.astype(np.float64)
            ok = (wide >= -half) & (wide < half)
            return np.where(ok, np.trunc(np.where(ok, x, 0)), 0).astype(dt.numpy)
        if dt.is_bool:
            return x != 0
        return x.astype(dt.numpy)


_register(OpDef("cast", frozenset({"elementwise", "unary", "pure"}), 1, _infer_cast, _ref_cast,
                {"dtype": AttrSpec("dtype")}, "Convert to another dtype (float->int truncates)."))


def _infer_constant(types, attrs):
    value = attrs["value"]
    return value.type


_register(OpDef("constant", frozenset({"constant", "pure"}), 0, _infer_constant,
                lambda attrs: np.array(attrs["value"].array),
                {"value": AttrSpec("dense")}, "A constant tensor."))


# --------------------------------------------------------------------------- reductions

def _norm_axes(axes, rank: int, unique: bool = True) -> tuple[int, ...]:
    out = []
    for a in axes:
        if not -rank <= a < max(rank, 1):
            raise InvalidArgumentError(f"axis {a} is out of range for rank {rank}")
        out.append(a % rank if rank else 0)
    if unique and len(set(out)) != len(out):
        raise InvalidArgumentError(f"axes {tuple(axes)} repeat an axis")
    return tuple(out)


def _reduced_shape(t: TensorType, axes, keepdim: bool) -> tuple:
    if keepdim:
        return tuple(1 if i in axes else d for i, d in enumerate(t.shape))
    return tuple(d for i, d in enumerate(t.shape) if i not in axes)


def _reduction(name: str, rule: str, fn: Callable, doc: str) -> None:
    def infer(types, attrs):
        (t,) = types
        _check_dtype(t, rule)
        axes = _norm_axes(attrs["axes"], t.rank)
        if name in ("max", "min"):
            for a in axes:
                if t.rank and t.shape[a] == 0:  # rank 0: axis 0 is the scalar itself
                    raise InvalidArgumentError(f"cannot take {name} over empty axis {a} of {t}")
        return t.with_shape(_reduced_shape(t, axes, attrs["keepdim"]))

    def ref(attrs, x):
        axes = tuple(a % x.ndim for a in attrs["axes"]) if x.ndim else ()
        return fn(x, axis=axes, keepdims=attrs["keepdim"])

    _register(OpDef(name, frozenset({"reduction", "pure"}), 1, infer, ref,
                    {"axes": AttrSpec("ints"), "keepdim": AttrSpec("bool", False)}, doc))


_reduction("sum", "numeric", lambda x, axis, keepdims: np.sum(x, axis, x.dtype, keepdims=keepdims),
           "Sum over axes.")
_reduction("prod", "numeric",
           lambda x, axis, keepdims: np.prod(x, axis, x.dtype, keepdims=keepdims),
           "Product over axes.")
_reduction("mean", "float", lambda x, axis, keepdims: np.mean(x, axis, keepdims=keepdims),
           "Mean over axes (NaN for an empty axis).")
_reduction("max", "any", lambda x, axis, keepdims: np.max(x, axis, keepdims=keepdims),
           "Maximum over axes; NaN propagates.")
_reduction("min", "any", lambda x, axis, keepdims: np.min(x, axis, keepdims=keepdims),
           "Minimum over axes; NaN propagates.")


def _arg_reduction(name: str, fn: Callable) -> None:
    def infer(types, attrs):
        (t,) = types
        (axis,) = _norm_axes([attrs["axis"]], t.rank)
        if t.rank and t.shape[axis] == 0:
            raise InvalidArgumentError(f"cannot take {name} over empty axis {axis} of {t}")
        return TensorType(_reduced_shape(t, (axis,) if t.rank else (), attrs["keepdim"]), DType.i64)

    def ref(attrs, x):
        if x.ndim == 0:
            return np.array(0, np.int64)
        return fn(x, axis=attrs["axis"] % x.ndim, keepdims=attrs["keepdim"]).astype(np.int64)

    _register(OpDef(name, frozenset({"reduction", "pure"}), 1, infer, ref,
                    {"axis": AttrSpec("int"), "keepdim": AttrSpec("bool", False)},
                    f"Index of the first {name[3:]}imum along one axis (i64); NaN counts as "
                    f"the extreme."))


_arg_reduction("argmax", np.argmax)
_arg_reduction("argmin", np.argmin)


# ------------------------------------------------------------------------- contraction

def _infer_matmul(types, attrs):
    a, b = types
    dtype = _same_dtype(types)
    _check_dtype(a, "numeric")
    if a.rank < 2 or b.rank < 2:
        raise ShapeMismatchError(f"matmul operands must have rank >= 2, got ({_fmt(types)})")
    k1, k2 = a.shape[-1], b.shape[-2]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ShapeMismatchError(
            f"contraction dims differ: {a} has {k1} columns, {b} has {k2} rows")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    if batch is None:
        raise ShapeMismatchError(f"batch dims of ({_fmt(types)}) cannot be broadcast")
    return TensorType(batch + (a.shape[-2], b.shape[-1]), dtype)


_register(OpDef("matmul", frozenset({"contraction", "pure"}), 2, _infer_matmul,
                lambda attrs, a, b: np.matmul(a, b),
                doc="Batched matrix product; batch dims broadcast, both ranks >= 2."))


# ---------------------------------------------------------------------------- movement

def _infer_reshape(types, attrs):
    (t,) = types
    shape = tuple(attrs["shape"])
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"reshape target {list(shape)} has a negative dim")
    out = TensorType(shape, t.dtype)
    if t.is_static and out.numel != t.numel:
        raise ShapeMismatchError(f"cannot reshape {t} ({t.numel} elements) to {list(shape)} "
                                 f"({out.numel} elements)")
    return out


def _infer_permute(types, attrs):
    (t,) = types
    dims = tuple(attrs["dims"])
    if sorted(dims) != list(range(t.rank)):
        raise InvalidArgumentError(f"dims {list(dims)} is not a permutation of rank {t.rank}")
    return t.with_shape(tuple(t.shape[d] for d in dims))


def _infer_expand(types, attrs):
    (t,) = types
    shape = tuple(attrs["shape"])
    if len(shape) < t.rank:
        raise ShapeMismatchError(f"cannot expand {t} to fewer dims {list(shape)}")
    for i, d in enumerate(t.shape):
        o = shape[len(shape) - t.rank + i]
        if o < 0 or (d is not None and d != 1 and d != o):
            raise ShapeMismatchError(f"cannot expand {t} to {list(shape)}: dim {i} is {d}, "
                                     f"target is {o}")
    return t.with_shape(shape)


def _infer_slice(types, attrs):
    (t,) = types
    start, stop, step = (tuple(attrs[k]) for k in ("start", "stop", "step"))
    if not len(start) == len(stop) == len(step) == t.rank:
        raise InvalidArgumentError(f"slice of {t} needs {t.rank} start/stop/step values, got "
                                   f"{len(start)}/{len(stop)}/{len(step)}")
    out = []
    for i, (b, e, s, d) in enumerate(zip(start, stop, step, t.shape)):
        if s < 1 or b < 0 or e < b or (d is not None and e > d):
            raise InvalidArgumentError(f"bad slice {b}:{e}:{s} of dim {i} (size {d}) of {t}")
        out.append(-(-(e - b) // s))
    return t.with_shape(out)


def _infer_concat(types, attrs):
    dtype = _same_dtype(types)
    rank = types[0].rank
    if rank == 0:
        raise ShapeMismatchError("cannot concatenate 0-d tensors")
    (axis,) = _norm_axes([attrs["axis"]], rank)
    shape = list(types[0].shape)
    known = list(shape)  # each dim's size as far as any operand fixes it (checks only)
    total: int | None = 0
    for t in types:
        if t.rank != rank:
            raise ShapeMismatchError(f"concat operands differ in rank: ({_fmt(types)})")
        for i, (d, e) in enumerate(zip(known, t.shape)):
            if i != axis and d is not None and e is not None and d != e:
                raise ShapeMismatchError(f"concat operands differ in dim {i}: ({_fmt(types)})")
            known[i] = e if d is None else d
        total = None if total is None or t.shape[axis] is None else total + t.shape[axis]
    shape[axis] = total
    return TensorType(tuple(shape), dtype)


def _ref_slice(attrs, x):
    idx = tuple(slice(b, e, s) for b, e, s in zip(attrs["start"], attrs["stop"], attrs["step"]))
    return x[idx]


_register(OpDef("reshape", frozenset({"movement", "pure"}), 1, _infer_reshape,
                lambda attrs, x: np.reshape(x, attrs["shape"]), {"shape": AttrSpec("ints")},
                "Same elements in row-major order, new static shape."))
_register(OpDef("permute", frozenset({"movement", "pure"}), 1, _infer_permute,
                lambda attrs, x: np.transpose(x, attrs["dims"]), {"dims": AttrSpec("ints")},
                "Reorder dims: result dim i is operand dim dims[i]."))
_register(OpDef("expand", frozenset({"movement", "pure"}), 1, _infer_expand,
                lambda attrs, x: np.broadcast_to(x, attrs["shape"]), {"shape": AttrSpec("ints")},
                "Broadcast size-1 dims (and new leading dims) to a shape."))
_register(OpDef("slice", frozenset({"movement", "pure"}), 1, _infer_slice, _ref_slice,
                {"start": AttrSpec("ints"), "stop": AttrSpec("ints"), "step": AttrSpec("ints")},
                "Strided slice; per dim 0 <= start <= stop <= size and step >= 1."))
_register(OpDef("concat", frozenset({"movement", "pure"}), None, _infer_concat,
                lambda attrs, *xs: np.concatenate(xs, axis=attrs["axis"]),
                {"axis": AttrSpec("int")}, "Join tensors along an existing axis."))


def attr_kind_ok(kind: str, value: Any) -> bool:
    """Whether an attribute value has the representation of an AttrSpec kind."""
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, float)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "ints":
        return isinstance(value, tuple) and all(attr_kind_ok("int", v) for v in value)
    if kind == "dtype":
        return isinstance(value, DType)
    if kind == "dense":
        return isinstance(value, DenseElements)
    raise ValueError(f"unknown attribute kind {kind}")


def with_defaults(op: OpDef, attrs: dict) -> dict:
    """Attributes with the op's defaults filled in (the verifier checks presence/kinds)."""
    out = dict(attrs)
    for k, spec in op.attrs.items():
        if k not in out and spec.default is not REQUIRED:
            out[k] = spec.default
    return out


# ---------------------------------------------------------------------------- indexing

def _check_index(t: TensorType) -> None:
    if t.dtype not in (DType.i32, DType.i64):
        raise DTypeError(f"index dtype {t.dtype} is not i32 or i64")


def _infer_take(types, attrs):
    x, idx = types
    _check_index(idx)
    if x.rank == 0:
        raise ShapeMismatchError("cannot index into a 0-d tensor")
    (axis,) = _norm_axes([attrs["axis"]], x.rank)
    if x.shape[axis] == 0 and (idx.numel is None or idx.numel > 0):
        raise InvalidArgumentError(f"cannot take indices from empty axis {axis} of {x}")
    return x.with_shape(x.shape[:axis] + idx.shape + x.shape[axis + 1:])


def _ref_take(attrs, x, idx):
    axis = attrs["axis"] % x.ndim
    safe = np.clip(idx, 0, max(x.shape[axis] - 1, 0))  # out-of-range reads clamp
    return np.take(x, safe, axis=axis)


def _infer_gather(types, attrs):
    x, idx = types
    _check_index(idx)
    if x.rank != idx.rank:
        raise ShapeMismatchError(f"gather index {idx} must have the rank of the input {x}")
    (axis,) = _norm_axes([attrs["axis"]], max(x.rank, 1))
    for d, (a, b) in enumerate(zip(x.shape, idx.shape)):
        if d != axis and a is not None and b is not None and b > a:
            raise ShapeMismatchError(f"gather index {idx} is larger than the input {x} in "
                                     f"dim {d}")
    if x.rank and x.shape[axis] == 0 and (idx.numel is None or idx.numel > 0):
        raise InvalidArgumentError(f"cannot gather indices from empty axis {axis} of {x}")
    return idx.with_dtype(x.dtype)


def _ref_gather(attrs, x, idx):
    if x.ndim == 0:
        return x.copy()
    axis = attrs["axis"] % x.ndim
    safe = np.clip(idx, 0, max(x.shape[axis] - 1, 0))
    sub = x[tuple(slice(0, s) if d != axis else slice(None) for d, s in enumerate(idx.shape))]
    return np.take_along_axis(sub, safe, axis=axis)


_register(OpDef("take", frozenset({"indexing", "pure"}), 2, _infer_take, _ref_take,
                {"axis": AttrSpec("int")},
                "Select along one axis by an index tensor of any shape (numpy.take); "
                "out-of-range indices clamp."))
_register(OpDef("gather", frozenset({"indexing", "pure"}), 2, _infer_gather, _ref_gather,
                {"axis": AttrSpec("int")},
                "torch.gather: out[..i..] = x[..index[..i..]..] along axis; indices clamp."))


def _infer_insert_slice(types, attrs):
    (t,) = types
    shape = tuple(attrs["shape"])
    start, stop, step = (tuple(attrs[k]) for k in ("start", "stop", "step"))
    if not len(shape) == len(start) == len(stop) == len(step) == t.rank:
        raise InvalidArgumentError(f"insert_slice of {t} needs {t.rank} shape/start/stop/step "
                                   f"values")
    for i, (b, e, s, d, n) in enumerate(zip(start, stop, step, shape, t.shape)):
        if s < 1 or b < 0 or e < b or e > d:
            raise InvalidArgumentError(f"bad slice {b}:{e}:{s} of dim {i} (size {d})")
        if n is not None and -(-(e - b) // s) != n:
            raise ShapeMismatchError(f"slice {b}:{e}:{s} of dim {i} has {-(-(e - b) // s)} "
                                     f"elements but the operand {t} has {n}")
    return t.with_shape(shape)


def _ref_insert_slice(attrs, x):
    out = np.zeros(attrs["shape"], dtype=x.dtype)
    out[tuple(slice(b, e, s) for b, e, s in zip(attrs["start"], attrs["stop"],
                                                 attrs["step"]))] = x
    return out


_register(OpDef("insert_slice", frozenset({"movement", "pure"}), 1, _infer_insert_slice,
                _ref_insert_slice,
                {"shape": AttrSpec("ints"), "start": AttrSpec("ints"), "stop": AttrSpec("ints"),
                 "step": AttrSpec("ints")},
                "Zeros of `shape` with the operand written at the strided slice (the "
                "adjoint of slice)."))
