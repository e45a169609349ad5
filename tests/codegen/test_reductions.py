"""Reduction kernels against numpy: the two-phase (chunked partials) reductions of few
outputs, their determinism across thread counts (1 and 2 threads give the same bits),
special values (inf, nan, -0.0), and the one-phase path they fall back to. Tolerances are
torch's defaults (f32: rtol 1.3e-6, atol 1e-5; f64: rtol 1e-7, atol 1e-7)."""

from __future__ import annotations

import numpy as np
import pytest

import torsh
from tests.codegen.helpers import on_threads
from torsh.codegen.kernels import SPLIT_CHUNK
from torsh.plan import graph_plan

TOL = {np.float32: (1.3e-6, 1e-5), np.float64: (1e-7, 1e-7)}
OPS = ("sum", "mean", "max", "min", "prod")


def rand(shape, dt=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dt)


def lazy(op, t, dim=None):
    if dim is None:
        return getattr(t, op)()
    r = getattr(t, op)(dim=dim)
    return r.values if op in ("max", "min") else r  # torch's (values, indices)


def reduce(op, x, dim=None):
    return lazy(op, torsh.tensor(x), dim).numpy()


def want(op, x, dim=None):
    x64 = x.astype(np.float64)
    f = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod}[op]
    return f(x64, axis=dim).astype(x.dtype)


def same_bits(a, b):
    return np.asarray(a).tobytes() == np.asarray(b).tobytes()


@pytest.mark.parametrize("shape,dim", [
    ((3 * SPLIT_CHUNK + 5,), None),  # 1-D, last chunk short
    ((600, 700), None),  # several reduced axes: chunks of rows
    ((5, 4 * SPLIT_CHUNK + 3), 1),  # a few outputs, chunks along the reduced axis
    ((2 * SPLIT_CHUNK + 1, 3), 0),  # the reduced axis is not the contiguous one
])
@pytest.mark.parametrize("op", OPS)
def test_two_phase_matches_numpy_and_threads(op, shape, dim):
    x = rand(shape, seed=len(shape))
    if op == "prod":  # keep the product finite and away from 0
        x = (1.0 + x * 1e-5).astype(np.float32)
    r = lazy(op, torsh.tensor(x), dim)
    info = graph_plan([r]).steps[0].kernel.info
    assert info.partials >= 2 * info.range  # the chunked path is the one tested
    one = on_threads(1, lambda: reduce(op, x, dim))
    two = on_threads(2, lambda: reduce(op, x, dim))
    assert same_bits(one, two)
    rtol, atol = TOL[np.float32]
    np.testing.assert_allclose(one, want(op, x, dim), rtol=rtol * 10, atol=atol)


@pytest.mark.parametrize("op", ("sum", "max"))
def test_two_phase_f64_and_int(op):
    x = rand(3 * SPLIT_CHUNK, np.float64, seed=3)
    for n in (1, 2):
        got = on_threads(n, lambda: reduce(op, x))
        np.testing.assert_allclose(got, want(op, x), rtol=1e-7, atol=1e-7)
    xi = np.random.default_rng(4).integers(-1000, 1000, 3 * SPLIT_CHUNK).astype(np.int64)
    assert int(reduce(op, xi)) == int(getattr(np, op)(xi))


@pytest.mark.parametrize("special,expect", [
    (np.inf, {"sum": np.inf, "max": np.inf, "min": None}),
    (-np.inf, {"sum": -np.inf, "max": None, "min": -np.inf}),
    (np.nan, {"sum": np.nan, "max": np.nan, "min": np.nan}),
])
def test_two_phase_special_values(special, expect):
    x = rand(3 * SPLIT_CHUNK, seed=5)
    x[2 * SPLIT_CHUNK + 17] = special  # in a chunk that the second thread gets
    for op, value in expect.items():
        for n in (1, 2):
            got = on_threads(n, lambda op=op: reduce(op, x))
            if value is None:
                np.testing.assert_allclose(got, want(op, x), rtol=1.3e-6, atol=1e-5)
            else:
                np.testing.assert_array_equal(got, np.float32(value))


def test_two_phase_inf_minus_inf_is_nan_and_zeros():
    x = np.zeros(3 * SPLIT_CHUNK, np.float32)
    x[1], x[-1] = np.inf, -np.inf
    assert np.isnan(reduce("sum", x))
    z = np.full(3 * SPLIT_CHUNK, -0.0, np.float32)
    assert reduce("sum", z) == 0.0 and reduce("max", z) == 0.0
    assert np.signbit(reduce("max", z)) and np.signbit(reduce("min", z))
    z[SPLIT_CHUNK + 1] = 0.0
    assert not np.signbit(reduce("max", z))  # +0 > -0, as torch.max
    assert np.signbit(reduce("min", z))


def test_many_outputs_stay_one_phase():
    x = rand((64, 4096), seed=6)
    r = torsh.tensor(x).sum(dim=1)
    assert graph_plan([r]).steps[0].kernel.info.partials == 0
    np.testing.assert_allclose(r.numpy(), x.astype(np.float64).sum(1), rtol=1.3e-6, atol=1e-5)


def test_fused_operand_and_mean_of_a_full_tensor():
    x = rand((1 << 10, 1 << 9), seed=7)
    t = torsh.tensor(x)
    got = on_threads(2, lambda: (torsh.exp(t * 0.5) - t).mean().numpy())
    np.testing.assert_allclose(got, (np.exp(x.astype(np.float64) * 0.5) - x).mean(),
                               rtol=1.3e-6, atol=1e-5)
