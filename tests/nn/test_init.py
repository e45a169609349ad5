"""Initialisations: PyTorch's formulas for the default Linear/Conv2d parameters and the
statistics of torsh.nn.init on a large tensor (acceptance line 1, torch-free)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import torsh
import torsh.nn as nn
from torsh.nn import init


def assert_uniform(a: np.ndarray, bound: float, what: str) -> None:
    """U(-bound, bound): inside the interval, reaching close to both ends, with the
    uniform's standard deviation bound / sqrt(3) and mean 0."""
    assert np.abs(a).max() <= bound * (1 + 1e-6), what
    assert a.max() > bound * 0.97 and a.min() < -bound * 0.97, what
    np.testing.assert_allclose(a.std(), bound / math.sqrt(3), rtol=0.03, err_msg=what)
    assert abs(a.mean()) < 0.03 * bound, what


@pytest.mark.parametrize("fan_in, out", [(300, 200), (64, 1000)])
def test_linear_default_init_is_uniform_one_over_sqrt_fan_in(fan_in, out):
    torsh.manual_seed(0)
    lin = nn.Linear(fan_in, out)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) reduces to this
    assert_uniform(lin.weight.numpy(), bound, "weight")
    b = lin.bias.numpy()
    assert np.abs(b).max() <= bound and np.abs(b).max() > bound * 0.9


def test_conv2d_default_init_uses_the_receptive_field_in_fan_in():
    torsh.manual_seed(0)
    conv = nn.Conv2d(16, 64, (3, 5))
    fan_in = 16 * 3 * 5
    assert_uniform(conv.weight.numpy(), 1 / math.sqrt(fan_in), "weight")
    b = conv.bias.numpy()
    assert np.abs(b).max() <= 1 / math.sqrt(fan_in)


def test_embedding_and_layer_norm_defaults():
    torsh.manual_seed(0)
    w = nn.Embedding(1000, 100).weight.numpy()
    assert abs(w.std() - 1) < 0.02 and abs(w.mean()) < 0.02  # N(0, 1)
    ln = nn.LayerNorm(7)
    np.testing.assert_array_equal(ln.weight.numpy(), np.ones(7, np.float32))
    np.testing.assert_array_equal(ln.bias.numpy(), np.zeros(7, np.float32))


def big(*shape):
    return nn.Parameter(torsh.empty(*shape))


@pytest.mark.parametrize("shape", [(400, 500), (64, 32, 3, 3)])
def test_kaiming_and_xavier_statistics(shape):
    torsh.manual_seed(1)
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    relu_gain = math.sqrt(2)

    w = init.kaiming_uniform_(big(*shape), nonlinearity="relu")
    assert_uniform(w.numpy(), math.sqrt(3) * relu_gain / math.sqrt(fan_in), "kaiming_uniform")
    w = init.kaiming_uniform_(big(*shape), mode="fan_out", nonlinearity="relu")
    assert_uniform(w.numpy(), math.sqrt(3) * relu_gain / math.sqrt(fan_out), "fan_out")
    w = init.kaiming_normal_(big(*shape), nonlinearity="relu").numpy()
    np.testing.assert_allclose(w.std(), relu_gain / math.sqrt(fan_in), rtol=0.03)
    # the default is leaky_relu with a=0, i.e. the relu gain
    w = init.kaiming_normal_(big(*shape)).numpy()
    np.testing.assert_allclose(w.std(), relu_gain / math.sqrt(fan_in), rtol=0.03)
    w = init.kaiming_normal_(big(*shape), a=math.sqrt(5)).numpy()
    np.testing.assert_allclose(w.std(), math.sqrt(2 / 6) / math.sqrt(fan_in), rtol=0.03)

    w = init.xavier_uniform_(big(*shape))
    assert_uniform(w.numpy(), math.sqrt(6 / (fan_in + fan_out)), "xavier_uniform")
    w = init.xavier_normal_(big(*shape), gain=2.0).numpy()
    np.testing.assert_allclose(w.std(), 2.0 * math.sqrt(2 / (fan_in + fan_out)), rtol=0.03)
    assert abs(w.mean()) < 0.03 * w.std()


def test_zeros_ones_constant_normal_uniform():
    torsh.manual_seed(2)
    p = big(300, 300)
    assert init.zeros_(p) is p
    np.testing.assert_array_equal(p.numpy(), np.zeros((300, 300), np.float32))
    np.testing.assert_array_equal(init.ones_(p).numpy(), np.ones((300, 300), np.float32))
    np.testing.assert_array_equal(init.constant_(p, 0.25).numpy(), np.full((300, 300), 0.25,
                                                                            np.float32))
    a = init.normal_(p, mean=2.0, std=0.5).numpy()
    assert abs(a.mean() - 2.0) < 0.01 and abs(a.std() - 0.5) < 0.01
    a = init.uniform_(p, -3.0, 1.0).numpy()
    assert a.min() >= -3.0 and a.max() <= 1.0 and abs(a.mean() + 1.0) < 0.02
    # init keeps the parameter a trainable leaf of its dtype
    assert p.requires_grad and p.is_leaf and p.dtype == torsh.float32


def test_init_works_on_a_plain_tensor_too():
    t = torsh.empty(4, 5, dtype=torsh.float64)
    init.ones_(t)
    np.testing.assert_array_equal(t.numpy(), np.ones((4, 5)))


def test_calculate_gain_and_bad_arguments():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(torsh.InvalidArgumentError, match="nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(torsh.InvalidArgumentError, match="at least 2 dims"):
        init.xavier_uniform_(big(10))
    with pytest.raises(torsh.InvalidArgumentError, match="mode"):
        init.kaiming_uniform_(big(3, 3), mode="fan_avg")
