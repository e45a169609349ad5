"""The optimization pipeline by kernel size: tiny kernels compile with LLVM's cheap O1
pipeline (no vectorizer), the rest with O3 and the vectorizers; both give the numbers."""

from __future__ import annotations

import numpy as np

import torsh
from torsh.codegen import compiler
from torsh.codegen.kernels import emit_kernel
from torsh.plan import graph_plan


def _kernel_info(t):
    plan = graph_plan([t])
    (step,) = plan.steps
    return step.kernel.info


def test_tiny_kernels_take_the_cheap_pipeline_and_large_ones_the_full_one():
    small = torsh.tensor(np.arange(8.0, dtype=np.float32))
    large = torsh.tensor(np.arange(1 << 16, dtype=np.float32))
    tiny_info = _kernel_info(torsh.exp(small) * 2 + 1)
    big_info = _kernel_info(torsh.exp(large) * 2 + 1)
    assert compiler.speed_level(tiny_info) == 1
    assert compiler.speed_level(big_info) == 3
    assert "cheap_opt" in compiler.fingerprint()["options"]  # part of every cache key


def test_the_cheap_pipeline_does_not_vectorize_and_both_give_the_numbers():
    x = np.linspace(-5, 5, 4096 * 4, dtype=np.float32)
    for n in (16, x.size):  # one tiny kernel, one large
        t = torsh.tensor(x[:n])
        out = torsh.tanh(t) * torsh.exp(-t * t) + 0.5
        func = next(f for f in graph_plan([out]).module.funcs if f.name.startswith("kernel"))
        text, info = emit_kernel(func, "k")
        llvm = str(compiler.optimize(text, compiler.speed_level(info)))
        vectorized = "<16 x float>" in llvm or "<8 x float>" in llvm
        assert vectorized == (n == x.size), n
        want = np.tanh(x[:n].astype(np.float64)) * np.exp(-x[:n].astype(np.float64) ** 2) + 0.5
        np.testing.assert_allclose(out.numpy(), want, rtol=1.3e-6, atol=1e-5)
