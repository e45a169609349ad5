"""Hypothesis strategies for torsh.ir: random *valid* modules built through the Builder.

``modules()`` draws 1-3 functions with random argument types (0-d, size-0, size-1 and
dynamic dims, every dtype), then a random sequence of ops chosen among *all* of
``torsh.ir.OPS``. Each op has a generator in ``GENERATORS`` that picks operands from the
values defined so far (or makes a constant of a fitting type) and draws attributes the op
accepts, so the Builder's inference never rejects what is drawn. A test asserts that
``GENERATORS`` covers the op table, so a new op cannot be left out of the round-trip test.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from torsh.ir import (
    OPS,
    Builder,
    DType,
    Module,
    TensorType,
    Value,
    bf16,
    broadcast_shapes,
    f16,
    f32,
    f64,
    i1,
    i8,
    i32,
    i64,
)

DTYPES = (f32, f64, f16, bf16, i1, i8, i32, i64)
FLOATS = (f32, f64, f16, bf16)
INTS = (i32, i8, i64)
NUMERIC = FLOATS + INTS

SIZES = st.sampled_from([1, 2, 3, 0, 4])  # shrinks towards 1
LARGE_SHAPES = st.sampled_from([(257,), (17, 16), (3, 7, 13), (2, 150)])  # > 256 elements

_NP = {f16: np.float16, bf16: np.float32, f32: np.float32, f64: np.float64, i1: np.bool_,
       i8: np.int8, i32: np.int32, i64: np.int64}


def elements(dtype: DType) -> st.SearchStrategy:
    """Element values of ``dtype``, NaN, +-Inf, -0.0 and extremes included."""
    special = st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1.0])
    if dtype is f16:
        return st.floats(width=16) | special | st.just(65504.0)
    if dtype in (bf16, f32):
        return st.floats(width=32) | special
    if dtype is f64:
        return st.floats() | special | st.sampled_from([5e-324, -1.7976931348623157e308])
    if dtype is i1:
        return st.booleans()
    info = np.iinfo(_NP[dtype])
    return st.integers(int(info.min), int(info.max)) | st.sampled_from([0, 1, -1])


@st.composite
def dims(draw, rank: int, dynamic: bool = True) -> tuple:
    if not dynamic:
        return tuple(draw(SIZES) for _ in range(rank))
    return tuple(draw(SIZES | st.none()) for _ in range(rank))


@st.composite
def tensor_types(draw, dtypes=DTYPES, min_rank: int = 0, max_rank: int = 4,
                 dynamic: bool = True) -> TensorType:
    rank = draw(st.integers(min_rank, max_rank))
    return TensorType(draw(dims(rank, dynamic)), draw(st.sampled_from(dtypes)))


@st.composite
def arrays(draw, dtype: DType, shape: tuple) -> np.ndarray:
    """A numpy array holding values of ``dtype`` (bf16 values are held in float32): a splat,
    element-by-element hypothesis values (small arrays), or numpy random values from a drawn
    seed with a few drawn special values (NaN, Inf, -0.0, extremes) at drawn places, which
    keeps large constants cheap to draw."""
    kind = draw(st.sampled_from(["elements", "splat", "seeded"]))
    n = int(np.prod(shape))
    if kind == "splat":
        return np.full(shape, draw(elements(dtype)), _NP[dtype])
    if kind == "elements" and n <= 64:
        return draw(hnp.arrays(_NP[dtype], shape, elements=elements(dtype)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype.is_float:
        scale = 10.0 ** rng.integers(-8, 9, shape)
        with np.errstate(over="ignore"):  # f16 overflows to inf: fine, a value like any
            arr = (rng.standard_normal(shape) * scale).astype(_NP[dtype])
    elif dtype is i1:
        arr = rng.random(shape) < 0.5
    else:
        info = np.iinfo(_NP[dtype])
        arr = rng.integers(info.min, info.max, shape, dtype=_NP[dtype], endpoint=True)
    arr = np.array(arr, _NP[dtype])  # writable, right dtype (also for 0-d)
    for _ in range(draw(st.integers(0, 3)) if n else 0):
        arr.flat[draw(st.integers(0, n - 1))] = draw(elements(dtype))
    return arr


@st.composite
def dense_types(draw, dtypes=DTYPES, shape: tuple | None = None) -> TensorType:
    """A static type for a constant: usually small, sometimes large (hex-printed)."""
    dtype = draw(st.sampled_from(dtypes))
    if shape is None:
        if draw(st.integers(0, 9)) == 0:
            shape = draw(LARGE_SHAPES)
        else:
            shape = draw(dims(draw(st.integers(0, 3)), dynamic=False))
    return TensorType(shape, dtype)


class Ctx:
    """The state of one function being drawn: the builder and the values defined so far."""

    def __init__(self, draw, b: Builder, pool: list[Value]):
        self.draw, self.b, self.pool = draw, b, pool

    def constant(self, t: TensorType) -> Value:
        assert t.is_static, t
        v = self.b.constant(self.draw(arrays(t.dtype, t.shape)), dtype=t.dtype)
        self.pool.append(v)
        return v

    def pick(self, dtypes=DTYPES, ok: Callable[[TensorType], bool] = lambda t: True,
             make: Callable[[], TensorType] | None = None) -> Value:
        """An existing value whose type passes ``ok``, or a new constant of type ``make()``."""
        found = [v for v in self.pool if v.type.dtype in dtypes and ok(v.type)]
        if found and self.draw(st.integers(0, 3)) > 0:
            return self.draw(st.sampled_from(found))
        t = make() if make is not None else self.draw(dense_types(dtypes))
        return self.constant(t)

    def pick_broadcastable(self, dtype: DType, *others: Value) -> Value:
        """A value of ``dtype`` that broadcasts with all of ``others``."""
        shapes = [o.type.shape for o in others]
        return self.pick(
            (dtype,), lambda t: broadcast_shapes(t.shape, *shapes) is not None,
            lambda: TensorType(self.draw(broadcastable_shape(broadcast_shapes(*shapes))), dtype))


@st.composite
def broadcastable_shape(draw, shape: tuple) -> tuple:
    """A static shape that broadcasts with ``shape`` (some trailing dims, 1s, new dims)."""
    keep = draw(st.integers(0, len(shape)))
    out = []
    for d in shape[len(shape) - keep:]:
        if d is None or d == 1:
            out.append(draw(st.sampled_from([1, 3, 2])))
        else:
            out.append(draw(st.sampled_from([d, 1])))
    lead = draw(st.lists(SIZES, max_size=2)) if keep == len(shape) else []
    return tuple(lead) + tuple(out)


# ------------------------------------------------------------------------- op generators

def _unary(dtypes):
    def gen(ctx: Ctx, name: str) -> Value:
        return ctx.b.op(name, [ctx.pick(dtypes)])
    return gen


def _binary(dtypes):
    def gen(ctx: Ctx, name: str) -> Value:
        a = ctx.pick(dtypes)
        c = ctx.pick_broadcastable(a.type.dtype, a)
        pair = [a, c] if ctx.draw(st.booleans()) else [c, a]
        return ctx.b.op(name, pair)
    return gen


def gen_where(ctx: Ctx, name: str) -> Value:
    a = ctx.pick()
    cond = ctx.pick_broadcastable(i1, a)
    other = ctx.pick_broadcastable(a.type.dtype, a, cond)
    x, y = (a, other) if ctx.draw(st.booleans()) else (other, a)
    return ctx.b.op(name, [cond, x, y])


def gen_cast(ctx: Ctx, name: str) -> Value:
    return ctx.b.cast(ctx.pick(), ctx.draw(st.sampled_from(DTYPES)))


def gen_constant(ctx: Ctx, name: str) -> Value:
    return ctx.constant(ctx.draw(dense_types()))


def _signed_axis(draw, axis: int, rank: int) -> int:
    return axis - rank if rank and draw(st.booleans()) else axis


def _keepdim(draw) -> dict:
    choice = draw(st.sampled_from(["default", "true", "false"]))
    return {} if choice == "default" else {"keepdim": choice == "true"}


def _reduction(dtypes, nonempty: bool):
    def gen(ctx: Ctx, name: str) -> Value:
        x = ctx.pick(dtypes)
        t, draw = x.type, ctx.draw
        if t.rank == 0:
            axes = draw(st.sampled_from([[], [0]]))
        else:
            allowed = [a for a in range(t.rank) if not (nonempty and t.shape[a] == 0)]
            axes = draw(st.lists(st.sampled_from(allowed), unique=True)) if allowed else []
            axes = [_signed_axis(draw, a, t.rank) for a in axes]
        return ctx.b.op(name, [x], {"axes": axes, **_keepdim(draw)})
    return gen


def gen_arg_reduction(ctx: Ctx, name: str) -> Value:
    draw = ctx.draw
    nonzero = st.lists(st.sampled_from([1, 2, 3]), max_size=3).map(tuple)
    x = ctx.pick(DTYPES, lambda t: t.rank == 0 or any(d != 0 for d in t.shape),
                 lambda: draw(dense_types(DTYPES, draw(nonzero))))
    t = x.type
    if t.rank == 0:
        axis = 0
    else:
        axis = draw(st.sampled_from([a for a in range(t.rank) if t.shape[a] != 0]))
        axis = _signed_axis(draw, axis, t.rank)
    return ctx.b.op(name, [x], {"axis": axis, **_keepdim(draw)})


def gen_matmul(ctx: Ctx, name: str) -> Value:
    draw = ctx.draw
    a = ctx.pick(NUMERIC, lambda t: t.rank >= 2,
                 lambda: draw(dense_types(NUMERIC, draw(dims(draw(st.integers(2, 4)), False)))))
    t = a.type

    def fits(u: TensorType) -> bool:
        k1, k2 = t.shape[-1], u.shape[-2] if u.rank >= 2 else -1
        return (u.rank >= 2 and (k1 is None or k2 is None or k1 == k2)
                and broadcast_shapes(t.shape[:-2], u.shape[:-2]) is not None)

    def make() -> TensorType:
        batch = draw(broadcastable_shape(t.shape[:-2])) if draw(st.booleans()) else ()
        k = t.shape[-1] if t.shape[-1] is not None else draw(SIZES)
        return TensorType(batch + (k, draw(SIZES)), t.dtype)

    w = ctx.pick((t.dtype,), fits, make)
    return ctx.b.op(name, [a, w])


def _factor(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


def gen_reshape(ctx: Ctx, name: str) -> Value:
    x, draw = ctx.pick(), ctx.draw
    rank = draw(st.integers(0, 4))
    if not x.type.is_static:
        shape = list(draw(dims(rank, dynamic=False)))
    elif x.type.numel == 0:
        shape = list(draw(dims(max(rank, 1), dynamic=False)))
        shape[draw(st.integers(0, len(shape) - 1))] = 0
    else:
        factors = _factor(x.type.numel)
        shape = [1] * (max(rank, 1) if factors else rank)
        for f in factors:
            shape[draw(st.integers(0, len(shape) - 1))] *= f
    return ctx.b.op(name, [x], {"shape": shape})


def gen_permute(ctx: Ctx, name: str) -> Value:
    x = ctx.pick()
    return ctx.b.op(name, [x], {"dims": ctx.draw(st.permutations(range(x.type.rank)))})


def gen_expand(ctx: Ctx, name: str) -> Value:
    x, draw = ctx.pick(), ctx.draw
    lead = draw(st.lists(SIZES, max_size=2))
    shape = [draw(SIZES) if d is None or d == 1 else d for d in x.type.shape]
    return ctx.b.op(name, [x], {"shape": lead + shape})


def gen_slice(ctx: Ctx, name: str) -> Value:
    x, draw = ctx.pick(), ctx.draw
    start, stop, step = [], [], []
    for d in x.type.shape:
        hi = d if d is not None else 3
        b = draw(st.integers(0, hi))
        start.append(b)
        stop.append(draw(st.integers(b, hi if d is not None else b + 3)))
        step.append(draw(st.integers(1, 3)))
    return ctx.b.op(name, [x], {"start": start, "stop": stop, "step": step})


def gen_concat(ctx: Ctx, name: str) -> Value:
    draw = ctx.draw
    x = ctx.pick(DTYPES, lambda t: t.rank >= 1,
                 lambda: draw(dense_types(DTYPES, draw(dims(draw(st.integers(1, 3)), False)))))
    t = x.type
    axis = draw(st.integers(0, t.rank - 1))
    # fixed[i]: the size every operand must have at dim i (None while all are dynamic there)
    fixed = list(t.shape)

    def fits(u: TensorType) -> bool:
        return u.rank == t.rank and all(
            i == axis or u.shape[i] is None or fixed[i] in (None, u.shape[i])
            for i in range(t.rank))

    def make() -> TensorType:
        for i in range(t.rank):
            if fixed[i] is None:
                fixed[i] = draw(SIZES)
        shape = list(fixed)
        shape[axis] = draw(SIZES)
        return TensorType(tuple(shape), t.dtype)

    operands = [x]
    for _ in range(draw(st.integers(0, 2))):
        v = ctx.pick((t.dtype,), fits, make)
        fixed = [f if f is not None or i == axis else v.type.shape[i]
                 for i, f in enumerate(fixed)]
        operands.append(v)
    order = draw(st.permutations(operands))
    return ctx.b.op(name, list(order), {"axis": _signed_axis(draw, axis, t.rank)})


def gen_insert_slice(ctx: Ctx, name: str) -> Value:
    """The adjoint of slice: each operand dim n lands on n strided positions of a bigger dim."""
    x, draw = ctx.pick(), ctx.draw
    shape, start, stop, step = [], [], [], []
    for n in x.type.shape:
        count = draw(st.integers(0, 3)) if n is None else n
        s, b = draw(st.integers(1, 3)), draw(st.integers(0, 2))
        e = b + (count - 1) * s + draw(st.integers(1, s)) if count else b
        shape.append(e + draw(st.integers(0, 2)))
        start.append(b)
        stop.append(e)
        step.append(s)
    return ctx.b.op(name, [x], {"shape": shape, "start": start, "stop": stop, "step": step})


INDEX = (i64, i32)


def gen_take(ctx: Ctx, name: str) -> Value:
    draw = ctx.draw
    x = ctx.pick(DTYPES, lambda t: t.rank >= 1,
                 lambda: draw(dense_types(DTYPES, draw(dims(draw(st.integers(1, 3)), False)))))
    axis = draw(st.integers(0, x.type.rank - 1))
    if x.type.shape[axis] == 0:  # only an empty index may read from an empty axis
        idx = ctx.pick(INDEX, lambda t: t.numel == 0, lambda: draw(dense_types(INDEX, (0,))))
    else:
        idx = ctx.pick(INDEX)
    return ctx.b.op(name, [x, idx], {"axis": _signed_axis(draw, axis, x.type.rank)})


def gen_gather(ctx: Ctx, name: str) -> Value:
    draw = ctx.draw
    x = ctx.pick()
    t = x.type
    axis = draw(st.integers(0, max(t.rank - 1, 0)))
    empty_axis = t.rank > 0 and t.shape[axis] == 0  # then only an empty index is valid

    def fits(u: TensorType) -> bool:
        return u.rank == t.rank and (u.numel == 0 or not empty_axis) and all(
            d == axis or a is None or b is None or b <= a
            for d, (a, b) in enumerate(zip(t.shape, u.shape)))

    def make() -> TensorType:
        shape = [draw(SIZES) if d == axis or a is None else draw(st.integers(0, a))
                 for d, a in enumerate(t.shape)]
        if empty_axis:
            shape[axis] = 0
        return draw(dense_types(INDEX, tuple(shape)))

    idx = ctx.pick(INDEX, fits, make)
    return ctx.b.op(name, [x, idx], {"axis": _signed_axis(draw, axis, t.rank)})


GENERATORS: dict[str, Callable[[Ctx, str], Value]] = {}
for _name in ("neg", "abs", "sign", "relu", "floor", "ceil", "round"):
    GENERATORS[_name] = _unary(NUMERIC)
for _name in ("exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tanh",
              "sigmoid", "gelu", "silu", "erf"):
    GENERATORS[_name] = _unary(FLOATS)
GENERATORS["not"] = _unary((i1,))
for _name in ("add", "sub", "mul", "maximum", "minimum"):
    GENERATORS[_name] = _binary(NUMERIC)
for _name in ("div", "pow"):
    GENERATORS[_name] = _binary(FLOATS)
for _name in ("and", "or", "xor"):
    GENERATORS[_name] = _binary((i1,))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    GENERATORS[_name] = _binary(DTYPES)
GENERATORS.update(
    where=gen_where, cast=gen_cast, constant=gen_constant,
    sum=_reduction(NUMERIC, False), prod=_reduction(NUMERIC, False),
    mean=_reduction(FLOATS, False), max=_reduction(DTYPES, True),
    min=_reduction(DTYPES, True), argmax=gen_arg_reduction, argmin=gen_arg_reduction,
    matmul=gen_matmul, reshape=gen_reshape, permute=gen_permute, expand=gen_expand,
    slice=gen_slice, concat=gen_concat, take=gen_take, gather=gen_gather,
    insert_slice=gen_insert_slice,
)
OP_NAMES = sorted(OPS)

# Symbol names: bare identifiers, and arbitrary text that the printer must quote/escape.
func_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_$.]{0,6}", fullmatch=True) | st.text(
    min_size=1, max_size=6)


@st.composite
def modules(draw, max_funcs: int = 3, max_ops: int = 6) -> Module:
    """A random valid module built through the Builder."""
    b = Builder()
    names = draw(st.lists(func_names, min_size=1, max_size=max_funcs, unique=True))
    for name in names:
        arg_types = draw(st.lists(tensor_types(), max_size=3))
        with b.func(name, arg_types) as args:
            ctx = Ctx(draw, b, list(args))
            for op_name in draw(st.lists(st.sampled_from(OP_NAMES), max_size=max_ops)):
                ctx.pool.append(GENERATORS[op_name](ctx, op_name))
            results = draw(st.lists(st.sampled_from(ctx.pool), max_size=3)) if ctx.pool else []
            b.ret(*results)
    return b.module
