"""Random chains of ops, compiled by torsh, against the same chain in numpy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import torsh

UNARY = [
    (lambda t: t.exp() * 0.1, lambda a: np.exp(a) * 0.1),
    (torsh.tanh, np.tanh), (torsh.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    (torsh.relu, lambda a: np.maximum(a, 0)), (lambda t: -t, np.negative),
    (torsh.abs, np.abs), (lambda t: t * t, lambda a: a * a),
    (lambda t: (t.abs() + 1).log(), lambda a: np.log(np.abs(a) + 1)),
    (lambda t: t.T, lambda a: a.T),
    (lambda t: t.sum(-1, keepdim=True), lambda a: a.sum(-1, keepdims=True)),
    (lambda t: t.max(0, keepdim=True).values, lambda a: a.max(0, keepdims=True)),
    (lambda t: t.softmax(-1), lambda a: np.exp(a - a.max(-1, keepdims=True))
     / np.exp(a - a.max(-1, keepdims=True)).sum(-1, keepdims=True)),
    (lambda t: t[::2], lambda a: a[::2]),
    (lambda t: t @ t.T * 0.1, lambda a: a @ a.T * 0.1),
    (lambda t: t.reshape(-1)[:4].reshape(2, 2), lambda a: a.reshape(-1)[:4].reshape(2, 2)),
]
BINARY = [
    (lambda a, b: a + b, np.add), (lambda a, b: a * b, np.multiply),
    (lambda a, b: a - b, np.subtract), (torsh.maximum, np.maximum),
    (lambda a, b: torsh.where(a > b, a, b * 0.5), lambda a, b: np.where(a > b, a, b * 0.5)),
]


def _fits(shape):
    return len(shape) == 2 and shape[0] >= 2 and shape[1] >= 2


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 5), st.integers(2, 5), st.lists(st.tuples(st.integers(0, len(UNARY) - 1),
       st.integers(0, len(BINARY) - 1), st.booleans()), min_size=1, max_size=6),
       st.integers(0, 2 ** 31))
def test_random_chain(rows, cols, steps, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((rows, cols)).astype(np.float32)
    t, n = torsh.tensor(a), a.astype(np.float64)
    for u, b, use_binary in steps:
        if not _fits(n.shape):
            break
        if use_binary:  # combine with a fresh operand, broadcast along the last dim
            other = rng.standard_normal(n.shape[-1:]).astype(np.float32)
            fb, nb = BINARY[b]
            t, n = fb(t, torsh.tensor(other)), nb(n, other.astype(np.float64))
        else:
            fu, nu = UNARY[u]
            t, n = fu(t), nu(n)
    # float32 kernels against a float64 numpy chain: errors compound over up to 6 steps
    np.testing.assert_allclose(t.numpy().astype(np.float64), n, rtol=1e-4, atol=1e-5)
