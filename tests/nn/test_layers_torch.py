"""Every layer against torch.nn: the same weights and input give the same output and the
same gradients of the input and of every parameter (acceptance line 1)."""

from __future__ import annotations

import numpy as np
import pytest

import torsh
import torsh.nn as nn
from tests.nn.compare import TORSH_DTYPE, check_module, copy_weights, rng

torch = pytest.importorskip("torch")
tnn = torch.nn

DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["f32", "f64"]


def data(*shape, dtype=np.float32, seed=0, scale=1.0):
    return (rng(seed).standard_normal(shape) * scale).astype(dtype)


@pytest.fixture(params=DTYPES, ids=DTYPE_IDS)
def dtype(request):
    return request.param


def twin(tmod, dtype):
    return tmod.double() if dtype == np.float64 else tmod


# ----------------------------------------------------------------------------- Linear

@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_linear(dtype, bias):
    mod = nn.Linear(7, 5, bias=bias, dtype=TORSH_DTYPE[dtype])
    assert (mod.bias is None) == (not bias)
    check_module(mod, twin(tnn.Linear(7, 5, bias=bias), dtype), [data(4, 7, dtype=dtype)], torch)


def test_linear_batched_input():
    check_module(nn.Linear(6, 3), tnn.Linear(6, 3), [data(2, 4, 6)], torch)


# ------------------------------------------------------------------------ activations

ACTIVATIONS = [
    ("relu", lambda: nn.ReLU(), lambda: tnn.ReLU()),
    ("sigmoid", lambda: nn.Sigmoid(), lambda: tnn.Sigmoid()),
    ("tanh", lambda: nn.Tanh(), lambda: tnn.Tanh()),
    ("gelu", lambda: nn.GELU(), lambda: tnn.GELU()),
    ("gelu_tanh", lambda: nn.GELU("tanh"), lambda: tnn.GELU(approximate="tanh")),
    ("silu", lambda: nn.SiLU(), lambda: tnn.SiLU()),
    ("softmax_last", lambda: nn.Softmax(dim=-1), lambda: tnn.Softmax(dim=-1)),
    ("softmax_dim0", lambda: nn.Softmax(dim=0), lambda: tnn.Softmax(dim=0)),
    ("log_softmax", lambda: nn.LogSoftmax(dim=1), lambda: tnn.LogSoftmax(dim=1)),
    ("flatten", lambda: nn.Flatten(), lambda: tnn.Flatten()),
    ("flatten_0_1", lambda: nn.Flatten(0, 1), lambda: tnn.Flatten(0, 1)),
]


