"""Issue 4, "fusion": how many kernels a computation compiles into (torsh.plan.graph_plan),
with every result checked against numpy, and AVX-512 in the code on a CPU that has it."""

from __future__ import annotations

import re

import numpy as np
import pytest

import torsh
from tests.compiler.helpers import inputs
from torsh.codegen.jit import host
from torsh.plan import graph_plan


def kinds(*tensors) -> list[str]:
    return [s.kernel.info.kind for s in graph_plan(list(tensors)).steps]


def check(t, want, rtol=1e-5, atol=1e-6) -> None:
    np.testing.assert_allclose(t.numpy(), want, rtol=rtol, atol=atol)


def test_elementwise_chain_is_one_kernel():
    """Twelve rounds of arithmetic, transcendentals and selects (39 ops deep, under the
    fuser's MAX_DEPTH of 48), each reading the previous result once: one loop."""
    x, y, z = inputs((64, 48), (64, 48), (64, 48))
    steps = [
        (lambda t: torsh.tanh(t * y + 0.1), lambda t: np.tanh(t * yn + 0.1)),
        (lambda t: torsh.sigmoid(t - z) * 2.0, lambda t: 2.0 / (1 + np.exp(-(t - zn)))),
        (lambda t: torsh.exp(-t.abs()) / (1.0 + z * z),
         lambda t: np.exp(-np.abs(t)) / (1.0 + zn * zn)),
        (lambda t: torsh.where(y > 0, -t, z).relu(),
         lambda t: np.maximum(np.where(yn > 0, -t, zn), 0)),
    ]
    xn, yn, zn = x.numpy(), y.numpy(), z.numpy()
    t, r = x, xn
    for i in range(12):
        f, g = steps[i % len(steps)]
        t, r = f(t), g(r)
    assert kinds(t) == ["elementwise"]
    check(t, r, rtol=1e-5, atol=1e-6)


def test_shared_subexpressions_stay_in_one_kernel():
    x, y = inputs((40, 40), (40, 40))
    u = x * y + 1.0  # read three times, small: recomputed/reused inline, not materialized
    v = torsh.exp(-u * u) + torsh.tanh(u) * u
    assert kinds(v) == ["elementwise"]
    un = x.numpy() * y.numpy() + 1.0
    check(v, np.exp(-un * un) + np.tanh(un) * un)


def test_very_long_chain_is_cut_into_few_kernels():
    """Expressions deeper than the fuser's MAX_DEPTH are cut (bounding the emitter's
    recursion): 150 dependent ops give a handful of elementwise kernels, not 150."""
    from torsh.ir.passes.fuse import MAX_DEPTH

    x, = inputs((1000,))
    t, r = x, x.numpy()
    for i in range(75):
        t, r = t * 0.999 + 0.001 * i, r * np.float32(0.999) + np.float32(0.001 * i)
    ks = kinds(t)
    assert set(ks) == {"elementwise"}
    assert len(ks) <= 2 * 150 // MAX_DEPTH + 1, ks
    check(t, r, rtol=1e-5, atol=1e-5)


def test_elementwise_chain_with_casts_and_comparisons_is_one_kernel():
    x, y = inputs((1000,), (1000,))
    t = ((x > 0) & (y < 0.5)).float() * x + (x * 10).int().double().float()
    assert kinds(t) == ["elementwise"]
    xn, yn = x.numpy(), y.numpy()
    check(t, ((xn > 0) & (yn < 0.5)).astype(np.float32) * xn
          + (xn * 10).astype(np.int32).astype(np.float32))


def test_multiple_results_of_one_shape_share_one_kernel():
    x, y = inputs((32, 32), (32, 32))
    a, b = torsh.exp(x) + y, torsh.exp(x) * y
    ks = kinds(a, b)
    assert len(ks) <= 2 and set(ks) == {"elementwise"}


def test_matmul_with_bias_and_relu_is_one_matmul_kernel():
    x, w, b = inputs((37, 29), (29, 23), (23,))
    out = torsh.relu(x @ w + b)
    assert kinds(out) == ["matmul"], "the bias add and relu must fuse as the epilogue"
    check(out, np.maximum(x.numpy() @ w.numpy() + b.numpy(), 0), rtol=1e-4, atol=1e-5)


