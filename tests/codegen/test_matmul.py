"""Matmul kernels against numpy: every strategy (packed microkernel with edge tiles,
rowvec, dot, naive), transposed and sliced operands, batches, f32/f64, fused epilogues,
and 1 and 2 runtime threads. Tolerances are torch's defaults (f32: rtol 1.3e-6,
atol 1e-5; f64: rtol 1e-7, atol 1e-7), scaled by sqrt(K) for the sum's rounding."""

from __future__ import annotations

import math

import numpy as np
import pytest

import torsh
import torsh.nn.functional as F
from torsh import _runtime
from torsh.codegen.matmul import strategy
from torsh.codegen.matvec import contiguous_dim
from torsh.ir import Builder, f32
from torsh.ir.types import DType

TOL = {np.float32: (1.3e-6, 1e-5), np.float64: (1e-7, 1e-7)}
EDGE = [1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 65, 127, 129]
PRIMES = [13, 29, 97, 101]


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    _runtime.set_num_threads(request.param)
    yield request.param
    _runtime.set_num_threads(0)


def rand(shape, dt, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dt)


def check(got, want, dt, k):
    rtol, atol = TOL[dt]
    scale = math.sqrt(max(k, 1))
    np.testing.assert_allclose(got, want, rtol=rtol * scale, atol=atol * scale)


def reference(a, b):
    return (a.astype(np.float64) @ b.astype(np.float64))


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("m,k,n", [(m, 37, n) for m in (1, 3, 15, 17, 33, 129)
                                   for n in (1, 2, 3, 16, 17, 31, 33, 65)]
                         + [(17, k, 33) for k in EDGE + PRIMES]
                         + [(p, q, r) for p, q, r in zip(PRIMES, PRIMES[1:], PRIMES[2:])])
def test_edge_sizes(m, k, n, dt, threads):
    a, b = rand((m, k), dt, m * 7 + k), rand((k, n), dt, n * 3 + k)
    got = (torsh.tensor(a) @ torsh.tensor(b)).numpy()
    check(got, reference(a, b), dt, k)


@pytest.mark.parametrize("m,k,n", [(300, 300, 300), (129, 513, 77), (64, 1000, 200),
                                   (1, 700, 1000), (4, 600, 333), (500, 700, 2),
                                   (1000, 1, 500), (70, 5000, 40)])
def test_blocked_sizes(m, k, n, threads):
    """Several depth (KC) and row (MC) blocks, accumulation across depth blocks."""
    a, b = rand((m, k), np.float32, 1), rand((k, n), np.float32, 2)
    check((torsh.tensor(a) @ torsh.tensor(b)).numpy(), reference(a, b), np.float32, k)


def test_strategies_cover_the_shapes():
    """The shapes above reach every kernel strategy."""
    f = DType.f32
    assert strategy(f, 129, 65, 37) == "packed"
    assert strategy(f, 1, 1000, 700) == "rowvec"
    assert strategy(f, 3, 65, 37) == "rowvec"
    assert strategy(f, 1, 1000, 700, "k") == "dot"
    assert strategy(f, 500, 2, 700) == "dot"
    assert strategy(f, 2, 3, 4) == "naive"
    assert strategy(DType.i32, 500, 500, 500) == "naive"
    assert strategy(f, 3, 65, 37, None) == "packed"


def test_contiguous_dim():
    b = Builder()
    with b.func("f", [((3, 4), f32)]) as (x,):
        t = b.permute(x, dims=[1, 0])
        b.ret(t)
    assert contiguous_dim(x) == "j"
    assert contiguous_dim(t) == "k"


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("m,k,n", [(1, 300, 200), (40, 300, 50), (100, 17, 3)])
def test_transposed_operands(m, k, n, dt, threads):
    at, bt = rand((k, m), dt, 3), rand((n, k), dt, 4)
    for a_t in (False, True):
        for b_t in (False, True):
            a = at.T if a_t else np.ascontiguousarray(at.T)
            bb = bt.T if b_t else np.ascontiguousarray(bt.T)
            ta = torsh.tensor(at).T if a_t else torsh.tensor(a)
            tb = torsh.tensor(bt).T if b_t else torsh.tensor(bb)
            check((ta @ tb).numpy(), reference(a, bb), dt, k)


