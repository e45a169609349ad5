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