@pytest.mark.parametrize("name, make, make_torch", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation(name, make, make_torch, dtype):
    # values across the interesting range, including large ones that saturate
    x = data(3, 4, 5, dtype=dtype, scale=3.0)
    x[0, 0, :] = np.array([-30.0, -8.0, 8.0, 30.0, 0.5], dtype=dtype)
    check_module(make(), make_torch(), [x], torch)


def test_dropout_eval_mode_is_identity():
    x = data(4, 6)
    mod, tmod = nn.Dropout(0.5).eval(), tnn.Dropout(0.5).eval()
    check_module(mod, tmod, [x], torch)


# --------------------------------------------------------------------- containers

def test_sequential(dtype):
    td = TORSH_DTYPE[dtype]
    mod = nn.Sequential(nn.Linear(5, 8, dtype=td), nn.Tanh(), nn.Linear(8, 8, dtype=td),
                        nn.ReLU(), nn.Linear(8, 3, dtype=td), nn.LogSoftmax(dim=1))
    tmod = twin(tnn.Sequential(tnn.Linear(5, 8), tnn.Tanh(), tnn.Linear(8, 8), tnn.ReLU(),
                               tnn.Linear(8, 3), tnn.LogSoftmax(dim=1)), dtype)
    check_module(mod, tmod, [data(6, 5, dtype=dtype)], torch)


def test_module_list_in_a_custom_module():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            for layer in self.layers:
                x = torsh.tanh(layer(x))
            return self.head(x)

    class TorchStack(tnn.Module):
        def __init__(self):
            super().__init__()
            self.layers = tnn.ModuleList([tnn.Linear(4, 4) for _ in range(3)])
            self.head = tnn.Linear(4, 2)

        def forward(self, x):
            for layer in self.layers:
                x = torch.tanh(layer(x))
            return self.head(x)

    check_module(Stack(), TorchStack(), [data(5, 4)], torch)


# ---------------------------------------------------------------- Embedding, LayerNorm

def test_embedding(dtype):
    mod = nn.Embedding(10, 4, dtype=TORSH_DTYPE[dtype])
    index = np.array([[1, 3, 3, 9], [0, 3, 7, 1]], dtype=np.int64)  # repeats accumulate
    check_module(mod, twin(tnn.Embedding(10, 4), dtype), [index], torch)


@pytest.mark.parametrize("shape", [(6,), (3, 6)], ids=["last", "last2"])
def test_layer_norm(dtype, shape):
    mod = nn.LayerNorm(shape, dtype=TORSH_DTYPE[dtype])
    # non-trivial affine parameters, so their gradients and use are checked
    nn.init.uniform_(mod.weight, 0.5, 1.5)
    nn.init.uniform_(mod.bias, -0.5, 0.5)
    tmod = twin(tnn.LayerNorm(shape), dtype)
    check_module(mod, tmod, [data(2, 3, 6, dtype=dtype, scale=2.0) + 1.0], torch)


def test_layer_norm_without_affine():
    mod = nn.LayerNorm(6, elementwise_affine=False)
    assert list(mod.parameters()) == []
    check_module(mod, tnn.LayerNorm(6, elementwise_affine=False), [data(4, 6)], torch)


# ---------------------------------------------------------------- Conv2d, MaxPool2d

CONVS = [
    dict(kernel_size=3),
    dict(kernel_size=3, stride=2),
    dict(kernel_size=3, padding=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 0)),
    dict(kernel_size=1, bias=False),
    dict(kernel_size=3, dilation=2),
    dict(kernel_size=(3, 2), dilation=(2, 1), stride=2, padding=2),
    dict(kernel_size=3, padding="same", dilation=2),
    dict(kernel_size=(2, 4), padding="same"),
    dict(kernel_size=3, padding="valid"),
]


@pytest.mark.parametrize("kw", CONVS, ids=lambda kw: "-".join(f"{k}{v}" for k, v in kw.items()))
def test_conv2d(kw):
    mod = nn.Conv2d(3, 4, dtype=torsh.float64, **kw)
    tmod = tnn.Conv2d(3, 4, **kw).double()
    check_module(mod, tmod, [data(2, 3, 7, 6, dtype=np.float64)], torch)


@pytest.mark.parametrize("groups,out", [(2, 6), (4, 8), (4, 4)], ids=["g2", "depthwise2x",
                                                                         "depthwise"])
def test_conv2d_groups(groups, out):
    kw = dict(kernel_size=3, padding=1, groups=groups)
    mod = nn.Conv2d(4, out, dtype=torsh.float64, **kw)
    tmod = tnn.Conv2d(4, out, **kw).double()
    assert tuple(mod.weight.shape) == tuple(tmod.weight.shape)
    check_module(mod, tmod, [data(2, 4, 6, 5, dtype=np.float64)], torch)


def test_conv2d_bad_groups_and_padding_are_typed_errors():
    with pytest.raises(torsh.InvalidArgumentError, match="groups=3"):
        nn.Conv2d(4, 6, 3, groups=3)
    with pytest.raises(torsh.InvalidArgumentError, match="stride 1"):
        nn.Conv2d(2, 2, 3, stride=2, padding="same")(torsh.randn(1, 2, 5, 5))
    with pytest.raises(torsh.TorshNotImplementedError, match="padding_mode"):
        nn.Conv2d(2, 2, 3, padding_mode="reflect")


def test_conv2d_float32():
    check_module(nn.Conv2d(2, 3, 3, padding=1), tnn.Conv2d(2, 3, 3, padding=1),
                 [data(2, 2, 5, 5)], torch)


POOLS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1)),
    dict(kernel_size=2, dilation=2),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=2, stride=3, dilation=2, ceil_mode=True),
]