def test_sliced_operands(threads):
    """Non-contiguous views: strided slices of bigger buffers."""
    big_a, big_b = rand((90, 140), np.float32, 5), rand((130, 100), np.float32, 6)
    a, b = big_a[5:80:2, 3:120], big_b[10:127, ::3]
    got = (torsh.tensor(big_a)[5:80:2, 3:120] @ torsh.tensor(big_b)[10:127, ::3]).numpy()
    check(got, reference(a, b), np.float32, a.shape[1])


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("sa,sb", [((3, 20, 30), (3, 30, 40)),  # batch x batch
                                   ((4, 33, 17), (17, 65)),  # shared B: folded rows
                                   ((2, 1, 300), (2, 300, 70)),  # batched vector-matrix
                                   ((5, 1, 64), (64, 100)),  # folded into 5 rows
                                   ((2, 3, 19, 21), (3, 21, 23)),  # broadcast batch
                                   ((1, 19, 21), (4, 21, 23))])
def test_batched(sa, sb, dt, threads):
    a, b = rand(sa, dt, 7), rand(sb, dt, 8)
    got = (torsh.tensor(a) @ torsh.tensor(b)).numpy()
    check(got, a.astype(np.float64) @ b.astype(np.float64), dt, sa[-1])


@pytest.mark.parametrize("m,k,n", [(64, 96, 80), (1, 300, 200), (300, 200, 1),
                                   (37, 300, 45), (2, 3, 4)])
def test_epilogues(m, k, n, threads):
    """bias + relu / gelu fused into the matmul kernel (and an elementwise A producer)."""
    x, w, bias = rand((m, k), np.float32, 9), rand((n, k), np.float32, 10), \
        rand((n,), np.float32, 11)
    tx, tw, tb = torsh.tensor(x), torsh.tensor(w), torsh.tensor(bias)
    lin = reference(x, w.T) + bias
    check(F.relu(F.linear(tx, tw, tb)).numpy(), np.maximum(lin, 0), np.float32, k)
    got = F.gelu(tx @ tw.T + tb).numpy()
    want = 0.5 * lin * (1 + np.vectorize(math.erf)(lin / math.sqrt(2)))
    check(got, want, np.float32, k)
    got = (torsh.relu(tx) * 2.0 @ tw.T).numpy()  # A computed inside the kernel
    check(got, reference(np.maximum(x, 0) * 2, w.T), np.float32, k)


def test_special_values():
    """inf and nan propagate as in numpy; padded edge rows/columns do not leak them."""
    a, b = rand((17, 40), np.float32, 12), rand((40, 33), np.float32, 13)
    a[3, 5], b[7, 30] = np.inf, np.nan
    got = (torsh.tensor(a) @ torsh.tensor(b)).numpy()
    want = a @ b
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    check(got[finite], reference(a, b)[finite], np.float32, 40)


def test_same_bits_on_1_and_2_threads():
    a, b = rand((200, 300), np.float32, 14), rand((300, 150), np.float32, 15)
    out = []
    for t in (1, 2):
        _runtime.set_num_threads(t)
        out.append((torsh.tensor(a) @ torsh.tensor(b)).numpy())
    _runtime.set_num_threads(0)
    np.testing.assert_array_equal(out[0], out[1])


def test_integer_matmul(threads):
    a = np.arange(-60, 60, dtype=np.int32).reshape(12, 10)
    b = np.arange(50, dtype=np.int32).reshape(10, 5)
    np.testing.assert_array_equal((torsh.tensor(a) @ torsh.tensor(b)).numpy(), a @ b)
