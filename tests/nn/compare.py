"""Run a torsh module and its torch twin on the same data; compare outputs and gradients.

Weights travel torsh -> torch (``tp.data.copy_(torch.from_numpy(p.numpy()))``), the
output is reduced with fixed random weights ``sum(out * R)`` so every output element gets a
distinct cotangent, and the comparison uses torch's default tolerances for the dtype
(float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7).
"""

from __future__ import annotations

import numpy as np

import torsh

TORSH_DTYPE = {np.float32: torsh.float32, np.float64: torsh.float64}


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def as_torch(t, torch):
    return torch.from_numpy(np.array(t.numpy()))


def copy_weights(src, dst, torch) -> None:
    """Every torsh parameter into the torch parameter of the same name (and order)."""
    names = [n for n, _ in src.named_parameters()]
    tnames = [n for n, _ in dst.named_parameters()]
    assert names == tnames, (names, tnames)
    with torch.no_grad():
        for (_, p), (_, tp) in zip(src.named_parameters(), dst.named_parameters()):
            assert tuple(p.shape) == tuple(tp.shape)
            tp.data.copy_(torch.from_numpy(p.numpy()))


def assert_close(got, want, torch, what: str = "") -> None:
    got_t = as_torch(got, torch) if isinstance(got, torsh.Tensor) else got
    torch.testing.assert_close(got_t, want.detach(), msg=lambda m: f"{what}: {m}")


def check_module(mod, tmod, inputs: list[np.ndarray], torch, grad_inputs=None,
                 seed: int = 7) -> None:
    """Forward both on ``inputs`` (numpy); compare the output, the gradients of the float
    inputs listed in ``grad_inputs`` (default: all float inputs) and of every parameter."""
    copy_weights(mod, tmod, torch)
    if grad_inputs is None:
        grad_inputs = [i for i, a in enumerate(inputs) if a.dtype.kind == "f"]
    xs = [torsh.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(inputs)]
    txs = [torch.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(inputs)]
    out = mod(*xs)
    tout = tmod(*txs)
    assert tuple(out.shape) == tuple(tout.shape), (out.shape, tout.shape)
    assert_close(out, tout, torch, "forward")
    # distinct cotangents for every output element, in the output's dtype
    r = rng(seed).standard_normal(tuple(out.shape)).astype(tout.detach().numpy().dtype)
    (out * torsh.tensor(r)).sum().backward()
    (tout * torch.from_numpy(r)).sum().backward()
    for i in grad_inputs:
        assert xs[i].grad is not None, f"input {i} got no gradient"
        assert_close(xs[i].grad, txs[i].grad, torch, f"grad of input {i}")
    tparams = dict(tmod.named_parameters())
    for name, p in mod.named_parameters():
        assert p.grad is not None, f"parameter {name} got no gradient"
        assert_close(p.grad, tparams[name].grad, torch, f"grad of {name}")
