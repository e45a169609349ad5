"""The C tensor API against the Python API: every C op (through ctypes) gives what the
same op gives in Python torsh on the same inputs, forward and backward, at torch's
default tolerances."""

from __future__ import annotations

import numpy as np
import pytest

import torsh
import torsh.nn.functional as F
from tests.capi import capi
from tests.capi.capi import call, status, tensor
from torsh import errors

RNG = np.random.default_rng(0)
TOL = {np.float32: dict(rtol=1.3e-6, atol=1e-5), np.float64: dict(rtol=1e-7, atol=1e-7)}


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0):
    return RNG.uniform(low, high, shape).astype(dtype)


def close(c: np.ndarray, p, dtype=np.float32):
    p = p.numpy() if isinstance(p, torsh.Tensor) else np.asarray(p)
    assert c.shape == p.shape
    assert c.dtype == p.dtype, (c.dtype, p.dtype)
    if c.dtype.kind == "f":
        np.testing.assert_allclose(c, p, **TOL[dtype])
    else:
        np.testing.assert_array_equal(c, p)


def T(a):
    return torsh.tensor(a)


# ------------------------------------------------------------------------- elementwise

BINARY = {"add": torsh.add, "sub": torsh.sub, "mul": torsh.mul, "div": torsh.div,
          "pow": torsh.pow}
SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)),
          ((), (3,)), ((0, 3), (3,))]


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_ops_match_python(op, shapes, dtype) -> None:
    low = 0.5 if op == "pow" else -2.0
    a, b = rand(*shapes[0], dtype=dtype, low=low), rand(*shapes[1], dtype=dtype)
    close(call(op, tensor(a), tensor(b)).numpy(), BINARY[op](T(a), T(b)), dtype)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("pair", [(np.int32, np.float32), (np.int64, np.int32),
                                  (np.float32, np.float64), (np.int64, np.int64)], ids=str)
def test_promotion_matches_python(op, pair) -> None:
    a = (RNG.integers(1, 9, (2, 3))).astype(pair[0])
    b = (RNG.integers(1, 9, (3,))).astype(pair[1])
    c = call(op, tensor(a), tensor(b)).numpy()
    close(c, BINARY[op](T(a), T(b)), c.dtype.type if c.dtype.kind == "f" else np.float32)


def test_a_0d_tensor_does_not_widen_the_other_operand() -> None:
    a, s = rand(3), np.array(2.0, np.float64)
    c = call("mul", tensor(a), tensor(s)).numpy()
    assert c.dtype == np.float32
    close(c, torsh.mul(T(a), T(s)))


UNARY = {"neg": torsh.neg, "exp": torsh.exp, "log": torsh.log, "sqrt": torsh.sqrt,
         "tanh": torsh.tanh, "sigmoid": torsh.sigmoid, "relu": torsh.relu, "gelu": F.gelu}


@pytest.mark.parametrize("op", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_ops_match_python(op, dtype) -> None:
    x = rand(3, 5, dtype=dtype, low=0.1 if op in ("log", "sqrt") else -6, high=6)
    close(call(op, tensor(x)).numpy(), UNARY[op](T(x)), dtype)
    # the same through a transposed (non-contiguous) view
    view = call("transpose", tensor(x), 0, 1)
    close(call(op, view).numpy(), UNARY[op](T(x.T.copy())), dtype)


@pytest.mark.parametrize("op", ["neg", "relu", "exp", "sqrt"])
def test_unary_ops_on_integers(op) -> None:
    x = RNG.integers(-5, 9, (7,)).astype(np.int32)
    if op == "sqrt":
        x = np.abs(x)
    c = call(op, tensor(x)).numpy()
    close(c, UNARY[op](T(x)), np.float32)


def test_special_values() -> None:
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, 88.8, -104.0], np.float32)
    for op in ("exp", "tanh", "sigmoid", "relu", "neg"):
        close(call(op, tensor(x)).numpy(), UNARY[op](T(x)))


