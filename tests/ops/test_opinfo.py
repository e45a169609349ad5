"""Every op of the OpInfo table against numpy, over dtypes and sample shapes (0-d, empty,
broadcast, non-contiguous views, NaN/Inf), plus unsupported dtypes raising DTypeError."""

from __future__ import annotations

import numpy as np
import pytest

import torsh
from tests.ops.opinfo import ALL, OPS, REDUCTIONS, TOL, make_input


def check(got: torsh.Tensor, want: np.ndarray, dtype: str) -> None:
    got = got.numpy()
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if got.dtype.kind == "f" or want.dtype.kind == "f":
        rtol, atol = TOL.get(str(got.dtype), TOL["float32"])
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol,
                                   atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def _cases():
    for info in OPS:
        for dt in info.dtypes:
            yield pytest.param(info, dt, id=f"{info.name}-{dt}")


@pytest.mark.parametrize("info, dtype", list(_cases()))
def test_op_matches_numpy(info, dtype):
    rng = np.random.default_rng(0)
    for shape in info.shapes:
        xs = [make_input(shape, dtype, rng, info.domain, special=dtype.startswith("float"))
              for _ in range(info.arity)]
        with np.errstate(all="ignore"):
            want = info.ref(*xs)
        check(info.op(*[torsh.tensor(x) for x in xs]), want, dtype)