@pytest.mark.parametrize("kw", POOLS, ids=lambda kw: "-".join(f"{k}{v}" for k, v in kw.items()))
def test_max_pool2d(kw):
    # random normal data: no ties, so the gradient goes to one well-defined maximum
    check_module(nn.MaxPool2d(**kw), tnn.MaxPool2d(**kw), [data(2, 3, 7, 6)], torch)


@pytest.mark.parametrize("kw", POOLS, ids=lambda kw: "-".join(f"{k}{v}" for k, v in kw.items()))
def test_max_pool2d_with_ties_routes_the_gradient_like_torch(kw):
    # ties are common (zeros after a ReLU, flat image regions): torch sends each window's
    # gradient to its first maximum, not split among the tied ones
    x = np.maximum(np.round(data(2, 2, 7, 6)), 0.0).astype(np.float32)
    check_module(nn.MaxPool2d(**kw), tnn.MaxPool2d(**kw), [x], torch)
    check_module(nn.MaxPool2d(**kw), tnn.MaxPool2d(**kw), [np.zeros((1, 1, 5, 5), np.float32)],
                 torch)


def test_small_cnn():
    mod = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(4 * 4 * 4, 5))
    tmod = tnn.Sequential(tnn.Conv2d(1, 4, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Flatten(), tnn.Linear(4 * 4 * 4, 5))
    check_module(mod, tmod, [data(3, 1, 8, 8)], torch)


# ------------------------------------------------------------------------------ losses

REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction, dtype):
    check_module(nn.MSELoss(reduction=reduction), tnn.MSELoss(reduction=reduction),
                 [data(4, 3, dtype=dtype), data(4, 3, dtype=dtype, seed=1)], torch)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1], ids=["plain", "smooth"])
def test_cross_entropy_class_indices(reduction, smoothing, dtype):
    target = np.array([0, 4, 2, 2, 1], dtype=np.int64)
    check_module(nn.CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing),
                 tnn.CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing),
                 [data(5, 5, dtype=dtype, scale=2.0), target], torch)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2], ids=["plain", "smooth"])
def test_cross_entropy_probabilities(reduction, smoothing, dtype):
    logits = rng(3).standard_normal((4, 6))
    probs = (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype(dtype)
    # the gradient with respect to the target probabilities is compared too
    check_module(nn.CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing),
                 tnn.CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing),
                 [data(4, 6, dtype=dtype, scale=2.0), probs], torch)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1], ids=["plain", "smooth"])
@pytest.mark.parametrize("ignore", [-100, 2], ids=["no-ignore", "ignore2"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_cross_entropy_weight_and_ignore_index(reduction, smoothing, ignore, weighted, dtype):
    target = np.array([0, 4, 2, 2, 1, -100 if ignore == -100 else 3], dtype=np.int64)
    if ignore == -100:
        target[-1] = -100  # ignored by default
    weight = (np.arange(5) + 1.0).astype(dtype) / 3 if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing, ignore_index=ignore)
    check_module(nn.CrossEntropyLoss(None if weight is None else torsh.tensor(weight), **kw),
                 tnn.CrossEntropyLoss(None if weight is None else torch.tensor(weight), **kw),
                 [data(6, 5, dtype=dtype, scale=2.0), target], torch)
    logp = np.log(rng(5).dirichlet(np.ones(5), size=6)).astype(dtype)
    kw.pop("label_smoothing")
    check_module(nn.NLLLoss(None if weight is None else torsh.tensor(weight), **kw),
                 tnn.NLLLoss(None if weight is None else torch.tensor(weight), **kw),
                 [logp, target], torch)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_cross_entropy_spatial_and_probability_weights(weighted, dtype):
    """(N, C, H, W) logits with (N, H, W) targets, and weighted class probabilities."""
    weight = (np.arange(4) + 0.5).astype(dtype) if weighted else None
    wt = None if weight is None else torsh.tensor(weight)
    tw = None if weight is None else torch.tensor(weight)
    target = rng(6).integers(0, 4, (2, 3, 3))
    check_module(nn.CrossEntropyLoss(wt), tnn.CrossEntropyLoss(tw),
                 [data(2, 4, 3, 3, dtype=dtype), target], torch)
    probs = rng(7).dirichlet(np.ones(4), size=5).astype(dtype)
    check_module(nn.CrossEntropyLoss(wt, label_smoothing=0.1),
                 tnn.CrossEntropyLoss(tw, label_smoothing=0.1),
                 [data(5, 4, dtype=dtype), probs], torch)


def test_cross_entropy_positional_weight_and_legacy_arguments():
    import torsh.nn.functional as F

    x, t = data(4, 3), np.array([0, 2, 1, 1])
    w = np.array([1.0, 2.0, 0.5], np.float32)
    got = F.cross_entropy(torsh.tensor(x), torsh.tensor(t), torsh.tensor(w), reduce=False)
    want = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t),
                                             torch.tensor(w), reduction="none")
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1.3e-6, atol=1e-5)


