"""Bad input (acceptance line 6): each mistake raises a typed torsh error whose message
names the problem and says what to do."""

from __future__ import annotations

import pytest

import torsh
import torsh.nn as nn
import torsh.nn.functional as F


def test_linear_wrong_input_size_names_both_sizes():
    lin = nn.Linear(4, 3)
    with pytest.raises(torsh.ShapeMismatchError) as err:
        lin(torsh.ones(2, 5))
    msg = str(err.value)
    assert "input has 5 features" in msg and "expects 4" in msg
    assert "[2, 5]" in msg and "[3, 4]" in msg


def test_cross_entropy_float_class_targets_say_use_long():
    logits = torsh.randn(2, 3)
    with pytest.raises(torsh.DTypeError, match=r"\.long\(\)"):
        nn.CrossEntropyLoss()(logits, torsh.tensor([1.0, 2.0]))
    with pytest.raises(torsh.DTypeError, match=r"\.long\(\)"):
        F.nll_loss(logits, torsh.tensor([True, False]))
    # the fix the message suggests works
    nn.CrossEntropyLoss()(logits, torsh.tensor([1.0, 2.0]).long()).realize()


def test_class_targets_out_of_range_and_wrong_shape():
    with pytest.raises(torsh.TorshIndexError, match="target 5 is out of bounds for 3 classes"):
        F.cross_entropy(torsh.randn(2, 3), torsh.tensor([1, 5]))
    with pytest.raises(torsh.TorshIndexError, match="target -1"):
        F.nll_loss(torsh.randn(2, 3), torsh.tensor([-1, 0]))
    with pytest.raises(torsh.ShapeMismatchError, match=r"expected input \(N, C, ...\) and target"):
        F.cross_entropy(torsh.randn(2, 3), torsh.tensor([1, 2, 0]))


def test_backward_on_non_scalar_without_gradient():
    x = torsh.ones(3, requires_grad=True)
    with pytest.raises(torsh.InvalidArgumentError) as err:
        (x * 2).backward()
    msg = str(err.value)
    assert "only for scalar outputs" in msg and "[3]" in msg
    assert "gradient=" in msg and ".sum().backward()" in msg
    (x * 2).backward(gradient=torsh.ones(3))  # what it suggests works
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_backward_twice_without_retain_graph():
    x = torsh.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(torsh.InvalidArgumentError) as err:
        y.backward()
    assert "second time" in str(err.value) and "retain_graph=True" in str(err.value)
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()  # allowed: the first call kept the graph
    assert x.grad.tolist() == [6.0, 12.0]


def test_backward_of_a_tensor_without_grad():
    with pytest.raises(torsh.InvalidArgumentError, match="requires_grad=True"):
        torsh.ones(2).sum().backward()


def test_layer_shape_and_dtype_errors():
    with pytest.raises(torsh.ShapeMismatchError, match="input has 2 channels.*expects 3"):
        nn.Conv2d(3, 4, 3)(torsh.ones(1, 2, 5, 5))
    with pytest.raises(torsh.ShapeMismatchError, match="4-D"):
        nn.Conv2d(3, 4, 3)(torsh.ones(3, 5, 5))
    with pytest.raises(torsh.ShapeMismatchError, match="larger than the padded input"):
        nn.Conv2d(1, 1, 5)(torsh.ones(1, 1, 3, 3))
    with pytest.raises(torsh.ShapeMismatchError, match="does not end with normalized_shape"):
        nn.LayerNorm(4)(torsh.ones(2, 5))
    with pytest.raises(torsh.ShapeMismatchError, match="differ"):
        nn.MSELoss()(torsh.ones(2, 3), torsh.ones(3, 2))
    with pytest.raises(torsh.ShapeMismatchError, match="differ"):
        nn.BCEWithLogitsLoss()(torsh.ones(2, 3), torsh.ones(2))
    with pytest.raises(torsh.DTypeError, match="integer tensor"):
        nn.Embedding(3, 4)(torsh.tensor([1.0]))
    with pytest.raises(torsh.InvalidArgumentError, match="'mean', 'sum' or 'none'"):
        nn.MSELoss(reduction="avg")


def test_errors_are_raised_at_the_users_line_not_at_realization():
    # the lazy graph checks shapes when the node is created, before anything runs
    lin = nn.Linear(4, 3)
    h = lin(torsh.ones(2, 4))
    assert not h.is_realized
    with pytest.raises(torsh.ShapeMismatchError):
        nn.Linear(4, 3)(h)