# ------------------------------------------------------------------------------ matmul

MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                 ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5)),
                 ((3, 0), (0, 2)), ((1, 7), (7, 1)), ((17, 33), (33, 9))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_matches_python(shapes, dtype) -> None:
    a, b = rand(*shapes[0], dtype=dtype), rand(*shapes[1], dtype=dtype)
    close(call("matmul", tensor(a), tensor(b)).numpy(), torsh.matmul(T(a), T(b)), dtype)


def test_matmul_of_transposed_views() -> None:
    a, b = rand(5, 3), rand(4, 5)  # a.T @ b.T: both operands are strided views
    at, bt = call("transpose", tensor(a), 0, 1), call("transpose", tensor(b), 0, 1)
    close(call("matmul", at, bt).numpy(), torsh.matmul(T(a.T.copy()), T(b.T.copy())))


def test_matmul_shape_error_names_both_shapes() -> None:
    with pytest.raises(errors.ShapeMismatchError, match=r"\(2, 3\) and \(4, 5\)"):
        call("matmul", tensor(rand(2, 3)), tensor(rand(4, 5)))
    with pytest.raises(errors.ShapeMismatchError, match=r"\(2, 2\) and \(3,\)"):
        call("matmul", tensor(rand(2, 2)), tensor(rand(3)))


# -------------------------------------------------------------------------- reductions

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_whole_reductions_match_python(dtype) -> None:
    x = rand(4, 6, dtype=np.float64).astype(dtype) if dtype in (np.float32, np.float64) \
        else RNG.integers(-9, 9, (4, 6)).astype(dtype)
    close(call("sum", tensor(x)).numpy(), torsh.sum(T(x)), np.float32)
    close(call("max", tensor(x)).numpy(), torsh.max(T(x)), np.float32)
    if x.dtype.kind == "f":
        close(call("mean", tensor(x)).numpy(), torsh.mean(T(x)), np.float32)
    else:
        with pytest.raises(errors.DTypeError):
            call("mean", tensor(x))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_dim_reductions_match_python(dim, keepdim) -> None:
    x = rand(3, 4, 5)
    close(call("sum_dim", tensor(x), dim, keepdim).numpy(), torsh.sum(T(x), dim, keepdim))
    close(call("mean_dim", tensor(x), dim, keepdim).numpy(), torsh.mean(T(x), dim, keepdim))
    close(call("max_dim", tensor(x), dim, keepdim).numpy(),
          torsh.max(T(x), dim, keepdim=keepdim).values)
    # over a permuted view (the reduction copies only when it must)
    v = call("transpose", tensor(x), 0, 2)
    xt = np.ascontiguousarray(x.transpose(2, 1, 0))
    close(call("sum_dim", v, dim, keepdim).numpy(), torsh.sum(T(xt), dim, keepdim))


def test_large_sum_is_accurate() -> None:
    x = rand(1 << 20, low=0, high=1)
    close(call("sum", tensor(x)).numpy(), torsh.sum(T(x)))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax_match_python(dim) -> None:
    x = rand(4, 7, low=-30, high=30)
    close(call("softmax", tensor(x), dim).numpy(), F.softmax(T(x), dim))
    close(call("log_softmax", tensor(x), dim).numpy(), F.log_softmax(T(x), dim))


def test_reduction_errors() -> None:
    with pytest.raises(errors.TorshIndexError, match="dim 3"):
        call("sum_dim", tensor(rand(2, 3)), 3, False)
    with pytest.raises(errors.InvalidArgumentError, match="empty"):
        call("max", tensor(np.zeros((0,), np.float32)))
    with pytest.raises(errors.DTypeError):
        call("softmax", tensor(np.arange(3)), 0)


# ----------------------------------------------------------------- shapes, casts, copies