def test_cross_entropy_single_sample():
    check_module(nn.CrossEntropyLoss(), tnn.CrossEntropyLoss(),
                 [data(5), np.array(3, dtype=np.int64)], torch)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction, dtype):
    logp = np.log(rng(4).dirichlet(np.ones(5), size=6)).astype(dtype)
    target = np.array([0, 1, 4, 4, 3, 2], dtype=np.int64)
    check_module(nn.NLLLoss(reduction=reduction), tnn.NLLLoss(reduction=reduction),
                 [logp, target], torch)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction, dtype):
    x = data(4, 5, dtype=dtype, scale=4.0)
    x[0, :3] = [-40.0, 40.0, 0.0]  # the stable formula must not overflow
    target = rng(5).uniform(size=(4, 5)).astype(dtype)
    target[1] = (target[1] > 0.5)  # hard labels too
    check_module(nn.BCEWithLogitsLoss(reduction=reduction),
                 tnn.BCEWithLogitsLoss(reduction=reduction), [x, target], torch)


def test_mlp_with_cross_entropy_end_to_end():
    mod = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.LayerNorm(16), nn.Linear(16, 4))
    tmod = tnn.Sequential(tnn.Linear(8, 16), tnn.GELU(), tnn.LayerNorm(16), tnn.Linear(16, 4))
    copy_weights(mod, tmod, torch)
    x, y = data(10, 8), np.arange(10, dtype=np.int64) % 4
    loss = nn.CrossEntropyLoss(label_smoothing=0.05)(mod(torsh.tensor(x)), torsh.tensor(y))
    tloss = tnn.CrossEntropyLoss(label_smoothing=0.05)(tmod(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    tloss.backward()
    torch.testing.assert_close(torch.tensor(loss.item()), tloss.detach())
    tp = dict(tmod.named_parameters())
    for name, p in mod.named_parameters():
        torch.testing.assert_close(torch.from_numpy(p.grad.numpy()), tp[name].grad, msg=name)


# ----------------------------------------------------------------- initialisations

@pytest.mark.parametrize("make, make_torch, fan_in", [
    (lambda: nn.Linear(300, 200), lambda: tnn.Linear(300, 200), 300),
    (lambda: nn.Conv2d(16, 32, 3), lambda: tnn.Conv2d(16, 32, 3), 16 * 9),
], ids=["linear", "conv2d"])
def test_default_init_bounds_match_torch(make, make_torch, fan_in):
    # both draw U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias (torch's
    # kaiming_uniform_(a=sqrt(5)) and its bias rule); check both against that bound
    torsh.manual_seed(0)
    torch.manual_seed(0)
    mod, tmod = make(), make_torch()
    bound = 1 / np.sqrt(fan_in)
    for (name, p), (tname, tp) in zip(mod.named_parameters(), tmod.named_parameters()):
        assert name == tname
        a, b = p.numpy(), tp.detach().numpy()
        assert a.dtype == b.dtype and a.shape == b.shape
        for arr, who in ((a, "torsh"), (b, "torch")):
            assert np.abs(arr).max() <= bound * (1 + 1e-6), (who, name)
            assert np.abs(arr).max() > bound * 0.8, (who, name)
        if name == "weight":  # large enough for the spread to be compared
            np.testing.assert_allclose(a.std(), b.std(), rtol=0.05, err_msg=name)
            np.testing.assert_allclose(a.std(), bound / np.sqrt(3), rtol=0.05, err_msg=name)
