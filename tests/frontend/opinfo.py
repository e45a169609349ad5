"""The OpInfo table of the front-end correctness tests.

Every op of the front end (issue 4's list) has one ``OpInfo`` row: the torsh call, a numpy
reference with PyTorch's semantics (result dtype included), the input dtypes it is tested
on, the dtypes it must reject with ``torsh.DTypeError``, and a sample generator. Samples
cover ordinary values, 0-d tensors, empty tensors (a size-0 dim), broadcasting pairs,
non-contiguous inputs (transposes, permutes, strided slices and expands of a realized
tensor, made with torsh ops) and NaN/Inf/-0.0 for floats.

An op is written once as ``op(L, *args, **kwargs)`` where ``L`` is the library (torsh or,
for the cross-check, torch); inputs are ``Arg`` objects (the data of a realized leaf plus
the view applied to it) converted per library by ``to_torsh``/``to_numpy``/``to_torch``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tests.frontend.references import (
    ALL,
    FLOATS,
    INTS,
    NUMERIC,
    arg_ref,
    binary_ref,
    bool_arith,
    cast_ref,
    clamp_ref,
    extreme_ref,
    float_unary_ref,
    logsumexp_ref,
    matmul_ref,
    np_chunk,
    np_erf,
    np_gather,
    np_index_select,
    np_relu,
    np_sigmoid,
    np_split,
    np_squeeze,
    pow_ref,
    reduce_ref,
    same_unary_ref,
    softmax_ref,
    tensor_default_dtype,
    var_ref,
    where_ref,
)
from tests.frontend.samples import (
    Arg,
    D,
    Sample,
    arg,
    binary_samples,
    cast_samples,
    cat_samples,
    gather_samples,
    index_samples,
    index_select_samples,
    matmul_samples,
    reduction_samples,
    shapes_samples,
    special,
    stack_samples,
    unary_samples,
)


@dataclass(frozen=True)
class OpInfo:
    name: str
    op: Callable  # op(L, *args, **kwargs) with L = torsh (or torch)
    ref: Callable  # numpy reference with torch semantics: ref(*arrays, **kwargs)
    dtypes: tuple[str, ...]
    samples: Callable[[str, np.random.Generator], list[Sample]]
    rejects: tuple[str, ...] = ()  # input dtypes that raise torsh.DTypeError
    torch: bool = True  # whether op(torch, ...) is a valid cross-check of the reference
    torch_special: bool = True  # torch agrees on NaN/Inf (False: documented difference)
    torch_dtypes: tuple[str, ...] | None = None  # dtypes torch accepts, if not all
    rtol: dict[str, float] = field(default_factory=dict)  # looser rtol per dtype (why: row)
    interp: bool = True  # whether to compare with the reference interpreter

    def sample_list(self, dtype: str) -> list[Sample]:
        seed = sum(map(ord, self.name + dtype))
        return self.samples(dtype, np.random.default_rng(seed))


def fn(L, name: str):
    """``L.name``, or ``L.nn.functional.name`` (torch keeps gelu/silu there)."""
    f = getattr(L, name, None)
    return f if f is not None else getattr(L.nn.functional, name)


# --------------------------------------------------------------------------- special rows

def float_unary(name, f, domain="real", fname=None, **kw) -> OpInfo:
    """A float-only math op: floats keep their dtype; ints and bools promote to float32."""
    return OpInfo(name, lambda L, x: fn(L, fname or name)(x), float_unary_ref(f), ALL,
                  unary_samples(domain), **kw)


def _movement(name, op, samples, ref=None, dtypes=ALL) -> OpInfo:
    """Movement ops: numpy and torch share the spelling, so one lambda is op and ref."""
    return OpInfo(name, op, ref if ref is not None else (lambda *a, **k: op(np, *a, **k)),
                  dtypes, samples)


def _operator(op):
    """An op row's call for a Python operator: op(L, a, b) = op(a, b)."""
    return lambda L, *args: op(*args)


def _named(name: str):
    """An op row's call for a library function: L.name(*args)."""
    return lambda L, *args: getattr(L, name)(*args)


def _array_ref(f):
    return lambda *args: np.asarray(f(*(np.asarray(a) for a in args)))


