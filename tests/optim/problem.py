"""The deterministic problem every optimizer test trains on, in torsh, torch and numpy:
loss = sum((X @ W.T + b - Y) ** 2) on fixed data."""

from __future__ import annotations

import numpy as np

import torsh

RNG = np.random.default_rng(1234)
X = RNG.standard_normal((6, 3))
Y = RNG.standard_normal((6, 4))
W0 = RNG.standard_normal((4, 3))
B0 = RNG.standard_normal(4)
STEPS = 20


def init(dtype=np.float64) -> list[np.ndarray]:
    return [W0.astype(dtype), B0.astype(dtype)]


def numpy_grads(params: list[np.ndarray]) -> list[np.ndarray]:
    w, b = params
    r = X @ w.T + b - Y
    return [2 * r.T @ X, 2 * r.sum(0)]


def torsh_loss(params, dtype=np.float64):
    w, b = params
    x, y = torsh.tensor(X.astype(dtype)), torsh.tensor(Y.astype(dtype))
    return ((x @ w.T + b - y) ** 2).sum()


def torch_loss(params, torch, dtype=np.float64):
    w, b = params
    x, y = torch.tensor(X.astype(dtype)), torch.tensor(Y.astype(dtype))
    return ((x @ w.T + b - y) ** 2).sum()


def torsh_params(dtype=np.float64) -> list:
    return [torsh.nn.Parameter(torsh.tensor(a)) for a in init(dtype)]


def torsh_step(opt, params, dtype=np.float64) -> float:
    opt.zero_grad()
    loss = torsh_loss(params, dtype)
    loss.backward()
    opt.step()
    return loss.item()