def test_reshape_transpose_contiguous() -> None:
    x = rand(2, 3, 4)
    close(call("reshape", tensor(x), capi.shape_arg([4, -1]), 2).numpy(), x.reshape(4, -1))
    t = call("transpose", tensor(x), 0, 2)
    assert capi.lib().torsh_tensor_is_contiguous(t.h) == 0
    c = call("contiguous", t)
    assert capi.lib().torsh_tensor_is_contiguous(c.h) == 1
    close(c.numpy(), np.ascontiguousarray(x.transpose(2, 1, 0)))
    close(call("reshape", t, capi.shape_arg([-1]), 1).numpy(), x.transpose(2, 1, 0).reshape(-1))
    with pytest.raises(errors.ShapeMismatchError):
        call("reshape", tensor(x), capi.shape_arg([5, -1]), 2)


CASTS = [np.float32, np.float64, np.int32, np.int64, np.bool_, np.int8]


@pytest.mark.parametrize("src", CASTS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("dst", CASTS, ids=lambda d: np.dtype(d).name)
def test_cast_matches_python(src, dst) -> None:
    x = np.array([-3.7, -1.0, -0.0, 0.0, 0.5, 1.0, 2.9, 100.2]).astype(src)
    c = call("cast", tensor(x), capi.CODE_OF[np.dtype(dst)]).numpy()
    p = T(x).to(torsh.dtype.of(torsh.ir.DType.from_numpy(np.dtype(dst))))
    close(c, p)


def test_fill_and_copy() -> None:
    x = tensor(np.zeros((2, 3), np.float64))
    status("fill", x, 2.5)
    np.testing.assert_array_equal(x.numpy(), np.full((2, 3), 2.5))
    row = tensor(np.array([1, 2, 3], np.int32))
    status("copy", x, row)  # broadcast and converted
    np.testing.assert_array_equal(x.numpy(), np.array([[1, 2, 3], [1, 2, 3]], np.float64))
    view = call("transpose", x, 0, 1)  # writes through a strided view
    status("fill", view, -1)
    np.testing.assert_array_equal(x.numpy(), -np.ones((2, 3)))
    with pytest.raises(errors.ShapeMismatchError):
        status("copy", row, x)


# ------------------------------------------------------------------------------- losses

def test_mse_loss_matches_python() -> None:
    a, b = rand(4, 5), rand(4, 5)
    close(call("mse_loss", tensor(a), tensor(b)).numpy(), F.mse_loss(T(a), T(b)))
    with pytest.raises(errors.ShapeMismatchError, match=r"\(4, 5\).*\(5,\)"):
        call("mse_loss", tensor(a), tensor(rand(5)))


@pytest.mark.parametrize("tdtype", [np.int64, np.int32])
def test_cross_entropy_matches_python(tdtype) -> None:
    logits, target = rand(6, 4, low=-5, high=5), RNG.integers(0, 4, 6)
    c = call("cross_entropy", tensor(logits), tensor(target.astype(tdtype))).numpy()
    close(c, F.cross_entropy(T(logits), T(target)))
    one = call("cross_entropy", tensor(logits[0]), tensor(np.array(target[0]))).numpy()
    close(one, F.cross_entropy(T(logits[:1]), T(target[:1])))


def test_cross_entropy_errors() -> None:
    logits = tensor(rand(3, 4))
    with pytest.raises(errors.TorshIndexError, match=r"target\[1\] = 4"):
        call("cross_entropy", logits, tensor(np.array([0, 4, 1])))
    with pytest.raises(errors.DTypeError, match="class indices"):
        call("cross_entropy", logits, tensor(rand(3)))
    with pytest.raises(errors.ShapeMismatchError):
        call("cross_entropy", logits, tensor(np.array([0, 1])))


def test_released_and_null_handles_are_errors_not_crashes() -> None:
    x = tensor(rand(2))
    handle = x.h
    capi.lib().torsh_tensor_release(handle)
    x.h = None
    with pytest.raises(errors.InvalidHandleError):
        capi.T(capi.lib().torsh_exp(handle))
    with pytest.raises(errors.NullArgumentError):
        capi.T(capi.lib().torsh_add(None, None))
