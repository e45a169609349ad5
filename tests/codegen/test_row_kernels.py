"""Row kernels: softmax, log_softmax and layer norm as one fused kernel (row reductions
inlined by fuse.py, computed per row by the elementwise emitter, softmax's exp kept in
the output row). Checked against numpy at torch's default tolerances, against the IR
interpreter on the fused module, for the same bits on 1 and 2 threads, and with special
values (inf, -inf, nan, -0.0) in the rows."""

from __future__ import annotations

import numpy as np
import pytest

import torsh
import torsh.nn.functional as F
from tests.codegen.helpers import on_threads
from torsh.ir import run_pipeline
from torsh.ir.interpreter import interpret
from torsh.ir.passes.fuse import ROW_INLINE_MAX
from torsh.plan import PIPELINE, build_graph, graph_plan

RTOL, ATOL = 1.3e-6, 1e-5  # torch's float32 defaults


def rand(shape, seed=0, dt=np.float32):
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dt)


def np_softmax(x, axis=-1):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    x = x.astype(np.float64)
    s = x - x.max(axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis, keepdims=True))


def np_layer_norm(x, w, b, eps=1e-5):
    x = x.astype(np.float64)
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


CASES = {
    "softmax": (lambda t: torsh.softmax(t, dim=-1), np_softmax),
    "log_softmax": (lambda t: torsh.log_softmax(t, dim=-1), np_log_softmax),
    "layer_norm": (lambda t: F.layer_norm(t, (t.shape[-1],)),
                   lambda x: np_layer_norm(x, 1.0, 0.0)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("shape", [(1,), (7,), (3, 5), (64, 1000), (2, 3, 129), (513, 17)])
def test_one_kernel_matches_numpy_and_threads(name, shape):
    fn, ref = CASES[name]
    x = rand(shape, seed=sum(shape))
    t = torsh.tensor(x)
    steps = graph_plan([fn(t)]).steps
    assert [s.kernel.info.kind for s in steps] == ["elementwise"]
    one = on_threads(1, lambda: fn(t).numpy())
    two = on_threads(2, lambda: fn(t).numpy())
    assert one.tobytes() == two.tobytes()
    atol = ATOL * 10 if name == "layer_norm" and shape[-1] == 1 else ATOL
    np.testing.assert_allclose(one, ref(x), rtol=RTOL, atol=atol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fused_module_interprets_to_the_same_values(name):
    fn, _ = CASES[name]
    x = rand((6, 33), seed=1)
    out = fn(torsh.tensor(x))
    module, _ = build_graph([out])
    run_pipeline(module, PIPELINE)
    assert len(module.funcs) == 2  # @main and one row kernel
    want = interpret(module, x)
    np.testing.assert_allclose(out.numpy(), want, rtol=RTOL, atol=ATOL)


def test_special_values_in_rows():
    x = rand((8, 40), seed=2)
    x[0, 3] = np.inf  # one inf: softmax is nan where numpy's is (inf - inf)
    x[1, :] = -np.inf  # every element -inf
    x[2, 5] = np.nan
    x[3, :] = -0.0
    x[4, 7] = -np.inf  # a -inf among finite values: exp gives exactly 0
    x[5, :] = 0.0
    x[5, 1] = -0.0
    with np.errstate(invalid="ignore"):
        for name in ("softmax", "log_softmax"):
            fn, ref = CASES[name]
            t = torsh.tensor(x)
            got = fn(t).numpy()
            torch_like = ref(x).astype(np.float32)
            np.testing.assert_allclose(got, torch_like, rtol=RTOL, atol=ATOL, equal_nan=True)
            same = on_threads(2, lambda fn=fn, t=t: fn(t).numpy())
            assert same.tobytes() == on_threads(1, lambda fn=fn, t=t: fn(t).numpy()).tobytes()
    assert torsh.softmax(torsh.tensor(x), dim=1).numpy()[4, 7] == 0.0


def test_softmax_f64_and_f16():
    x = rand((16, 70), seed=3, dt=np.float64)
    got = torsh.softmax(torsh.tensor(x), dim=1).numpy()
    np.testing.assert_allclose(got, np_softmax(x), rtol=1e-7, atol=1e-7)
    h = rand((16, 70), seed=4).astype(np.float16)
    out = torsh.softmax(torsh.tensor(h), dim=1)
    # f16 rounds after every op (IR semantics), so the reference is the interpreter
    module, _ = build_graph([out])
    want = interpret(module, h)
    got = out.numpy()
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=1e-3,
                               atol=1e-5)
    np.testing.assert_allclose(got.astype(np.float64), np_softmax(h), rtol=5e-3, atol=1e-4)


def test_layer_norm_with_affine_and_a_consumer():
    x, w, b = rand((32, 48), seed=5), rand(48, seed=6), rand(48, seed=7)
    out = F.layer_norm(torsh.tensor(x), (48,), torsh.tensor(w), torsh.tensor(b)).relu() * 2.0
    assert len(graph_plan([out]).steps) == 1
    np.testing.assert_allclose(out.numpy(), np.maximum(np_layer_norm(x, w, b), 0) * 2.0,
                               rtol=1e-5, atol=1e-5)


def test_what_stays_separate_kernels():
    x = rand((24, 40), seed=8)
    t = torsh.tensor(x)
    # over dim 0 (not the last axis): max, sum and the output are three kernels
    assert len(graph_plan([torsh.softmax(t, dim=0)]).steps) == 3
    # a reduction that is itself a result keeps its buffer
    m = t.amax(1, keepdim=True)
    steps = graph_plan([m, t - m]).steps
    assert len(steps) == 2
    # rows too long to stay in cache between the passes
    long = torsh.tensor(rand((2, ROW_INLINE_MAX + 1), seed=9))
    assert len(graph_plan([torsh.softmax(long, dim=1)]).steps) == 3
    # read through a permute: another row's value, so it is not inlined
    sq = torsh.tensor(rand((16, 16), seed=10))
    s = sq.sum(1, keepdim=True)
    out = sq - s.expand(16, 16).permute(1, 0)
    np.testing.assert_allclose(out.numpy(), sq.numpy() - sq.numpy().sum(1)[None, :],
                               rtol=1e-5, atol=1e-5)
    # two kernels reading one row reduction: it keeps its buffer
    a = torsh.exp(sq - s)
    b = torsh.tanh(sq) * s
    assert len(graph_plan([a, b]).steps) == 3


def test_softmax_grad_row_kernels():
    x = rand((8, 30), seed=11)
    t = torsh.tensor(x, requires_grad=True)
    g = rand((8, 30), seed=12)
    (torsh.softmax(t, dim=1) * torsh.tensor(g)).sum().backward()
    s = np_softmax(x)
    want = s * (g - (g * s).sum(1, keepdims=True))
    np.testing.assert_allclose(t.grad.numpy(), want, rtol=1e-5, atol=1e-6)


def _special_rows(n, seed):
    """Rows of length n with special values placed in the first chunk, a middle chunk and
    the tail (n need not be a multiple of ROW_SUM_CHUNK)."""
    x = rand((12, n), seed=seed)
    last = n - 1
    x[0, 3] = np.inf
    x[1, :] = -np.inf
    x[2, last] = np.nan  # in the tail
    x[3, n // 2] = np.nan  # in a middle chunk
    x[4, :] = -0.0
    x[5, ::7] = -np.inf  # masked positions, as attention masks
    x[6, :] = 3e38  # huge: x - max is 0, every exp is 1
    x[7, 0] = 1e30  # one huge value: the rest underflow to exactly 0
    x[8, :] = -1e30
    x[8, last] = 80.0
    x[9, :] = rand(n, seed=seed + 1) * 30  # wide spread: exp over/underflow range
    x[10, n // 3] = -np.inf
    x[10, last] = np.inf
    x[11, :] = 1e-40  # denormals
    return x


@pytest.mark.parametrize("n", [512, 1024, 1300, 4100])
def test_long_rows_chunked_sums_with_special_values(n):
    """Rows long enough for the float32-chunked row sums of exp and the next-row prefetch
    (softmax, log_softmax; layer_norm's plain f64 sums beside them): within torch's
    float32 tolerance of a float64 reference, special values included, the same bits on
    1 and 2 threads."""
    from torsh.codegen.kernels import ROW_SUM_CHUNK

    assert n >= 2 * ROW_SUM_CHUNK
    x = _special_rows(n, seed=n)
    t = torsh.tensor(x)
    with np.errstate(invalid="ignore", over="ignore"):
        for name in ("softmax", "log_softmax", "layer_norm"):
            fn, ref = CASES[name]
            want = ref(x.astype(np.float64)).astype(np.float32)
            one = on_threads(1, lambda fn=fn: fn(t).numpy())
            two = on_threads(2, lambda fn=fn: fn(t).numpy())
            assert one.tobytes() == two.tobytes(), name
            rows = slice(None) if name != "layer_norm" else [0, 1, 2, 3, 4, 5, 9, 10]
            np.testing.assert_allclose(one[rows], want[rows], rtol=RTOL, atol=ATOL,
                                       equal_nan=True, err_msg=name)
    sm = torsh.softmax(t, dim=1).numpy()
    assert (sm[5, ::7] == 0).all() and np.isnan(sm[2]).all() and np.isnan(sm[3]).all()
    assert sm[7, 0] == 1.0 and (sm[7, 1:] == 0).all()


def test_long_rows_sum_accuracy():
    """The float32 chunks of a row sum of exp keep it as accurate as float64 accumulation
    would, to float32 output precision (each exp is within 1 ulp): rows of 4096 and of
    16384 comparable terms."""
    x = rand((16, 4096), seed=21) * 1e-3
    t = torsh.tensor(x)
    got = (torsh.exp(t).mean(1, keepdim=True) + t * 0.0).numpy()[:, 0]
    np.testing.assert_allclose(got, np.exp(x.astype(np.float64)).mean(1), rtol=2.5e-7, atol=0)
    y = rand((4, 16384), seed=22) * 0.01
    np.testing.assert_allclose(torsh.softmax(torsh.tensor(y), dim=1).numpy(), np_softmax(y),
                               rtol=RTOL, atol=1e-9)


@pytest.mark.parametrize("n", [40, 1024])
def test_row_max_min_nan_and_signed_zero(n):
    """A row max/min inlined into a row kernel is torch's: NaN if the row holds one, and
    +0 > -0. 1 / (max + x * 0) and 1 / (min - x * 0) at column 0 keep the sign of a zero
    max/min: x * 0 there is -0 (column 0 holds negatives in the max rows checked) / +0
    (positives in the min rows checked)."""
    x = rand((10, n), seed=n)
    x[0, :] = -0.0
    x[1, :] = -np.abs(x[1]) - 1
    x[1, n // 2] = -0.0
    x[2, :] = -np.abs(x[2]) - 1
    x[2, n - 1] = 0.0  # max is +0
    x[3, :] = np.abs(x[3]) + 1
    x[3, 1] = 0.0  # min is +0
    x[4, :] = np.abs(x[4]) + 1
    x[4, 2] = -0.0  # min is -0
    x[4, 3] = 0.0
    x[5, n - 1] = np.nan
    x[6, 0] = np.nan
    x[6, 1] = np.inf
    x[7, :] = -np.abs(x[7]) - 1
    x[7, 4] = np.inf  # max +inf: 1 / inf = 0
    x[8, :] = np.abs(x[8]) + 1
    x[8, 5] = -np.inf  # min -inf
    x[9, n // 3] = -np.nan  # a NaN with its sign bit set (x86's default NaN)
    t = torsh.tensor(x)
    for red, npred in (("amax", np.max), ("amin", np.min)):
        m = getattr(t, red)(1, keepdim=True)
        out = 1.0 / (m + t * 0.0) if red == "amax" else 1.0 / (m - t * 0.0)
        plan = graph_plan([out])
        assert len(plan.steps) == 1  # the reduction is inlined: a row kernel
        with np.errstate(divide="ignore", invalid="ignore"):
            got = on_threads(1, lambda out=out: out.numpy())
            assert got.tobytes() == on_threads(2, lambda out=out: out.numpy()).tobytes()
            mm = npred(x, axis=1)  # NaN rows are NaN in numpy too
            assert np.isnan(got[:, 0]).tolist() == np.isnan(mm).tolist(), red
            ok = ~np.isnan(mm)
            assert (np.isfinite(got[ok, 0]) == (mm[ok] != 0)).all()
    mx = 1.0 / (t.amax(1, keepdim=True) + t * 0.0)
    mn = 1.0 / (t.amin(1, keepdim=True) - t * 0.0)
    with np.errstate(divide="ignore"):
        mx, mn = mx.numpy()[:, 0], mn.numpy()[:, 0]
    assert mx[0] == -np.inf and mx[1] == -np.inf and mx[2] == np.inf  # -0, -0, +0
    assert mn[3] == np.inf and mn[4] == -np.inf  # +0, -0
    assert np.isnan(mx[5]) and np.isnan(mx[6]) and np.isnan(mn[5]) and np.isnan(mn[6])
    assert np.isnan(mx[9]) and np.isnan(mn[9])
    assert mx[7] == 0 and not np.signbit(mx[7]) and mn[8] == 0 and np.signbit(mn[8])


@pytest.mark.parametrize("dt", [np.float16, np.float64])
def test_long_rows_other_float_dtypes(dt):
    x = rand((6, 1100), seed=23).astype(dt)
    x[1, 5] = np.nan
    x[2, :] = -np.inf
    out = torsh.softmax(torsh.tensor(x), dim=1)
    module, _ = build_graph([out])
    with np.errstate(invalid="ignore"):
        want = interpret(module, x)
        got = out.numpy()
        tol = dict(rtol=1e-3, atol=1e-5) if dt == np.float16 else dict(rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                   equal_nan=True, **tol)
        np.testing.assert_allclose(got.astype(np.float64), np_softmax(x), equal_nan=True,
                                   rtol=5e-3 if dt == np.float16 else 1e-7, atol=1e-5)