@pytest.mark.parametrize("info", [o for o in OPS if o.arity == 2], ids=lambda o: o.name)
def test_binary_broadcasting(info):
    rng = np.random.default_rng(1)
    dtype = info.dtypes[0]
    for sa, sb in [((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((5, 1, 2), (3, 1))]:
        a = make_input(sa, dtype, rng, info.domain)
        b = make_input(sb, dtype, rng, info.domain)
        with np.errstate(all="ignore"):
            want = info.ref(a, b)
        check(info.op(torsh.tensor(a), torsh.tensor(b)), want, dtype)


@pytest.mark.parametrize("info", OPS, ids=lambda o: o.name)
def test_non_contiguous_inputs(info):
    """Transposed, sliced and expanded views of realized tensors as inputs."""
    rng = np.random.default_rng(2)
    dtype = info.dtypes[0]
    base = [make_input((4, 6), dtype, rng, info.domain) for _ in range(info.arity)]
    views = [
        (lambda t: t.T, lambda a: a.T),
        (lambda t: t[1:, ::2], lambda a: a[1:, ::2]),
        (lambda t: t[:1].expand(3, 6), lambda a: np.broadcast_to(a[:1], (3, 6))),
        (lambda t: t.reshape(2, 12).permute(1, 0), lambda a: a.reshape(2, 12).T),
    ]
    for tv, nv in views:
        ts = [tv(torsh.tensor(a)) for a in base]
        ns = [nv(a) for a in base]
        with np.errstate(all="ignore"):
            want = info.ref(*ns)
        check(info.op(*ts), want, dtype)


def test_unsupported_dtypes_raise_dtype_error():
    for info in OPS:
        for dt in info.unsupported:
            xs = [torsh.tensor(make_input((3,), dt, np.random.default_rng(0)))
                  for _ in range(info.arity)]
            with pytest.raises(torsh.DTypeError):
                info.op(*xs)
    with pytest.raises(torsh.DTypeError):
        torsh.arange(3).mean()
    with pytest.raises(torsh.DTypeError):
        torsh.matmul(torsh.ones(2, 2), torsh.ones(2, 2, dtype=torsh.float64))


@pytest.mark.parametrize("name, op, ref, dtypes", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reductions(name, op, ref, dtypes):
    rng = np.random.default_rng(3)
    for dt in dtypes:
        x = make_input((3, 4, 5), dt, rng)
        for dim, keep in [(None, False), (1, False), (0, True), ((0, 2), False), (-1, True)]:
            with np.errstate(all="ignore"):
                want = ref(x, dim, keep)
            check(op(torsh.tensor(x), dim, keep), want, dt)
    x = make_input((), dtypes[0], rng)
    check(op(torsh.tensor(x), None, False), ref(x, None, False), dtypes[0])


def test_arg_and_value_reductions_with_nan():
    x = np.array([[1.0, np.nan, 3.0], [2.0, 5.0, -1.0]], np.float32)
    t = torsh.tensor(x)
    assert t.argmax(dim=1).tolist() == [1, 1]
    assert t.argmin(dim=1).tolist() == [1, 2]
    assert np.isnan(t.max().item())
    v, i = t.max(dim=0)
    check(v, np.max(x, axis=0), "float32")
    assert i.tolist() == [1, 0, 0]
    assert torsh.tensor([[3, 9, 2]]).argmax().item() == 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_family(dtype):
    x = np.random.default_rng(4).standard_normal((4, 7)).astype(dtype)
    e = np.exp(x - x.max(1, keepdims=True))
    check(torsh.softmax(torsh.tensor(x), 1), e / e.sum(1, keepdims=True), dtype)
    check(torsh.log_softmax(torsh.tensor(x), 0),
          x - x.max(0) - np.log(np.exp(x - x.max(0)).sum(0)), dtype)


def test_matmul_family():
    rng = np.random.default_rng(5)
    for sa, sb in [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (4,)),
                   ((4,), (4, 3)), ((3, 4), (4,)), ((1, 7), (7, 1)), ((0, 3), (3, 2))]:
        for dt in ("float32", "float64", "int64"):
            a = make_input(sa, dt, rng)
            b = make_input(sb, dt, rng)
            check(torsh.tensor(a) @ torsh.tensor(b), np.matmul(a, b), dt)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    check(torsh.bmm(torsh.tensor(a), torsh.tensor(b)), a @ b, "float64")
    check(torsh.mm(torsh.tensor(a[0]), torsh.tensor(b[0])), a[0] @ b[0], "float64")
    check(torsh.tensor(a).transpose(1, 2) @ torsh.tensor(a), a.transpose(0, 2, 1) @ a, "float64")
    with pytest.raises(torsh.ShapeMismatchError, match=r"\[2, 3, 4\].*\[2, 3, 4\]"):
        torsh.tensor(a) @ torsh.tensor(a)


def test_movement_ops():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = torsh.tensor(x)
    check(t.reshape(4, -1), x.reshape(4, -1), "float32")
    check(t.view(24), x.reshape(24), "float32")
    check(t.permute(2, 0, 1), x.transpose(2, 0, 1), "float32")
    check(t.transpose(0, 2), x.swapaxes(0, 2), "float32")
    check(t[:, :1].squeeze(1), x[:, 0], "float32")
    check(t.unsqueeze(1), x[:, None], "float32")
    check(t[:, :1].expand(2, 5, 4), np.broadcast_to(x[:, :1], (2, 5, 4)), "float32")
    check(t.flatten(1), x.reshape(2, 12), "float32")
    check(torsh.cat([t, t * 2], 1), np.concatenate([x, x * 2], 1), "float32")
    check(torsh.stack([t, t], 0), np.stack([x, x]), "float32")
    for got, want in zip(t.split(3, dim=2), np.split(x, [3], axis=2)):
        check(got, want, "float32")
    for got, want in zip(t.chunk(2, dim=1), [x[:, :2], x[:, 2:]]):
        check(got, want, "float32")
    check(t.contiguous(), x, "float32")
    check(t.T, x.transpose(2, 1, 0), "float32")
    check(torsh.tensor([[1.0, 2.0], [3.0, 4.0]]).T, np.array([[1.0, 3.0], [2.0, 4.0]]), "float32")


def test_indexing():
    x = np.arange(60, dtype=np.int64).reshape(3, 4, 5)
    t = torsh.tensor(x)
    for idx in [1, -1, (slice(None), 2), (Ellipsis, 3), (slice(1, None), slice(None, None, 2)),
                (None, 0), (0, slice(1, 3), -2), (slice(None), None, slice(2, 4))]:
        check(t[idx], x[idx], "int64")
    check(t[torsh.tensor([2, 0, -1])], x[[2, 0, -1]], "int64")
    check(t[:, torsh.tensor([[1, 3], [0, 0]])], x[:, [[1, 3], [0, 0]]], "int64")
    check(t[[0, 2]], x[[0, 2]], "int64")
    mask = x[:, 0, 0] > 10
    check(t[torsh.tensor(mask)], x[mask], "int64")
    check(torsh.index_select(t, 2, torsh.tensor([4, 0])), x[:, :, [4, 0]], "int64")
    idx = np.array([[[0, 4], [1, 1], [2, 3], [4, 0]]] * 3)
    check(torsh.gather(t, 2, torsh.tensor(idx)), np.take_along_axis(x, idx, 2), "int64")
    with pytest.raises(torsh.TorshIndexError):
        t[3]
    with pytest.raises(torsh.TorshIndexError):
        t[torsh.tensor([7])]
    with pytest.raises(torsh.TorshIndexError):
        t.sum(dim=3)


def test_creation():
    torsh.manual_seed(0)
    check(torsh.zeros(2, 3), np.zeros((2, 3)), "float32")
    check(torsh.ones((2,), dtype=torsh.int32), np.ones(2, np.int32), "int32")
    check(torsh.full((2, 2), 7), np.full((2, 2), 7), "int64")
    assert torsh.empty(3, 2).shape == (3, 2)
    check(torsh.arange(5), np.arange(5), "int64")
    check(torsh.arange(1, 2, 0.25), np.arange(1, 2, 0.25, dtype=np.float32), "float32")
    check(torsh.linspace(0, 1, 5), np.linspace(0, 1, 5, dtype=np.float32), "float32")
    check(torsh.eye(3, 2), np.eye(3, 2), "float32")
    r = torsh.rand(1000)
    assert 0 <= r.min().item() and r.max().item() < 1
    assert abs(torsh.randn(10000).mean().item()) < 0.05
    ri = torsh.randint(0, 3, (100,))
    assert ri.dtype == torsh.int64 and set(ri.tolist()) <= {0, 1, 2}
    torsh.manual_seed(5)
    a = torsh.randn(4).tolist()
    torsh.manual_seed(5)
    assert torsh.randn(4).tolist() == a
    like = torsh.ones(2, 3, dtype=torsh.float64)
    for fn in (torsh.zeros_like, torsh.ones_like, torsh.rand_like, torsh.randn_like):
        out = fn(like)
        assert out.shape == (2, 3) and out.dtype == torsh.float64
    check(torsh.full_like(like, 2.5), np.full((2, 3), 2.5), "float64")


def test_casts_and_promotion():
    t = torsh.tensor([1.7, -2.2, 3.0])
    assert t.long().tolist() == [1, -2, 3]
    assert t.to(torsh.int32).dtype == torsh.int32
    assert t.double().dtype == torsh.float64
    assert t.bool().tolist() == [True, True, True]
    assert torsh.tensor([1.5]).half().float().tolist() == [1.5]
    assert torsh.tensor([1.5]).bfloat16().float().tolist() == [1.5]
    i32 = torsh.tensor([1, 2], dtype=torsh.int32)
    assert (i32 + 1.5).dtype == torsh.float32
    assert (i32 + torsh.tensor(5)).dtype == torsh.int32  # 0-d tensors rank below dim tensors
    assert (i32 / 2).dtype == torsh.float32
    assert (torsh.tensor([True]) + torsh.tensor([True])).dtype == torsh.bool
    assert (i32 + torsh.tensor([1.0], dtype=torsh.float64)).dtype == torsh.float64
    x = torsh.tensor([1.0])
    y = x
    x += 1  # rebinds x to a new value; y is unchanged
    assert x.tolist() == [2.0] and y.tolist() == [1.0]
    assert ((torsh.tensor([2.0]) ** 2) @ torsh.tensor([3.0])).item() == 12.0


@pytest.mark.parametrize("dtype", ALL)
def test_zero_d_and_empty(dtype):
    rng = np.random.default_rng(6)
    x = make_input((), dtype, rng)
    check(torsh.tensor(x) + torsh.tensor(x), np.asarray(x + x), dtype)
    e = make_input((0, 3), dtype, rng)
    check((torsh.tensor(e) * torsh.tensor(e)).sum(0), np.sum(e * e, 0,
          dtype=e.dtype if e.dtype.kind == "f" else np.int64), dtype)


def test_lazy_until_needed_and_errors_at_the_line():
    from torsh.codegen import STATS

    before = STATS.plan_builds + STATS.plan_hits
    x = torsh.tensor([1.0, 2.0])
    y = (x * 2).exp().sum()
    assert not y.is_realized and STATS.plan_builds + STATS.plan_hits == before
    try:
        x + torsh.ones(3)  # the error comes from this line, before anything runs
    except torsh.ShapeMismatchError as e:
        assert "add" in str(e) and "[2]" in str(e) and "[3]" in str(e)
        frame = e.__traceback__.tb_frame.f_code.co_name
        assert frame == "test_lazy_until_needed_and_errors_at_the_line"
    assert STATS.plan_builds + STATS.plan_hits == before
    torsh.realize(y, x * 3)
    assert y.is_realized


@pytest.mark.parametrize("info", OPS, ids=lambda o: o.name)
def test_compiled_matches_reference_interpreter(info):
    """The same graph run by torsh.ir.interpret (numpy, op by op) and by compiled kernels."""
    from torsh.plan import traverse

    rng = np.random.default_rng(7)
    for dtype in info.dtypes:
        xs = [torsh.tensor(make_input((3, 4), dtype, rng, info.domain, special=True))
              for _ in range(info.arity)]
        out = info.op(*xs)
        module = torsh.ir.parse(torsh.ir.dump(out, "graph"))
        _, leaves = traverse([out])
        with np.errstate(all="ignore"):
            want = torsh.ir.interpret(module, *[leaf.numpy() for leaf in leaves])
        check(out, want, dtype)
