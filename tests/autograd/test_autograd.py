"""Autograd semantics: leaves, accumulation, grad modes, errors, and compilation."""

import subprocess
import sys

import numpy as np
import pytest

import torsh
from torsh.codegen import STATS


def test_specified_example_prints_tensor_4():
    code = ("import torsh\nx = torsh.tensor([2.0], requires_grad=True)\ny = x ** 2\n"
            "y.backward()\nprint(x.grad)  # tensor([4.])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "tensor([4.])"


def test_leaf_and_non_leaf():
    x = torsh.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
    y.sum().backward()
    assert y.grad is None  # like PyTorch, only leaves get .grad
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_gradients_accumulate_across_backward_calls():
    x = torsh.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 10).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0, 14.0])


def test_shared_subexpression_accumulates_within_one_backward():
    x = torsh.tensor([3.0], requires_grad=True)
    y = x * x
    (y + y * 2).backward()  # d/dx 3x^2 = 6x
    np.testing.assert_allclose(x.grad.numpy(), [18.0])


def test_no_grad_and_detach():
    x = torsh.tensor([1.0], requires_grad=True)
    with torsh.no_grad():
        y = x * 2
    assert not y.requires_grad
    z = (x * 2).detach()
    assert not z.requires_grad and z.is_leaf
    np.testing.assert_array_equal(z.numpy(), [2.0])

    @torsh.no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad
    assert torsh.is_grad_enabled()


def test_set_grad_enabled_as_call_and_context():
    with torsh.set_grad_enabled(False):
        assert not torsh.is_grad_enabled()
    assert torsh.is_grad_enabled()


def test_integer_inputs_cannot_require_grad():
    with pytest.raises(torsh.DTypeError, match="floating point"):
        torsh.tensor([1, 2]).requires_grad_()


def test_backward_on_non_scalar_without_gradient_says_what_to_do():
    x = torsh.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(torsh.InvalidArgumentError, match="scalar outputs.*gradient="):
        (x * 2).backward()
    (x * 2).backward(torsh.tensor([1.0, 0.5]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 1.0])


def test_backward_twice_needs_retain_graph():
    x = torsh.tensor([1.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(torsh.InvalidArgumentError, match="retain_graph=True"):
        y.backward()
    z = (x.exp() * 2).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), [6 * np.e], rtol=1e-6)


def test_backward_without_grad_requirement_is_an_error():
    with pytest.raises(torsh.InvalidArgumentError, match="does not require grad"):
        torsh.tensor([1.0]).sum().backward()


def test_grad_function_and_unused_inputs():
    x = torsh.tensor([2.0], requires_grad=True)
    w = torsh.tensor([5.0], requires_grad=True)
    (gx,) = torsh.autograd.grad((x ** 3).sum(), [x])
    np.testing.assert_allclose(gx.numpy(), [12.0])
    assert x.grad is None  # grad() does not touch .grad
    with pytest.raises(torsh.InvalidArgumentError, match="allow_unused"):
        torsh.autograd.grad((x * 2).sum(), [x, w])
    gx, gw = torsh.autograd.grad((x * 2).sum(), [x, w], allow_unused=True)
    assert gw is None


def test_higher_order():
    x = torsh.tensor([1.5], dtype=torsh.float64, requires_grad=True)
    (g,) = torsh.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (gg,) = torsh.autograd.grad(g.sum(), x, create_graph=True)
    (ggg,) = torsh.autograd.grad(gg.sum(), x)
    np.testing.assert_allclose([g.item(), gg.item(), ggg.item()], [6.75, 9.0, 6.0])


def test_backward_compiles_once_and_replays(tmp_path, monkeypatch):
    monkeypatch.setenv("TORSH_CACHE_DIR", str(tmp_path))
    w = torsh.randn(8, 4, requires_grad=True)

    def step(x):
        loss = torsh.log_softmax(torsh.tanh(x @ w), dim=1).mean()
        loss.backward()
        return loss

    step(torsh.randn(16, 8))
    compiles, builds = STATS.compiles, STATS.plan_builds
    for _ in range(3):
        w.grad = None
        step(torsh.randn(16, 8))
    assert STATS.compiles == compiles
    assert STATS.plan_builds == builds


def test_values_built_before_an_optimizer_step_keep_the_old_weights():
    w = torsh.nn.Parameter(torsh.tensor([1.0, 2.0]))
    opt = torsh.optim.SGD([w], lr=0.5)
    before = w * 3  # lazy, built from the old weights
    (w * w).sum().backward()
    opt.step()
    assert w.tolist() == [0.0, 0.0]
    assert before.tolist() == [3.0, 6.0]
    assert (w * 3).tolist() == [0.0, 0.0]
