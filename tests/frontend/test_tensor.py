"""The lazy tensor itself: nothing compiles until a value is needed, in-place operators
rebind, torsh.realize computes several tensors in one plan, reprs, .T/.mT, dtype
conversions, creation and random numbers, and no recompilation on new data."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import torsh
from tests.frontend.references import round_bf16
from torsh.codegen import STATS


def _stats():
    return STATS.compiles, STATS.plan_builds, STATS.plan_hits


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------------------- laziness

def test_building_ops_compiles_nothing_until_a_value_is_needed():
    x = torsh.tensor(_data(3, 5))
    w = torsh.tensor(_data(5, 2, seed=1))
    before = _stats()
    y = (x.exp() + 1).sigmoid() * 2
    z = torsh.softmax(y @ w, dim=-1).sum(0)
    v = z[1:] + z.mean()
    assert _stats() == before
    assert not any(t.is_realized for t in (y, z, v))
    # metadata is known without computing anything
    assert v.shape == (1,) and v.dtype == torsh.float32 and v.ndim == 1 and v.numel() == 1
    text = torsh.ir.dump(v, "graph")
    assert '"torsh.matmul"' in text and _stats() == before
    got = v.numpy()
    assert v.is_realized
    compiles, builds, hits = _stats()
    assert builds + hits == before[1] + before[2] + 1  # one plan for the whole graph
    xs, ws = x.numpy(), w.numpy()
    ys = (1 / (1 + np.exp(-(np.exp(xs) + 1)))) * 2
    e = np.exp(ys @ ws - (ys @ ws).max(-1, keepdims=True))
    zs = (e / e.sum(-1, keepdims=True)).sum(0)
    np.testing.assert_allclose(got, zs[1:] + zs.mean(), rtol=1.3e-6, atol=1e-5)


@pytest.mark.parametrize("read", ["numpy", "item", "tolist", "repr", "bool", "float", "array"])
def test_each_way_of_reading_a_value_realizes(read):
    x = torsh.tensor([0.25]) * 3
    assert not x.is_realized
    {"numpy": lambda: x.numpy(), "item": lambda: x.item(), "tolist": lambda: x.tolist(),
     "repr": lambda: repr(x), "bool": lambda: bool(x), "float": lambda: float(x),
     "array": lambda: np.asarray(x)}[read]()
    assert x.is_realized and x.item() == 0.75


def test_realize_computes_several_tensors_in_one_plan():
    x = torsh.tensor(_data(7, 13))
    shared = (x * 3).tanh()
    a, b, c = shared.sum(1), shared.amax(0), shared + 1
    before = _stats()
    torsh.realize(a, b, c)
    after = _stats()
    assert (after[1] + after[2]) - (before[1] + before[2]) == 1
    assert a.is_realized and b.is_realized and c.is_realized
    s = np.tanh(x.numpy() * 3)
    np.testing.assert_allclose(a.numpy(), s.sum(1), rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(b.numpy(), s.max(0), rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), s + 1, rtol=1.3e-6, atol=1e-5)
    before = _stats()
    torsh.realize(a, b, x)  # all realized already: nothing to do
    assert _stats() == before


def test_realize_method_returns_the_tensor():
    x = torsh.tensor([1.0, 2.0]) + 1
    assert x.realize() is x and x.is_realized


# ------------------------------------------------------------------------- in-place ops

INPLACE = [("+=", operator.iadd, operator.add), ("-=", operator.isub, operator.sub),
           ("*=", operator.imul, operator.mul), ("/=", operator.itruediv, operator.truediv),
           ("//=", operator.ifloordiv, operator.floordiv), ("%=", operator.imod, operator.mod),
           ("**=", operator.ipow, operator.pow)]


@pytest.mark.parametrize("name,iop,op", INPLACE, ids=[n for n, _, _ in INPLACE])
def test_inplace_operators_rebind_and_never_mutate(name, iop, op):
    """torsh tensors are values: `x op= y` makes a new tensor and binds x to it; other
    references (and views made before) keep the old value."""
    data = np.array([1.5, 2.0, 3.0], np.float32)
    x = torsh.tensor(data)
    alias, view = x, x[1:]
    x = iop(x, 2.0)
    assert x is not alias
    np.testing.assert_array_equal(alias.numpy(), data)
    np.testing.assert_array_equal(view.numpy(), data[1:])
    np.testing.assert_allclose(x.numpy(), op(data, np.float32(2.0)), rtol=1.3e-6)


def test_inplace_matmul_and_logical_operators():
    m = torsh.tensor(_data(2, 2))
    alias = m
    m @= torsh.eye(2)
    assert m is not alias
    np.testing.assert_allclose(m.numpy(), alias.numpy(), rtol=1.3e-6, atol=1e-5)
    b = torsh.tensor([True, False, True])
    keep = b
    b &= torsh.tensor([True, True, False])
    b |= torsh.tensor([False, True, False])
    b ^= torsh.tensor([True, False, False])
    assert b.tolist() == [False, True, False] and keep.tolist() == [True, False, True]


def test_inplace_on_a_lazy_value_and_in_a_loop():
    acc = torsh.zeros(3)
    for i in range(4):
        acc += torsh.tensor([1.0, 2.0, 3.0]) * i
    np.testing.assert_allclose(acc.numpy(), [6.0, 12.0, 18.0])


# ------------------------------------------------------------------------------- repr

@pytest.mark.parametrize("make,text", [
    (lambda: torsh.tensor([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])"),
    (lambda: torsh.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
    (lambda: torsh.tensor([True, False]), "tensor([ True, False])"),
    (lambda: torsh.tensor(2), "tensor(2)"),
    (lambda: torsh.tensor([1, 2], dtype=torsh.int32), "tensor([1, 2], dtype=torsh.int32)"),
    (lambda: torsh.tensor([1.0, 2.0], dtype=torsh.float64),
     "tensor([1., 2.], dtype=torsh.float64)"),
    (lambda: torsh.tensor([1.0, 2.0]).half(), "tensor([1., 2.], dtype=torsh.float16)"),
    (lambda: torsh.tensor([1.0, 2.0]).bfloat16(), "tensor([1., 2.], dtype=torsh.bfloat16)"),
    (lambda: torsh.tensor([float("nan"), float("inf")]), "tensor([nan, inf])"),
    (lambda: torsh.zeros(0), "tensor([])"),
    (lambda: torsh.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: torsh.zeros(2, 0, dtype=torsh.int32), "tensor([], size=(2, 0), dtype=torsh.int32)"),
    (lambda: torsh.arange(6).reshape(2, 3) + 0, "tensor([[0, 1, 2],\n        [3, 4, 5]])"),
])
def test_repr(make, text):
    assert repr(make()) == text


def test_repr_of_floats_and_size():
    assert repr(torsh.tensor([1.25, -2.0])) == "tensor([ 1.25, -2.00])"
    assert repr(torsh.tensor(3.5)) == "tensor(3.5)"
    assert repr(torsh.zeros(2, 3).shape) == "torsh.Size([2, 3])"
    assert str(torsh.tensor([1.0])) == repr(torsh.tensor([1.0]))


# ---------------------------------------------------------------------------- .T / .mT

def test_T_reverses_dims_and_mT_swaps_the_last_two():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x = torsh.tensor(a)
    assert x.T.shape == (4, 3, 2)
    np.testing.assert_array_equal(x.T.numpy(), a.T)
    np.testing.assert_array_equal(x.mT.numpy(), np.swapaxes(a, -1, -2))
    np.testing.assert_array_equal(x[0].T.numpy(), a[0].T)
    assert torsh.tensor([1.0, 2.0]).T.shape == (2,) and torsh.tensor(1.0).T.shape == ()
    np.testing.assert_array_equal((x.mT @ x).numpy(), np.swapaxes(a, -1, -2) @ a)
    np.testing.assert_array_equal(x.T.T.numpy(), a)


# ------------------------------------------------------------------------- conversions

CONVERSIONS = [("float", torsh.float32), ("double", torsh.float64), ("half", torsh.float16),
               ("bfloat16", torsh.bfloat16), ("long", torsh.int64), ("int", torsh.int32),
               ("bool", torsh.bool)]


@pytest.mark.parametrize("method,dtype", CONVERSIONS, ids=[m for m, _ in CONVERSIONS])
@pytest.mark.parametrize("src", ["float32", "float64", "int32", "int64", "bool"])
def test_conversion_methods(src, method, dtype):
    data = {"bool": np.array([True, False, True])}.get(
        src, np.array([-3.75, 0.0, 2.5, 100.25]).astype(src))
    x = torsh.tensor(data)
    y = getattr(x, method)()
    assert y.dtype == dtype
    assert y.to(x.dtype).dtype == x.dtype
    np_name = {"float16": np.float16, "bfloat16": np.float32}.get(dtype.name)
    if dtype == torsh.bool:
        want = data != 0
    elif dtype.is_floating_point:
        want = data.astype(np_name or dtype.name)
        if dtype == torsh.bfloat16:
            want = round_bf16(want.astype(np.float32))
    else:
        want = np.trunc(data.astype(np.float64)).astype(dtype.name)
    np.testing.assert_array_equal(y.numpy(), want)


def test_round_trips_are_exact_where_representable():
    f = np.array([1.5, -2.25, 1024.0, 0.0], np.float32)
    x = torsh.tensor(f)
    for there in (torsh.float64, torsh.float16, torsh.bfloat16):
        np.testing.assert_array_equal(x.to(there).float().numpy(), f)
    i = torsh.tensor([-(2 ** 31), 7, 2 ** 31 - 1], dtype=torsh.int32)
    assert i.long().int().tolist() == i.tolist() and i.double().int().tolist() == i.tolist()
    b = torsh.tensor([True, False])
    assert b.long().bool().tolist() == [True, False] and b.float().bool().tolist() == [True,
                                                                                         False]


def test_to_variants():
    x = torsh.tensor([1.5, -2.5])
    assert x.to(torsh.float32) is x and x.float() is x  # no-op conversions
    assert x.to("cpu") is x and x.to(device="cpu") is x
    assert x.to(torsh.int64).tolist() == [1, -2]
    assert x.to(dtype=torsh.float64).dtype == torsh.float64
    assert x.to(torsh.tensor([1], dtype=torsh.int32)).dtype == torsh.int32
    assert x.to("cpu", torsh.bool).tolist() == [True, True]
    assert x.type_as(torsh.tensor([1])).dtype == torsh.int64
    assert x.to(np.float64).dtype == torsh.float64 and x.to(int).dtype == torsh.int64


def test_float_to_int_of_nan_inf_and_out_of_range_is_zero():
    """Documented torsh choice (C leaves it undefined; torch gives platform garbage)."""
    x = torsh.tensor([np.nan, np.inf, -np.inf, 3e9, -3e9, 2.9, -2.9])
    assert x.int().tolist() == [0, 0, 0, 0, 0, 2, -2]
    assert x.long().tolist() == [0, 0, 0, 3000000000, -3000000000, 2, -2]
    assert x.bool().tolist() == [True] * 7


# ---------------------------------------------------------------- creation and random

def test_creation_defaults_and_like():
    x = torsh.tensor([[1, 2, 3]], dtype=torsh.int32)
    for fn, value in ((torsh.zeros_like, 0), (torsh.ones_like, 1), (torsh.empty_like, None)):
        y = fn(x)
        assert y.shape == x.shape and y.dtype == torsh.int32
        if value is not None:
            assert y.tolist() == [[value] * 3]
    assert torsh.full_like(x, 7).tolist() == [[7, 7, 7]]
    assert torsh.zeros_like(x, dtype=torsh.float64).dtype == torsh.float64
    assert torsh.empty(2, 3).shape == (2, 3) and torsh.empty(2, 3).dtype == torsh.float32
    assert torsh.zeros((2, 3)).shape == torsh.zeros(torsh.Size([2, 3])).shape == (2, 3)
    assert torsh.ones(()).shape == () and torsh.ones(()).item() == 1.0
    f = torsh.rand_like(torsh.zeros(4, 5, dtype=torsh.float64))
    assert f.shape == (4, 5) and f.dtype == torsh.float64
    assert torsh.randn_like(torsh.zeros(3)).shape == (3,)


def test_default_dtype_controls_float_creation():
    old = torsh.get_default_dtype()
    try:
        torsh.set_default_dtype(torsh.float64)
        assert torsh.zeros(2).dtype == torsh.float64
        assert torsh.tensor([1.5]).dtype == torsh.float64
        assert (torsh.tensor([1]) / 2).dtype == torsh.float64
        assert torsh.arange(0.0, 1.0, 0.5).dtype == torsh.float64
    finally:
        torsh.set_default_dtype(old)
    assert torsh.zeros(2).dtype == torsh.float32


def test_rand_randn_randint():
    torsh.manual_seed(1234)
    r = torsh.rand(200, 50)
    assert r.shape == (200, 50) and r.dtype == torsh.float32
    a = r.numpy()
    assert a.min() >= 0.0 and a.max() < 1.0 and abs(a.mean() - 0.5) < 0.02
    n = torsh.randn(200, 50, dtype=torsh.float64).numpy()
    assert n.dtype == np.float64 and abs(n.mean()) < 0.05 and abs(n.std() - 1.0) < 0.05
    i = torsh.randint(3, 9, (1000,))
    assert i.dtype == torsh.int64 and set(i.tolist()) == set(range(3, 9))
    assert set(torsh.randint(4, size=(200,)).tolist()) == {0, 1, 2, 3}
    assert torsh.randint(0, 5, (2, 3), dtype=torsh.int32).dtype == torsh.int32
    assert torsh.rand(()).shape == () and torsh.randn(0, 3).shape == (0, 3)


def test_manual_seed_makes_random_numbers_reproducible():
    torsh.manual_seed(7)
    first = [torsh.rand(5).tolist(), torsh.randn(3).tolist(), torsh.randint(0, 100, (4,)).tolist()]
    torsh.manual_seed(7)
    again = [torsh.rand(5).tolist(), torsh.randn(3).tolist(), torsh.randint(0, 100, (4,)).tolist()]
    assert first == again
    assert torsh.rand(5).tolist() != first[0]


def test_random_tensors_are_realized_data():
    """rand/randn draw once: reading twice gives the same numbers."""
    r = torsh.rand(4)
    assert r.is_realized and r.tolist() == r.tolist()
    assert ((r * 2) / 2).tolist() == r.tolist()


# ----------------------------------------------------------------------- no recompile

def _step(x, w, b):
    h = (x @ w + b).relu()
    return torsh.log_softmax(h, dim=-1).mean(), h.amax(0), (h * 0.5 - 1).sum(1)


def test_same_computation_on_new_data_does_not_recompile():
    rng = np.random.default_rng(5)

    def new():
        return (torsh.tensor(rng.standard_normal((6, 9)).astype(np.float32)),
                torsh.tensor(rng.standard_normal((9, 4)).astype(np.float32)),
                torsh.tensor(rng.standard_normal(4).astype(np.float32)))

    torsh.realize(*_step(*new()))  # first run: compiles (or finds the kernels on disk)
    compiles, builds, hits = _stats()
    for _ in range(3):
        x, w, b = new()
        outs = _step(x, w, b)
        torsh.realize(*outs)
        h = np.maximum(x.numpy() @ w.numpy() + b.numpy(), 0)
        ls = h - h.max(-1, keepdims=True)
        ls = ls - np.log(np.exp(ls).sum(-1, keepdims=True))
        np.testing.assert_allclose(outs[0].item(), ls.mean(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(outs[1].numpy(), h.max(0), rtol=1.3e-6, atol=1e-5)
        np.testing.assert_allclose(outs[2].numpy(), (h * 0.5 - 1).sum(1), rtol=1.3e-6,
                                   atol=1e-5)
    assert STATS.compiles == compiles and STATS.plan_builds == builds
    assert STATS.plan_hits == hits + 3


def test_each_op_of_a_replayed_graph_is_not_recompiled_after_realization():
    """Realizing piecewise (item() in a loop) replays the plans of the first iteration."""
    def body(x):
        y = (x * 2).exp()
        return y.sum().item(), (y - 1).amax().item()

    body(torsh.tensor(_data(5, 5)))
    compiles, builds = STATS.compiles, STATS.plan_builds
    for seed in range(1, 4):
        s, m = body(torsh.tensor(_data(5, 5, seed=seed)))
        d = np.exp(_data(5, 5, seed=seed) * 2)
        assert s == pytest.approx(d.sum(), rel=1e-5) and m == pytest.approx((d - 1).max(),
                                                                              rel=1e-5)
    assert (STATS.compiles, STATS.plan_builds) == (compiles, builds)
