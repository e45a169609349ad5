"""Every layer and loss against its numpy formula (forward) and finite differences
(backward, float64 gradcheck): the torch-free half of acceptance line 1, so the layers stay
covered where torch is not installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import torsh
import torsh.nn as nn
import torsh.nn.functional as F

F64 = torsh.float64
_erf = np.vectorize(math.erf)


def data(*shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def leaf(a):
    return torsh.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def close(got, want):
    np.testing.assert_allclose(got.numpy() if isinstance(got, torsh.Tensor) else got, want,
                               rtol=1e-7, atol=1e-9)


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def np_conv2d(x, w, b, stride, padding):
    (sh, sw), (ph, pw) = stride, padding
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = (h - kh) // sh + 1, (wd - kw) // sw + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w)
    return out if b is None else out + b[None, :, None, None]


def np_max_pool2d(x, k, s, p):
    x = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=-np.inf)
    ho, wo = (x.shape[2] - k[0]) // s[0] + 1, (x.shape[3] - k[1]) // s[1] + 1
    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            out[:, :, i, j] = window.max((2, 3))
    return out


# ------------------------------------------------------------------------- forward

ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    (nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi)
                                                       * (x + 0.044715 * x ** 3)))),
    (nn.SiLU(), lambda x: x / (1 + np.exp(-x))),
    (nn.Softmax(dim=1), lambda x: np_softmax(x, 1)),
    (nn.LogSoftmax(dim=-1), lambda x: np.log(np_softmax(x, -1))),
    (nn.Flatten(), lambda x: x.reshape(x.shape[0], -1)),
    (nn.Dropout(0.3).eval(), lambda x: x),
]


@pytest.mark.parametrize("mod, ref", ACTIVATIONS, ids=lambda v: type(v).__name__
                         if isinstance(v, nn.Module) else "")
def test_activation_forward_and_gradcheck(mod, ref):
    x = data(2, 3, 4, scale=3.0)
    close(mod(torsh.tensor(x)), ref(x))
    assert torsh.autograd.gradcheck(lambda t: mod(t), [leaf(x[:, :2, :3])])


def test_linear_forward_and_gradcheck():
    mod = nn.Linear(4, 3, dtype=F64)
    w, b, x = mod.weight.numpy(), mod.bias.numpy(), data(5, 4)
    close(mod(torsh.tensor(x)), x @ w.T + b)
    assert torsh.autograd.gradcheck(F.linear, [leaf(x), leaf(w), leaf(b)])
    nobias = nn.Linear(4, 3, bias=False, dtype=F64)
    close(nobias(torsh.tensor(x)), x @ nobias.weight.numpy().T)


def test_sequential_and_module_list_compose_in_order():
    a, b = nn.Linear(3, 4, dtype=F64), nn.Linear(4, 2, dtype=F64)
    x = data(5, 3)
    want = np.tanh(x @ a.weight.numpy().T + a.bias.numpy()) @ b.weight.numpy().T + b.bias.numpy()
    close(nn.Sequential(a, nn.Tanh(), b)(torsh.tensor(x)), want)
    layers = nn.ModuleList([a, nn.Tanh(), b])
    h = torsh.tensor(x)
    for m in layers:
        h = m(h)
    close(h, want)


def test_embedding_forward_and_gradient_accumulates_repeats():
    mod = nn.Embedding(5, 3, dtype=F64)
    idx = np.array([[0, 4], [4, 2]])
    out = mod(torsh.tensor(idx))
    close(out, mod.weight.numpy()[idx])
    g = data(2, 2, 3)
    (out * torsh.tensor(g)).sum().backward()
    want = np.zeros((5, 3))
    np.add.at(want, idx, g)
    close(mod.weight.grad, want)


def test_layer_norm_forward_and_gradcheck():
    x = data(3, 5, scale=2.0) + 1
    w, b = data(5, seed=1), data(5, seed=2)
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    close(F.layer_norm(torsh.tensor(x), 5, torsh.tensor(w), torsh.tensor(b)),
          (x - mu) / np.sqrt(var + 1e-5) * w + b)
    assert torsh.autograd.gradcheck(lambda x, w, b: F.layer_norm(x, 5, w, b),
                                    [leaf(x), leaf(w), leaf(b)])


@pytest.mark.parametrize("stride, padding", [((1, 1), (0, 0)), ((2, 1), (1, 2))])
def test_conv2d_forward_and_gradcheck(stride, padding):
    x, w, b = data(2, 2, 5, 4), data(3, 2, 3, 2, seed=1), data(3, seed=2)
    close(F.conv2d(torsh.tensor(x), torsh.tensor(w), torsh.tensor(b), stride, padding),
          np_conv2d(x, w, b, stride, padding))
    assert torsh.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding),
                                    [leaf(x[:1]), leaf(w), leaf(b)])


@pytest.mark.parametrize("k, s, p", [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 2), (1, 1)),
                                     ((2, 3), (1, 2), (1, 1))])
def test_max_pool2d_forward_and_gradcheck(k, s, p):
    x = data(2, 2, 5, 6)
    close(nn.MaxPool2d(k, s, p)(torsh.tensor(x)), np_max_pool2d(x, k, s, p))
    assert torsh.autograd.gradcheck(lambda t: F.max_pool2d(t, k, s, p), [leaf(x[:1, :1])])


def test_max_pool2d_gradient_goes_to_the_first_maximum_of_a_window():
    x = leaf(np.zeros((1, 1, 4, 4)))  # every window is one big tie
    F.max_pool2d(x, 2).sum().backward()
    want = np.zeros((4, 4))
    want[::2, ::2] = 1.0  # the top-left (first, row-major) element of each 2x2 window
    close(x.grad[0, 0], want)


# --------------------------------------------------------------------------- losses

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_forward_and_gradcheck(reduction):
    x, t = data(4, 5, scale=2.0), data(4, 5, seed=1)
    idx = np.array([1, 0, 4, 4])
    red = {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction]
    logp = np.log(np_softmax(x, 1))
    probs = np_softmax(t, 1)
    y = (t > 0).astype(np.float64)

    close(nn.MSELoss(reduction=reduction)(torsh.tensor(x), torsh.tensor(t)), red((x - t) ** 2))
    close(nn.CrossEntropyLoss(reduction=reduction)(torsh.tensor(x), torsh.tensor(idx)),
          red(-logp[np.arange(4), idx]))
    close(nn.CrossEntropyLoss(reduction=reduction)(torsh.tensor(x), torsh.tensor(probs)),
          red(-(logp * probs).sum(1)))
    smooth = np.eye(5)[idx] * 0.9 + 0.1 / 5
    close(nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1)(
        torsh.tensor(x), torsh.tensor(idx)), red(-(logp * smooth).sum(1)))
    close(nn.NLLLoss(reduction=reduction)(torsh.tensor(logp), torsh.tensor(idx)),
          red(-logp[np.arange(4), idx]))
    close(nn.BCEWithLogitsLoss(reduction=reduction)(torsh.tensor(x), torsh.tensor(y)),
          red(-(y * np.log(1 / (1 + np.exp(-x))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-x))))))

    ti, tp, ty = torsh.tensor(idx), torsh.tensor(probs), torsh.tensor(y)
    for fn, args in [
        (lambda a, b: F.mse_loss(a, b, reduction), [leaf(x), leaf(t)]),
        (lambda a: F.cross_entropy(a, ti, reduction=reduction, label_smoothing=0.1), [leaf(x)]),
        (lambda a, b: F.cross_entropy(a, b, reduction=reduction), [leaf(x), leaf(probs)]),
        (lambda a: F.nll_loss(a, ti, reduction=reduction), [leaf(logp)]),
        (lambda a: F.binary_cross_entropy_with_logits(a, ty, reduction), [leaf(x)]),
        (lambda a: F.cross_entropy(a, tp, reduction=reduction), [leaf(x)]),
    ]:
        assert torsh.autograd.gradcheck(fn, args)


def test_bce_with_logits_gradient_at_zero_logit_is_sigmoid_minus_target():
    # sigmoid(0) - y: a zero-initialised output layer starts exactly here
    x = leaf(np.zeros(3))
    y = torsh.tensor([0.0, 1.0, 0.25], dtype=F64)
    F.binary_cross_entropy_with_logits(x, y, "sum").backward()
    close(x.grad, [0.5, -0.5, 0.25])


def test_bce_with_logits_is_finite_for_huge_logits():
    x = leaf([-1000.0, 1000.0])
    loss = F.binary_cross_entropy_with_logits(x, torsh.tensor([1.0, 0.0], dtype=F64), "none")
    close(loss, [1000.0, 1000.0])
    loss.sum().backward()
    close(x.grad, [-1.0, 1.0])


# -------------------------------------------------------------------------- dropout

@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_train_statistics(p):
    torsh.manual_seed(1)
    n = 200_000
    x = torsh.tensor(np.full(n, 3.0), dtype=F64, requires_grad=True)
    mod = nn.Dropout(p)
    assert mod.training
    out = mod(x)
    y = out.numpy()
    kept = y != 0
    # kept elements are scaled by 1 / (1 - p); the rest are exactly zero
    np.testing.assert_allclose(y[kept], 3.0 / (1 - p), rtol=1e-12)
    zero_fraction = 1 - kept.mean()
    sigma = math.sqrt(p * (1 - p) / n)
    assert abs(zero_fraction - p) < 6 * sigma, (zero_fraction, p)
    assert abs(y.mean() - 3.0) < 0.05  # the expectation is preserved
    # the gradient flows only through the kept elements, with the same scale
    out.sum().backward()
    g = x.grad.numpy()
    np.testing.assert_array_equal(g != 0, kept)
    np.testing.assert_allclose(g[kept], 1 / (1 - p), rtol=1e-12)


def test_dropout_draws_a_new_mask_each_call_and_edge_probabilities():
    torsh.manual_seed(2)
    x = torsh.ones(1000)
    a, b = F.dropout(x, 0.5).numpy(), F.dropout(x, 0.5).numpy()
    assert (a != b).any()
    np.testing.assert_array_equal(F.dropout(x, 0.0).numpy(), np.ones(1000))
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros(1000))
    np.testing.assert_array_equal(F.dropout(x, 0.5, training=False).numpy(), np.ones(1000))
    with pytest.raises(torsh.InvalidArgumentError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_follows_the_module_training_flag():
    torsh.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.9))
    x = torsh.ones(64, 4)
    assert (model(x).numpy() == 0).mean() > 0.5
    model.eval()
    lin = model[0]
    np.testing.assert_allclose(model(x).numpy(), lin(x).numpy())
