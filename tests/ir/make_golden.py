"""Writes the golden IR files in tests/ir/golden/ from the Builder programs below.

    .venv/bin/python -m tests.ir.make_golden          # rewrite every golden file
    .venv/bin/python -m tests.ir.make_golden --check  # exit 1 if a file is out of date

(run from the repository root, so that ``torsh`` and ``tests`` are importable).

Each file is exactly the printer's output for one module (no header comment, so that
parse-then-print reproduces the file byte for byte). tests/ir/test_golden.py compares the
committed files, not this script's output, against the parser and printer; it also checks
that this script and the committed files agree, so regenerate after changing a program
here, and review the diff of the .mlir files like any other code change: a change in the
printer shows up there.

Together the programs use every op of ``torsh.ir.OPS`` (a test enforces it) and every
dtype, as small meaningful programs. Dynamic dims (``?``) are chosen so that giving every
``?`` the size 3 makes a consistent input, which the interpreter tests rely on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from torsh.ir import Builder, Module, bf16, f16, f32, f64, i1, i8, i32, i64

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
DYNAMIC_SIZE = 3  # the size the interpreter tests give every '?' dim


def mlp(b: Builder) -> None:
    """A two-layer perceptron: matmul + bias + gelu, then matmul + bias + relu."""
    args = [((4, 8), f32), ((8, 16), f32), ((16,), f32), ((16, 3), f32), ((3,), f32)]
    with b.func("mlp", args) as (x, w1, b1, w2, b2):
        h = b.gelu(b.add(b.matmul(x, w1), b1))
        b.ret(b.relu(b.add(b.matmul(h, w2), b2)))


def softmax(b: Builder) -> None:
    """Numerically stable softmax (f32) and log-softmax (f64) built from primitive ops."""
    with b.func("softmax", [((2, 5), f32)]) as (x,):
        e = b.exp(b.sub(x, b.max(x, axes=[-1], keepdim=True)))
        b.ret(b.div(e, b.sum(e, axes=[-1], keepdim=True)))
    with b.func("log_softmax", [((3, 4), f64)]) as (x,):
        shifted = b.sub(x, b.max(x, axes=[1], keepdim=True))
        b.ret(b.sub(shifted, b.log(b.sum(b.exp(shifted), axes=[1], keepdim=True))))


def layernorm(b: Builder) -> None:
    """Layer norm over the last axis with a 0-d epsilon constant, scale and shift."""
    with b.func("layernorm", [((2, 3, 8), f32), ((8,), f32), ((8,), f32)]) as (x, gamma, beta):
        centered = b.sub(x, b.mean(x, axes=[-1], keepdim=True))
        var = b.mean(b.mul(centered, centered), axes=[-1], keepdim=True)
        eps = b.constant(np.float32(1e-5))
        normed = b.mul(centered, b.rsqrt(b.add(var, eps)))
        b.ret(b.add(b.mul(normed, gamma), beta))


def broadcasting(b: Builder) -> None:
    """numpy broadcasting: size-1 dims, new leading dims, 0-d operands, size-0 dims."""
    with b.func("broadcast", [((2, 1, 3), f32), ((4, 1), f32), ((), f32)]) as (a, c, s):
        t = b.mul(b.add(a, c), s)                      # 2x4x3
        t = b.maximum(b.minimum(t, c), b.sub(a, s))    # 2x4x3
        base = b.add(b.abs(t), b.constant(np.float32(1.0)))
        b.ret(b.pow(base, b.constant(np.array([0.5, 2.0, -1.0], np.float32))))
    with b.func("broadcast_empty", [((0, 3), f64), ((3,), f64), ((1, 1), f64)]) as (e, r, one):
        b.ret(b.mul(b.add(e, r), one), b.sub(one, r))


def reductions(b: Builder) -> None:
    """Every reduction with and without keepdim, negative and repeated-free multi-axes."""
    with b.func("reduce", [((2, 3, 4), f32)]) as (x,):
        b.ret(b.sum(x, axes=[0, 2], keepdim=True),
              b.prod(x, axes=[-1]),
              b.mean(x, axes=[1], keepdim=False),
              b.max(x, axes=[0, 1, 2]),
              b.min(x, axes=[-2], keepdim=True),
              b.argmax(x, axis=1),
              b.argmin(x, axis=-1, keepdim=True))
    with b.func("reduce_int", [((3, 4), i32)]) as (x,):
        b.ret(b.sum(x, axes=[1]), b.prod(x, axes=[0], keepdim=True), b.max(x, axes=[]),
              b.argmax(x, axis=0, keepdim=True))
    with b.func("reduce_scalar", [((), f64)]) as (x,):
        b.ret(b.sum(x, axes=[]), b.max(x, axes=[0], keepdim=True), b.argmin(x, axis=0))
    with b.func("any_all", [((2, 3), i1)]) as (m,):
        b.ret(b.max(m, axes=[1]), b.min(m, axes=[0, 1]))


def movement(b: Builder) -> None:
    """A chain of movement ops: reshape, permute, expand, strided slice, concat."""
    with b.func("movement", [((2, 3, 4), f32)]) as (x,):
        t = b.reshape(x, shape=[6, 4])
        t = b.permute(t, dims=[1, 0])                          # 4x6
        t = b.reshape(t, shape=[4, 1, 6])
        t = b.expand(t, shape=[2, 4, 5, 6])                    # new leading dim, 1 -> 5
        t = b.slice(t, start=[0, 1, 0, 1], stop=[2, 4, 5, 6], step=[1, 2, 3, 2])  # 2x2x2x3
        u = b.permute(t, dims=[3, 1, 0, 2])                    # 3x2x2x2
        v = b.reshape(x, shape=[3, 2, 2, 2])
        b.ret(b.concat(u, v, u, axis=0), b.reshape(x, shape=[24]))


def slicing(b: Builder) -> None:
    """Strided and empty slices, and concat along first, last and negative axes."""
    with b.func("slicing", [((10, 8), i64), ((2, 8), i64)]) as (x, y):
        strided = b.slice(x, start=[1, 0], stop=[9, 8], step=[3, 2])      # 3x4
        empty = b.slice(x, start=[4, 2], stop=[4, 8], step=[1, 1])         # 0x6
        whole = b.slice(y, start=[0, 0], stop=[2, 8], step=[1, 1])
        rows = b.concat(x, whole, y, axis=0)                               # 14x8
        cols = b.concat(strided, b.slice(x, start=[0, 0], stop=[3, 5], step=[1, 5]),
                        axis=-1)                                           # 3x5
        b.ret(strided, empty, rows, cols, b.concat(y, axis=1))
    with b.func("scatter_back", [((3, 4), f32)]) as (g,):
        # insert_slice is the adjoint of slice: g lands on rows 1, 4, 7 and even columns
        b.ret(b.insert_slice(g, shape=[10, 8], start=[1, 0], stop=[9, 8], step=[3, 2]),
              b.insert_slice(g, shape=[3, 6], start=[0, 2], stop=[3, 6], step=[1, 1]))


def matmul(b: Builder) -> None:
    """Matmul with broadcast batch dims, integer matmul, f16 and dynamic sizes."""
    with b.func("batched", [((2, 1, 3, 4), f32), ((5, 4, 6), f32)]) as (a, w):
        b.ret(b.matmul(a, w))                                              # 2x5x3x6
    with b.func("int_matmul", [((3, 4), i32), ((4, 2), i32)]) as (a, w):
        b.ret(b.matmul(a, w))
    with b.func("half_matmul", [((2, 3, 4), f16), ((4, 5), f16)]) as (a, w):
        b.ret(b.matmul(a, w))
    with b.func("dynamic_matmul", [((None, 3), f64), ((3, None), f64)]) as (a, w):
        b.ret(b.matmul(a, w))


def where_compare(b: Builder) -> None:
    """Comparisons, boolean logic and where: a clamp and a masked select."""
    with b.func("clamp", [((3, 4), f32), ((4,), f32)]) as (x, hi):
        lo = b.neg(hi)
        b.ret(b.where(b.gt(x, hi), hi, b.where(b.lt(x, lo), lo, x)))
    with b.func("masks", [((3, 4), i8), ((4,), i8)]) as (x, y):
        # and/or/not are Python keywords, so they are built with Builder.op
        inside = b.op("and", [b.ge(x, y), b.le(x, b.constant(np.int8(5)))])
        either = b.op("or", [b.eq(x, y), b.ne(x, b.constant(np.int8(0)))])
        flip = b.op("xor", [inside, either])
        b.ret(b.op("not", [flip]), b.where(flip, x, b.constant(np.int8(-1))))


def casts(b: Builder) -> None:
    """Casts between every pair of dtype families, including float->int truncation."""
    with b.func("casts", [((2, 3), f32)]) as (x,):
        outs = [b.cast(x, dt) for dt in (f16, bf16, f64, i1, i8, i32, i64)]
        back = b.cast(b.cast(b.cast(x, bf16), f16), f32)
        b.ret(*outs, back)
    with b.func("int_casts", [((4,), i64), ((4,), i1)]) as (n, m):
        b.ret(b.cast(n, f32), b.cast(n, i8), b.cast(m, i32), b.cast(m, f64), b.cast(n, i1))


def unary(b: Builder) -> None:
    """Every unary math op on f32, a few on f16/bf16/f64, and the integer-safe ones on i8."""
    with b.func("math_f32", [((2, 3), f32)]) as (x,):
        pos = b.add(b.abs(x), b.constant(np.float32(0.5)))
        outs = [b.op(n, [x]) for n in ("exp", "log1p", "expm1", "sin", "cos", "tanh",
                                       "sigmoid", "gelu", "silu", "erf", "abs", "sign", "neg",
                                       "relu", "floor", "ceil", "round")]
        outs += [b.log(pos), b.sqrt(pos), b.rsqrt(pos)]
        b.ret(*outs)
    with b.func("math_f16", [((8,), f16)]) as (x,):
        b.ret(b.tanh(x), b.sigmoid(x), b.exp(b.neg(b.abs(x))))
    with b.func("math_bf16", [((4, 2), bf16)]) as (x,):
        b.ret(b.silu(x), b.gelu(x), b.round(x))
    with b.func("math_f64", [((3,), f64)]) as (x,):
        b.ret(b.erf(x), b.expm1(x), b.cos(x))
    with b.func("int_unary", [((5,), i8)]) as (x,):
        b.ret(*(b.op(n, [x]) for n in ("neg", "abs", "sign", "relu", "floor", "ceil", "round")))


def constants(b: Builder) -> None:
    """Constants of every dtype: splats, nested lists, 0-d, size 0, NaN/Inf/-0.0 (hex form),
    integer extremes and large (> 256 elements, hex form) values."""
    rng = np.random.default_rng(1234)
    with b.func("constants", []):
        vals = [
            b.constant(np.full((2, 3), 1.5, np.float32)),
            b.constant(np.array([[1.0, -2.5], [1e-7, 3.4028235e38]], np.float32)),
            b.constant(np.array([0.0, -0.0, 0.0], np.float32)),
            b.constant(np.array(-0.0, np.float32)),
            b.constant(np.array([np.nan, np.inf, -np.inf, -0.0], np.float32)),
            b.constant(np.array([0.1, 1e300, -5e-324], np.float64)),
            b.constant(np.array([1.0, 65504.0, np.nan], np.float16)),
            b.constant(np.array([[1.0, 3.0], [-np.inf, 0.5]], np.float32), dtype=bf16),
            b.constant(np.array(True)),
            b.constant(np.array([True, False, True])),
            b.constant(np.array([-128, 0, 127], np.int8)),
            b.constant(np.array([[-(2**31), 2**31 - 1]], np.int32)),
            b.constant(np.array([-(2**63), 2**63 - 1, 0], np.int64)),
            b.constant(np.zeros((0, 2), np.float32)),
            b.constant(np.zeros((2, 0), np.int32)),
            b.constant(rng.standard_normal((17, 19)).astype(np.float32)),
            b.constant(rng.integers(-1000, 1000, (300,)).astype(np.int32)),
            b.constant(np.arange(130) % 3 == 0),        # mlir-opt prints this as packed bits
        ]
        b.ret(*vals)
    with b.func("use_constants", [((4,), f32)]) as (x,):
        table = b.constant(np.array([2.0, -1.0, 0.5, 4.0], np.float32))
        b.ret(b.add(b.mul(x, table), b.constant(np.float32(-0.0))))


def dynamic(b: Builder) -> None:
    """Dynamic dims ('?') through elementwise, reduction and movement ops."""
    with b.func("dynamic", [((None, 4), f32), ((4,), f32), ((None, 1), f32)]) as (x, y, z):
        s = b.add(x, y)                                        # ?x4
        t = b.mul(s, z)                                        # ?x4
        col = b.sum(t, axes=[0])                               # 4
        flat = b.reshape(t, shape=[12])
        wide = b.expand(z, shape=[3, 2])
        part = b.slice(t, start=[0, 1], stop=[2, 4], step=[1, 2])  # 2x2
        both = b.concat(t, x, axis=0)                           # ?x4
        b.ret(col, flat, wide, part, b.argmax(both, axis=0), b.cast(both, f16))


def multi(b: Builder) -> None:
    """Several functions: zero args, zero results, several results, quoted symbol names."""
    with b.func("pair", [((2,), f32), ((2,), f32)]) as (x, y):
        b.ret(b.add(x, y), b.sub(x, y), x)
    with b.func("nothing", [((2,), f32)]):
        b.ret()
    with b.func("seven", []):
        b.ret(b.constant(np.int32(7)))
    with b.func("quoted name-1", [((1,), i64)]) as (x,):
        b.ret(b.mul(x, x))


def integer(b: Builder) -> None:
    """Integer arithmetic (with i8 wrap-around) and comparisons."""
    with b.func("int_arith", [((4,), i32), ((4,), i32), ((2, 4), i8)]) as (p, q, r):
        a = b.maximum(b.add(p, q), b.minimum(b.sub(p, q), b.mul(p, q)))
        w = b.mul(r, b.constant(np.int8(100)))                 # wraps like int8 arithmetic
        b.ret(a, w, b.sum(b.cast(w, i64), axes=[1]))


def canonical(b: Builder) -> None:
    """Everything canonicalize/cse/dce rewrites: identities, double negation, reshape and
    permute chains, no-op casts, foldable constants, duplicate and dead ops."""
    with b.func("canonical", [((2, 3), f32), ((3,), f32)]) as (x, y):
        one, zero = b.constant(np.float32(1.0)), b.constant(np.float32(0.0))
        t = b.mul(b.mul(x, one), b.constant(np.ones((2, 3), np.float32)))
        t = b.div(b.add(zero, b.add(t, zero)), one)
        t = b.sub(b.neg(b.neg(t)), zero)
        t = b.reshape(b.reshape(t, shape=[3, 2]), shape=[6])
        t = b.reshape(b.reshape(t, shape=[6]), shape=[2, 3])
        t = b.permute(b.permute(t, dims=[1, 0]), dims=[1, 0])
        t = b.cast(b.expand(t, shape=[2, 3]), f32)
        folded = b.mul(b.add(b.constant(np.float32(2.0)), b.constant(np.float32(3.0))),
                       b.constant(np.array([1.0, 2.0, 3.0], np.float32)))
        s1, s2 = b.add(t, y), b.add(y, t)                       # commutative duplicates
        b.exp(s1)                                               # dead
        b.ret(b.mul(b.add(s1, s2), folded))
    with b.func("permutes", [((2, 3, 4), f64)]) as (x,):
        p = b.permute(b.permute(x, dims=[2, 0, 1]), dims=[0, 2, 1])
        b.ret(p, b.permute(x, dims=[0, 1, 2]))


def indexing(b: Builder) -> None:
    """An embedding lookup (take) and a per-row selection (gather) driven by argmax."""
    with b.func("embedding", [((10, 4), f32), ((2, 3), i64)]) as (table, ids):
        b.ret(b.take(table, ids, axis=0))
    with b.func("select", [((3, 5), f64), ((3, 2), i32)]) as (x, idx):
        best = b.argmax(x, axis=-1, keepdim=True)                  # 3x1 i64
        b.ret(b.gather(x, idx, axis=1), b.gather(x, best, axis=-1),
              b.take(x, b.constant(np.array([4, 0], np.int32)), axis=-1))


GOLDEN: dict[str, Callable[[Builder], None]] = {
    f.__name__: f for f in (mlp, softmax, layernorm, broadcasting, reductions, movement,
                            slicing, matmul, where_compare, casts, unary, constants, dynamic,
                            multi, integer, canonical, indexing)
}


def build(name: str) -> Module:
    b = Builder()
    GOLDEN[name](b)
    return b.module


def render(name: str) -> str:
    return str(build(name))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    GOLDEN_DIR.mkdir(exist_ok=True)
    stale = []
    for name in GOLDEN:
        path = GOLDEN_DIR / f"{name}.mlir"
        text = render(name)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
    if stale:
        print(f"out of date: {', '.join(stale)}; run python -m tests.ir.make_golden",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