def _truth_ref(f):
    """logical_and/or/xor: operands are true when nonzero (NaN too)."""
    return lambda a, b: f(np.asarray(a) != 0, np.asarray(b) != 0)


def _creation(name, op, ref, samples) -> OpInfo:
    return OpInfo(name, op, ref, ("-",), lambda dtype, rng: samples, interp=False)


# ------------------------------------------------------------------------------ the table

OPS: list[OpInfo] = [
    # -- elementwise arithmetic (operators and functions)
    OpInfo("add", lambda L, a, b: a + b, bool_arith(np.add, np.logical_or), ALL,
           binary_samples()),
    OpInfo("add_alpha", lambda L, a, b: L.add(a, b, alpha=2),
           binary_ref(lambda x, y: x + 2 * y), NUMERIC, binary_samples(scalars=())),
    OpInfo("sub", lambda L, a, b: a - b, binary_ref(np.subtract), NUMERIC,
           binary_samples(scalars=(2, 2.5)), rejects=("bool",)),
    OpInfo("mul", lambda L, a, b: a * b, bool_arith(np.multiply, np.logical_and), ALL,
           binary_samples()),
    OpInfo("div", lambda L, a, b: a / b, binary_ref(np.divide, "float"), ALL,
           binary_samples()),
    OpInfo("floor_divide", lambda L, a, b: a // b, binary_ref(np.floor_divide), NUMERIC,
           binary_samples(rhs="nonzero", scalars=(2, -2.5), with_special=False)),
    OpInfo("remainder", lambda L, a, b: a % b, binary_ref(np.remainder), NUMERIC,
           binary_samples(rhs="nonzero", scalars=(3, -2.5), with_special=False),
           rejects=("bool",)),
    OpInfo("pow", lambda L, a, b: a ** b, pow_ref, NUMERIC,
           binary_samples(lhs="positive", rhs="exponent", scalars=(2, 0.5))),
    OpInfo("pow_special", lambda L, a, b: a ** b, pow_ref, FLOATS,
           lambda dt, rng: [s for s in binary_samples()(dt, rng) if s.special]
           + [Sample((arg(rng, dt, (2, 3)), 2), desc="neg-base-int-exp"),
              Sample((arg(rng, dt, (2, 3)), 0.5), desc="neg-base-frac-exp")]),
    OpInfo("maximum", lambda L, a, b: L.maximum(a, b), binary_ref(np.maximum), NUMERIC,
           binary_samples(scalars=()), rejects=("bool",)),
    OpInfo("minimum", lambda L, a, b: L.minimum(a, b), binary_ref(np.minimum), NUMERIC,
           binary_samples(scalars=()), rejects=("bool",)),
    # -- comparisons and logical ops
    *[OpInfo(n, _operator(op), binary_ref(op, "compare"), ALL, binary_samples())
      for n, op in (("eq", lambda a, b: a == b), ("ne", lambda a, b: a != b),
                    ("lt", lambda a, b: a < b), ("le", lambda a, b: a <= b),
                    ("gt", lambda a, b: a > b), ("ge", lambda a, b: a >= b))],
    *[OpInfo(n, _named(n), _truth_ref(f), ALL, binary_samples(scalars=()))
      for n, f in (("logical_and", np.logical_and), ("logical_or", np.logical_or),
                   ("logical_xor", np.logical_xor))],
    *[OpInfo(n, _operator(op), _array_ref(op), ("bool",),
             binary_samples(scalars=(True, False)), rejects=NUMERIC)
      for n, op in (("and", lambda a, b: a & b), ("or", lambda a, b: a | b),
                    ("xor", lambda a, b: a ^ b))],
    OpInfo("invert", lambda L, x: ~x, np.logical_not, ("bool",), unary_samples(),
           rejects=NUMERIC),
    OpInfo("logical_not", lambda L, x: L.logical_not(x), lambda x: np.asarray(x) == 0, ALL,
           unary_samples()),
    *[OpInfo(n, _named(n), _array_ref(f), ALL, unary_samples())
      for n, f in (("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite))],
    OpInfo("where", lambda L, c, a, b: L.where(c, a, b), where_ref, ALL,
           lambda dt, rng: [
               Sample((arg(rng, "bool", (2, 3)), arg(rng, dt, (2, 3)), arg(rng, dt, (2, 3))),
                      desc="same"),
               Sample((arg(rng, "bool", (2, 1)), arg(rng, dt, (3,)), arg(rng, dt, ())),
                      desc="bcast"),
               Sample((arg(rng, "bool", (4, 3), "T"), arg(rng, dt, (4, 3), "expand"), 0.5),
                      desc="noncontig-scalar"),
               Sample((arg(rng, "bool", (0, 2)), arg(rng, dt, (2,)), 1), desc="empty")]),
    OpInfo("clamp", lambda L, x, lo, hi: L.clamp(x, lo, hi), clamp_ref, NUMERIC,
           lambda dt, rng: [
               Sample((arg(rng, dt, (2, 3)), -1, 2), desc="ints"),
               Sample((arg(rng, dt, (2, 3)), -1.5, 0.5), desc="floats"),
               Sample((arg(rng, dt, (2, 3)), None, 0), desc="max-only"),
               Sample((arg(rng, dt, (2, 3)), 3, 1), desc="min>max"),
               Sample((arg(rng, dt, (2, 3)), arg(rng, dt, (3,)), arg(rng, dt, (2, 1))),
                      desc="tensors"),
               Sample((arg(rng, dt, (3, 4), "real", "T"), 0, None), desc="transposed")]
           + ([Sample((Arg(special(dt)), -1.0, 1.0), desc="special", special=True)]
              if dt in FLOATS else [])),
    # -- unary elementwise
    OpInfo("neg", lambda L, x: -x, same_unary_ref(np.negative), NUMERIC, unary_samples(),
           rejects=("bool",)),
    OpInfo("abs", lambda L, x: x.abs(), same_unary_ref(np.abs), NUMERIC, unary_samples(),
           rejects=("bool",)),
    # torsh's op table documents sign(NaN) = NaN (numpy's answer); torch 2.x returns 0 there
    OpInfo("sign", lambda L, x: x.sign(), same_unary_ref(np.sign), NUMERIC, unary_samples(),
           rejects=("bool",), torch_special=False),
    OpInfo("floor", lambda L, x: x.floor(), same_unary_ref(np.floor), NUMERIC,
           unary_samples(), rejects=("bool",)),
    OpInfo("ceil", lambda L, x: x.ceil(), same_unary_ref(np.ceil), NUMERIC, unary_samples(),
           rejects=("bool",)),
    OpInfo("round", lambda L, x: x.round(), same_unary_ref(np.round), NUMERIC,
           lambda dt, rng: unary_samples()(dt, rng) + (
               [Sample((Arg(np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 1e7 + 0.5],
                                     dtype=dt)),), desc="half-to-even")]
               if dt in FLOATS else []), rejects=("bool",)),
    OpInfo("relu", lambda L, x: x.relu(), same_unary_ref(np_relu), NUMERIC, unary_samples(),
           rejects=("bool",)),
    OpInfo("trunc", lambda L, x: x.trunc(), same_unary_ref(np.trunc), NUMERIC,
           unary_samples(large=False)),
    OpInfo("square", lambda L, x: x.square(), same_unary_ref(np.square), NUMERIC,
           unary_samples(large=False)),
    float_unary("exp", np.exp),
    float_unary("log", np.log, "positive"),
    float_unary("log_special", np.log, fname="log"),  # negative inputs: NaN
    float_unary("log1p", np.log1p, "positive"),
    float_unary("expm1", np.expm1),
    float_unary("sqrt", np.sqrt, "positive"),
    float_unary("rsqrt", lambda x: 1.0 / np.sqrt(x), "positive"),
    float_unary("sin", np.sin),
    float_unary("cos", np.cos),
    float_unary("tanh", np.tanh),
    float_unary("sigmoid", np_sigmoid),
    float_unary("erf", np_erf),
    # torch's vectorized gelu/silu give NaN at +inf (0 * inf inside); the exact formulas
    # (and torsh) give +inf, so the torch cross-check skips the special-value sample.
    # (torch also refuses integer input there, where torsh promotes like exp and tanh.)
    float_unary("gelu", lambda x: 0.5 * x * (1.0 + np_erf(x / math.sqrt(2.0))),
                torch_special=False, torch_dtypes=FLOATS),
    float_unary("silu", lambda x: x * np_sigmoid(x), torch_special=False, torch_dtypes=FLOATS),
    float_unary("reciprocal", lambda x: 1.0 / x, "nonzero"),
    float_unary("log2", np.log2, "positive"),
    # -- reductions
    OpInfo("sum", lambda L, x, **k: x.sum(**k), reduce_ref(np.sum, "sum"), ALL,
           reduction_samples()),
    OpInfo("mean", lambda L, x, **k: x.mean(**k), reduce_ref(np.mean, "same"), FLOATS,
           reduction_samples(), rejects=INTS + ("bool",)),
    OpInfo("prod", lambda L, x, **k: x.prod(**k), reduce_ref(np.prod, "sum"), ALL,
           reduction_samples(dims=(None, 0, -1, 2, 1), domain="unit")),
    OpInfo("amax", lambda L, x, **k: x.amax(**k), reduce_ref(np.max, "same"), ALL,
           reduction_samples(empty_reduce=False)),
    OpInfo("amin", lambda L, x, **k: x.amin(**k), reduce_ref(np.min, "same"), ALL,
           reduction_samples(empty_reduce=False)),
    OpInfo("max", lambda L, x, **k: x.max(**k), extreme_ref("max"), NUMERIC,
           reduction_samples(dims=(None, 0, -1, 2, 1), empty_reduce=False)),
    OpInfo("min", lambda L, x, **k: x.min(**k), extreme_ref("min"), NUMERIC,
           reduction_samples(dims=(None, 0, -1, 2, 1), empty_reduce=False)),
    OpInfo("argmax", lambda L, x, **k: x.argmax(**k), arg_ref("max"), NUMERIC,
           reduction_samples(dims=(None, 0, -1, 2, 1), empty_reduce=False)),
    OpInfo("argmin", lambda L, x, **k: x.argmin(**k), arg_ref("min"), NUMERIC,
           reduction_samples(dims=(None, 0, -1, 2, 1), empty_reduce=False)),
    OpInfo("var", lambda L, x, **k: x.var(**k), var_ref(False), FLOATS, reduction_samples()),
    OpInfo("std", lambda L, x, **k: x.std(**k), var_ref(True), FLOATS, reduction_samples()),
    OpInfo("var_correction0", lambda L, x, **k: x.var(**k, correction=0),
           lambda x, **k: var_ref(False)(x, **k, correction=0), FLOATS,
           reduction_samples(special=False)),
    OpInfo("logsumexp", lambda L, x, dim, keepdim=False: L.logsumexp(x, dim, keepdim),
           logsumexp_ref, FLOATS + INTS, reduction_samples(dims=(0, 1, -1, (0, 2), 2))),
    # In float16/bfloat16 torsh rounds after every op of the composite (exp, max, sub,
    # sum, div: its documented half-precision semantics, like torch eager composing them),
    # torch's fused softmax rounds once: allow three roundings of the half dtype.
    OpInfo("softmax", lambda L, x, dim, keepdim=None: L.softmax(x, dim), softmax_ref(False),
           FLOATS, reduction_samples(dims=(0, 1, -1, 2, 1)),
           rtol={"float16": 3e-3, "bfloat16": 4.8e-2}),
    OpInfo("log_softmax", lambda L, x, dim, keepdim=None: L.log_softmax(x, dim),
           softmax_ref(True), FLOATS, reduction_samples(dims=(0, 1, -1, 2, 1))),
    OpInfo("all", lambda L, x, **k: x.all(**k), reduce_ref(np.all, "bool"), ALL,
           reduction_samples(dims=(None, 0, -1, 2, 1), domain="unit")),
    OpInfo("any", lambda L, x, **k: x.any(**k), reduce_ref(np.any, "bool"), ALL,
           reduction_samples(dims=(None, 0, -1, 2, 1), domain="unit")),
    # -- linear algebra
    OpInfo("matmul", lambda L, a, b: a @ b, matmul_ref, NUMERIC, matmul_samples,
           rejects=("bool",)),
    OpInfo("matmul_fn", lambda L, a, b: L.matmul(a, b), matmul_ref, FLOATS, matmul_samples),
    OpInfo("mm", lambda L, a, b: L.mm(a, b), matmul_ref, NUMERIC,
           lambda dt, rng: [s for s in matmul_samples(dt, rng)
                            if all(x.shape.__len__() == 2 for x in s.args)],
           rejects=("bool",)),
    OpInfo("bmm", lambda L, a, b: L.bmm(a, b), matmul_ref, NUMERIC,
           lambda dt, rng: [
               Sample((arg(rng, dt, (2, 2, 3)), arg(rng, dt, (2, 3, 4))), desc="3d"),
               Sample((arg(rng, dt, (3, 2, 2), "real", "permute"), arg(rng, dt, (3, 2, 1))),
                      desc="permuted"),
               Sample((arg(rng, dt, (0, 2, 3)), arg(rng, dt, (0, 3, 1))), desc="empty")],
           rejects=("bool",)),
    _movement("T", lambda L, x: x.T, shapes_samples(
        ((2, 3), "", {}, "2d"), ((3,), "", {}, "1d"), ((), "", {}, "0d"),
        ((3, 4), "T", {}, "transposed")), ref=lambda x: np.asarray(x).T),
    _movement("mT", lambda L, x: x.mT, shapes_samples(
        ((2, 3, 4), "", {}, "3d"), ((2, 3), "", {}, "2d"), ((3, 4, 2), "permute", {}, "perm")),
        ref=lambda x: np.swapaxes(x, -1, -2)),
    _movement("transpose", lambda L, x, a, b: x.transpose(a, b), shapes_samples(
        ((2, 3, 4), "", (0, 2), "0-2"), ((2, 3, 4), "", (-1, -2), "neg"),
        ((3,), "", (0, 0), "1d"), ((), "", (0, -1), "0d"), ((0, 3), "", (0, 1), "empty")),
        ref=lambda x, a, b: np.swapaxes(x, a, b) if np.ndim(x) else np.asarray(x)),
    _movement("t", lambda L, x: x.t(), shapes_samples(
        ((2, 3), "", {}, "2d"), ((3,), "", {}, "1d")), ref=lambda x: np.asarray(x).T),
    # -- movement
    _movement("reshape", lambda L, x, *s: x.reshape(s), shapes_samples(
        ((2, 3, 4), "", (3, -1), "infer"), ((), "", (1, 1), "0d"), ((5, 0), "", (0, 5), "empty"),
        ((3, 4), "T", (-1,), "transposed"), ((2, 3, 4), "permute", (4, 6), "permuted"),
        ((3, 4), "slice", (2, 6), "sliced"), ((4, 3), "expand", (12,), "expanded"),
        ((2, 3), "", (6, 1, 1), "unit-dims"), ((1,), "", (), "to-0d"))),
    _movement("view", lambda L, x, *s: x.view(*s), shapes_samples(
        ((2, 3, 4), "", (6, 4), "2d"), ((2, 3), "", (-1,), "flat")),
        ref=lambda x, *s: np.reshape(x, s)),
    _movement("permute", lambda L, x, *d: x.permute(d), shapes_samples(
        ((2, 3, 4), "", (2, 0, 1), "3d"), ((2, 3, 4), "", (-1, 0, 1), "neg"),
        ((2, 0, 3), "", (1, 2, 0), "empty"), ((), "", (), "0d"),
        ((3, 4), "T", (1, 0), "transposed")),
        ref=lambda x, *d: np.transpose(x, d) if d else np.asarray(x)),
    _movement("squeeze", lambda L, x, *d: x.squeeze(*d), shapes_samples(
        ((1, 3, 1), "", (), "all"), ((1, 3, 1), "", (0,), "dim0"), ((1, 3, 1), "", (1,), "noop"),
        ((1, 3, 1), "", (-1,), "neg"), ((), "", (), "0d"), ((), "", (0,), "0d-dim"),
        ((1, 0, 1), "", (), "empty")),
        ref=np_squeeze),
    _movement("unsqueeze", lambda L, x, d: x.unsqueeze(d), shapes_samples(
        ((2, 3), "", (0,), "front"), ((2, 3), "", (-1,), "back"), ((2, 3), "", (1,), "mid"),
        ((), "", (0,), "0d"), ((3, 2), "T", (1,), "transposed")),
        ref=lambda x, d: np.expand_dims(x, d)),
    _movement("expand", lambda L, x, *s: x.expand(*s), shapes_samples(
        ((3, 1), "", (2, 3, 4), "new-dims"), ((3, 1), "", (-1, 4), "minus-one"),
        ((), "", (2, 2), "0d"), ((3, 1), "", (3, 0), "to-empty"),
        ((3, 1), "T", (3, 5), "transposed")),
        ref=lambda x, *s: np.broadcast_to(
            x, tuple(np.shape(x)[i - len(s) + np.ndim(x)] if d == -1 else d
                     for i, d in enumerate(s)))),
    _movement("flatten", lambda L, x, *a: x.flatten(*a), shapes_samples(
        ((2, 3, 4), "", (), "all"), ((2, 3, 4), "", (1,), "from1"), ((2, 3, 4), "", (0, 1), "0-1"),
        ((), "", (), "0d"), ((3, 4, 2), "permute", (), "permuted")),
        ref=lambda x, s=0, e=-1: np.reshape(x, (1,)) if np.ndim(x) == 0 else np.reshape(
            x, np.shape(x)[:s] + (-1,) + np.shape(x)[e % np.ndim(x) + 1:])),
    _movement("contiguous", lambda L, x: x.contiguous(), shapes_samples(
        ((3, 4), "T", {}, "transposed"), ((2, 3), "", {}, "plain")),
        ref=lambda x: np.ascontiguousarray(x)),
    _movement("cat", lambda L, xs, d: L.cat(list(xs), d), cat_samples,
              ref=lambda xs, d: np.concatenate(xs, d)),
    _movement("stack", lambda L, xs, d: L.stack(list(xs), d), stack_samples,
              ref=lambda xs, d: np.stack(xs, d)),
    _movement("split", lambda L, x, s, d: x.split(s, d), shapes_samples(
        ((2, 5), "", (2, 1), "size"), ((2, 5), "", ([1, 4], 1), "sections"),
        ((5, 2), "T", (3, 0), "transposed"), ((0, 5), "", (2, 0), "empty")),
        ref=lambda x, s, d: np_split(x, s, d)),
    _movement("chunk", lambda L, x, c, d: x.chunk(c, d), shapes_samples(
        ((2, 5), "", (3, 1), "3"), ((2, 5), "", (6, 1), "more-than-size"),
        ((4, 2), "T", (2, 0), "transposed")),
        ref=lambda x, c, d: np_chunk(x, c, d)),
    _movement("getitem", lambda L, x, i: x[i], index_samples,
              ref=lambda x, i: np.asarray(x)[i]),
    _movement("gather", lambda L, x, d, i: L.gather(x, d, i), gather_samples,
              ref=np_gather),
    _movement("index_select", lambda L, x, d, i: L.index_select(x, d, i),
              index_select_samples, ref=np_index_select),
    _movement("narrow", lambda L, x, d, s, n: x.narrow(d, s, n), shapes_samples(
        ((2, 5), "", (1, 1, 3), "dim1"), ((4, 3), "T", (0, 2, 1), "transposed")),
        ref=lambda x, d, s, n: np.take(x, range(s, s + n), axis=d)),
    # -- casts (.to(dtype), .float(), .long() ... are tested one by one in test_tensor.py)
    # float -> int of NaN/inf/out-of-range is 0 in torsh (documented); torch: garbage
    OpInfo("to", lambda L, x, d: x.to(d), lambda x, d: cast_ref(x, d), ALL, cast_samples,
           torch_special=False),
    # -- creation (no tensor inputs; numpy's answer with torch's default dtypes)
    _creation("arange", lambda L, *a, **k: L.arange(*a, **k),
              lambda *a, dtype=None: np.arange(*a).astype(dtype or (
                  "int64" if all(isinstance(v, int) for v in a) else "float32")),
              [Sample((5,)), Sample((2, 9, 3)), Sample((5, 0, -2)), Sample((0,)),
               Sample((0.0, 1.0, 0.25)), Sample((0, 3), {"dtype": D("float64")}),
               Sample((1, 4), {"dtype": D("int32")})]),
    _creation("linspace", lambda L, *a, **k: L.linspace(*a, **k),
              lambda *a, dtype="float32": np.linspace(*a).astype(dtype),
              [Sample((0, 1, 7)), Sample((-2.0, 3.0, 1)), Sample((0, 1, 0)),
               Sample((1, 0, 5), {"dtype": D("float64")})]),
    _creation("eye", lambda L, *a, **k: L.eye(*a, **k),
              lambda *a, dtype="float32": np.eye(*a).astype(dtype),
              [Sample((3,)), Sample((2, 4)), Sample((0,)),
               Sample((3,), {"dtype": D("int64")}), Sample((2,), {"dtype": D("bool")})]),
    _creation("full", lambda L, s, v, **k: L.full(s, v, **k),
              lambda s, v, dtype=None: np.full(s, v, dtype=dtype or (
                  "bool" if isinstance(v, bool) else "int64" if isinstance(v, int)
                  else "float32")),
              [Sample(((2, 3), 1.5)), Sample(((2,), 7)), Sample(((2, 2), True)),
               Sample(((), 3.0)), Sample(((0, 4), 1.0)),
               Sample(((3,), 2), {"dtype": D("float64")})]),
    _creation("zeros", lambda L, *s, **k: L.zeros(*s, **k),
              lambda *s, dtype="float32": np.zeros(
                  s[0] if s and isinstance(s[0], tuple) else s, dtype=dtype),
              [Sample((2, 3)), Sample(((2, 3),)), Sample(((),)), Sample((0, 2)),
               Sample((3,), {"dtype": D("int32")}), Sample((2,), {"dtype": D("bool")})]),
    _creation("ones", lambda L, *s, **k: L.ones(*s, **k),
              lambda *s, dtype="float32": np.ones(
                  s[0] if s and isinstance(s[0], tuple) else s, dtype=dtype),
              [Sample((2, 3)), Sample(((4,),)), Sample(((),)), Sample((1, 0)),
               Sample((3,), {"dtype": D("int64")}), Sample((2,), {"dtype": D("float64")})]),
    _creation("tensor", lambda L, d, **k: L.tensor(d, **k),
              lambda d, dtype=None: np.array(d, dtype=dtype or tensor_default_dtype(d)),
              [Sample(([1.0, 2.5],)), Sample(([[1, 2], [3, 4]],)), Sample(([True, False],)),
               Sample((3.5,)), Sample((7,)), Sample(([],)), Sample(([[], []],)),
               Sample(([1, 2.5],)), Sample(([1, 2], ), {"dtype": D("float64")}),
               Sample(([1.7, -1.7], ), {"dtype": D("int32")}),
               Sample((np.float64(1.5),)), Sample((np.int32(3),)),
               Sample((np.arange(6, dtype=np.int32).reshape(2, 3),))]),
]


BY_NAME: dict[str, OpInfo] = {o.name: o for o in OPS}
assert len(BY_NAME) == len(OPS), "duplicate OpInfo names"


# float64 and int32 run the same code paths as float32 and int64 with another element
# type; they skip the samples that only vary the layout again (time budget of the suite).
SECONDARY = ("float64", "int32")
SECONDARY_SKIP = {"permuted", "sliced", "expanded", "bcast3d", "0d-lhs", "0d-0d",
                  "empty-bcast", "expand-permute", "0d-dim", "empty-kept", "1d-3d", "3d-1d",
                  "T-rhs", "expand-rhs", "scalar-lhs-2", "scalar-lhs-2.5", "scalar-lhs-True"}


def cases(dtypes_filter: Callable[[OpInfo, str], bool] = lambda o, d: True,
          all_samples: bool = False) -> list:
    """pytest params (op, dtype, sample) over the table."""
    import pytest

    out = []
    for o in OPS:
        for dt in o.dtypes:
            if not dtypes_filter(o, dt):
                continue
            for s in o.sample_list(dt):
                if all_samples or dt not in SECONDARY or s.desc not in SECONDARY_SKIP:
                    out.append(pytest.param(o, dt, s, id=f"{o.name}-{dt}-{s.desc or 'x'}"))
    return out