def test_linear_layer_epilogue_with_activation_chain_is_one_kernel():
    x, w, b = inputs((16, 64), (64, 32), (32,))
    out = torsh.tanh(x @ w + b) * 0.5 + 1.0
    assert kinds(out) == ["matmul"]
    check(out, np.tanh(x.numpy() @ w.numpy() + b.numpy()) * 0.5 + 1.0, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_is_at_most_three_kernels(dim):
    x, = inputs((24, 40))
    out = torsh.softmax(x, dim=dim)
    assert len(kinds(out)) <= 3
    xn = x.numpy()
    e = np.exp(xn - xn.max(dim, keepdims=True))
    check(out, e / e.sum(dim, keepdims=True))


def test_log_softmax_is_at_most_three_kernels():
    x, = inputs((24, 40))
    out = torsh.log_softmax(x, dim=1)
    assert len(kinds(out)) <= 3
    xn = x.numpy().astype(np.float64)
    m = xn.max(1, keepdims=True)
    check(out, xn - m - np.log(np.exp(xn - m).sum(1, keepdims=True)), rtol=1e-5, atol=1e-5)


def movement_cases():
    x, y, v, big = inputs((24, 40), (40, 24), (40,), (2, 24, 40, 3))
    xn, yn, vn, bn = x.numpy(), y.numpy(), v.numpy(), big.numpy()
    return {
        "broadcast row vector": (x * v + 1.0, xn * vn + 1.0),
        "broadcast column": (x - x[:, :1], xn - xn[:, :1]),
        "expand": (v.expand(24, 40) * x, np.broadcast_to(vn, (24, 40)) * xn),
        "transpose": (x + y.t(), xn + yn.T),
        "permute": (big.permute(3, 0, 2, 1) * 2.0, bn.transpose(3, 0, 2, 1) * 2.0),
        "strided slice": (x[2:20:3, 1::2] * 3.0, xn[2:20:3, 1::2] * 3.0),
        "reshape of a slice": (x[:, :20].reshape(48, 10) + 1.0, xn[:, :20].reshape(48, 10) + 1.0),
        "permuted matmul operand": (x.t() @ x, xn.T @ xn),
        "sliced matmul operands": (x[:, :16] @ y[8:24], xn[:, :16] @ yn[8:24]),
        "broadcast batch matmul": (big[:, :, :4, 0] @ y[:4, :5], bn[:, :, :4, 0] @ yn[:4, :5]),
        "reduction of a permute": (big.permute(0, 3, 1, 2).sum(3),
                                   bn.transpose(0, 3, 1, 2).sum(3)),
    }


@pytest.mark.parametrize("case", list(movement_cases()))
def test_movement_inputs_do_not_create_copy_kernels(case):
    t, want = movement_cases()[case]
    ks = kinds(t)
    assert len(ks) == 1, f"{case}: {ks}"
    check(t, want, rtol=1e-4, atol=1e-5)


def has_avx512f() -> bool:
    return "+avx512f" in host().features.split(",")


@pytest.mark.skipif(not has_avx512f(), reason="the host CPU has no avx512f")
def test_large_elementwise_kernel_uses_avx512_registers():
    a, b, c = inputs((1 << 20,), (1 << 20,), (1 << 20,))
    t = torsh.relu(a * b + c) * 0.5 + torsh.exp(-a) * 0.1
    asm = torsh.ir.dump(t, "asm")
    zmm = len(re.findall(r"%zmm\d+", asm))
    assert zmm > 0, "no zmm register in the kernel's assembly"
    assert re.search(r"\bv\w+ps\b[^\n]*%zmm", asm), "no packed single-precision zmm op"


def test_two_matmuls_into_one_kernel_root_take_one_epilogue_each():
    # (x^T @ x)'s gradient adds two matmuls; after canonicalization both could end in the
    # same add: only one may become its epilogue (a kernel holds one matmul)
    x, y = inputs((6, 5), (5, 6))
    a, b = inputs((6, 6), (6, 6))
    out = x @ y + (a @ b).T
    assert kinds(out).count("matmul") == 2
    check(out, x.numpy() @ y.numpy() + (a.numpy() @ b.numpy()).T, rtol=1e-4, atol=1e-5)
