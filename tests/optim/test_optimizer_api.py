"""The Optimizer API: zero_grad, state_dict()/load_state_dict() resuming identically,
parameters without gradients, closures, and bad arguments (acceptance lines 3 and 6)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import torsh
from tests.optim import problem

ALL = [
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.05)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
]


def test_zero_grad_set_to_none_and_to_zeros():
    params = problem.torsh_params()
    opt = torsh.optim.SGD(params, lr=0.1)
    problem.torsh_loss(params).backward()
    assert all(p.grad is not None for p in params)
    opt.zero_grad(set_to_none=False)
    for p in params:
        np.testing.assert_array_equal(p.grad.numpy(), np.zeros(tuple(p.shape)))
    opt.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in params)
    opt.zero_grad()  # the default is set_to_none=True, as in torch 2
    assert all(p.grad is None for p in params)


def test_gradients_accumulate_without_zero_grad():
    params = problem.torsh_params()
    problem.torsh_loss(params).backward()
    once = params[0].grad.numpy().copy()
    problem.torsh_loss(params).backward()
    np.testing.assert_allclose(params[0].grad.numpy(), 2 * once, rtol=1e-12)


@pytest.mark.parametrize("name, kw", ALL, ids=[a[0] for a in ALL])
def test_state_dict_round_trip_resumes_identically(name, kw):
    # run A: 10 steps straight through; run B: 5 steps, state dict -> a new optimizer, 5 more
    a = problem.torsh_params()
    opt_a = getattr(torsh.optim, name)(a, **kw)
    for _ in range(10):
        problem.torsh_step(opt_a, a)

    b = problem.torsh_params()
    opt_b = getattr(torsh.optim, name)(b, **kw)
    for _ in range(5):
        problem.torsh_step(opt_b, b)
    sd = opt_b.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert sorted(sd["state"]) == [0, 1]
    saved = copy.deepcopy(sd["param_groups"])
    c = [torsh.nn.Parameter(torsh.tensor(p.numpy().copy())) for p in b]
    opt_c = getattr(torsh.optim, name)(c, lr=123.0)  # hyperparameters come from the dict
    opt_c.load_state_dict(sd)
    assert opt_c.param_groups[0]["lr"] == kw["lr"]
    for _ in range(5):
        problem.torsh_step(opt_c, c)
    for p, q in zip(a, c):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    assert sd["param_groups"] == saved  # loading did not alias or change the source


def test_state_dict_matches_torch_layout():
    torch = pytest.importorskip("torch")
    params = problem.torsh_params()
    opt = torsh.optim.Adam(params, lr=0.01)
    problem.torsh_step(opt, params)
    tparams = [torch.tensor(a, requires_grad=True) for a in problem.init()]
    topt = torch.optim.Adam(tparams, lr=0.01)
    problem.torch_loss(tparams, torch).backward()
    topt.step()
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert sorted(ours) == sorted(theirs)
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]
    for k in ("lr", "betas", "eps", "weight_decay", "amsgrad"):
        assert ours["param_groups"][0][k] == theirs["param_groups"][0][k], k
    assert sorted(ours["state"][0]) == sorted(theirs["state"][0])


def test_load_state_dict_rejects_another_layout():
    params = problem.torsh_params()
    opt = torsh.optim.Adam(params)
    problem.torsh_step(opt, params)
    other = torsh.optim.Adam([torsh.nn.Parameter(torsh.zeros(3))])
    with pytest.raises(torsh.InvalidArgumentError, match="different parameter layout"):
        other.load_state_dict(opt.state_dict())


def test_parameters_without_gradient_are_left_alone():
    used, unused = torsh.nn.Parameter(torsh.ones(2)), torsh.nn.Parameter(torsh.ones(2))
    opt = torsh.optim.Adam([used, unused], lr=0.1)
    (used * 3).sum().backward()
    opt.step()
    assert unused.grad is None
    np.testing.assert_array_equal(unused.numpy(), [1.0, 1.0])
    assert not np.allclose(used.numpy(), [1.0, 1.0])
    assert list(opt.state_dict()["state"]) == [0]


def test_step_keeps_parameter_identity_and_leafness():
    params = problem.torsh_params()
    ids = [id(p) for p in params]
    opt = torsh.optim.RMSprop(params)
    problem.torsh_step(opt, params)
    assert [id(p) for p in params] == ids
    assert all(p.is_leaf and p.requires_grad and p.grad_fn is None for p in params)


def test_plain_leaf_tensor_can_be_optimized():
    w = torsh.tensor([1.0, -2.0], requires_grad=True)
    opt = torsh.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.numpy(), [0.8, -1.6], rtol=1e-6)


def test_closure_is_evaluated_with_grad_and_its_loss_returned():
    params = problem.torsh_params()
    opt = torsh.optim.SGD(params, lr=0.01)

    def closure():
        opt.zero_grad()
        loss = problem.torsh_loss(params)
        loss.backward()
        return loss

    with torsh.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(problem.torsh_loss(problem.torsh_params()).item())
    assert not np.allclose(params[0].numpy(), problem.W0)


def test_every_step_after_the_second_replays_one_plan():
    from torsh.codegen import STATS

    params = problem.torsh_params()
    opt = torsh.optim.Adam(params, lr=0.01, amsgrad=True)
    for _ in range(3):
        problem.torsh_step(opt, params)
    compiles, builds = STATS.compiles, STATS.plan_builds
    for _ in range(5):
        problem.torsh_step(opt, params)
    assert (STATS.compiles, STATS.plan_builds) == (compiles, builds)


# ----------------------------------------------------------------------- bad arguments

def test_empty_parameter_list_says_what_to_pass():
    with pytest.raises(torsh.InvalidArgumentError, match=r"empty parameter list.*parameters\(\)"):
        torsh.optim.Adam([])
    model = torsh.nn.Linear(2, 2)
    gen = model.parameters()
    torsh.optim.SGD(gen, lr=0.1)
    with pytest.raises(torsh.InvalidArgumentError, match="consumed only once"):
        torsh.optim.SGD(gen, lr=0.1)  # the generator is already exhausted


def test_negative_hyperparameters_are_rejected():
    p = [torsh.nn.Parameter(torsh.ones(2))]
    with pytest.raises(torsh.InvalidArgumentError, match="learning rate -0.1: lr must be >= 0"):
        torsh.optim.Adam(p, lr=-0.1)
    for cls in (torsh.optim.SGD, torsh.optim.AdamW, torsh.optim.RMSprop):
        with pytest.raises(torsh.InvalidArgumentError, match="lr must be >= 0"):
            cls(p, lr=-1.0)
    with pytest.raises(torsh.InvalidArgumentError, match="momentum must be >= 0"):
        torsh.optim.SGD(p, lr=0.1, momentum=-0.5)
    with pytest.raises(torsh.InvalidArgumentError, match="weight_decay must be >= 0"):
        torsh.optim.Adam(p, weight_decay=-1)
    with pytest.raises(torsh.InvalidArgumentError, match="eps must be >= 0"):
        torsh.optim.RMSprop(p, eps=-1e-8)
    with pytest.raises(torsh.InvalidArgumentError, match=r"betas \(1.0, 0.9\).*\[0, 1\)"):
        torsh.optim.Adam(p, betas=(1.0, 0.9))
    with pytest.raises(torsh.InvalidArgumentError, match="Nesterov momentum requires"):
        torsh.optim.SGD(p, lr=0.1, nesterov=True)


def test_non_leaf_parameters_are_rejected_with_the_fix():
    w = torsh.ones(2, requires_grad=True)
    with pytest.raises(torsh.InvalidArgumentError) as err:
        torsh.optim.SGD([w * 2], lr=0.1)
    msg = str(err.value)
    assert "leaf tensors" in msg and "MulBackward0" in msg and "detach().requires_grad_()" in msg
    with pytest.raises(torsh.InvalidArgumentError, match="only optimize tensors, got a float"):
        torsh.optim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="iterable of tensors"):
        torsh.optim.SGD(w, lr=0.1)  # a bare tensor, as torch


def test_loss_read_after_step_is_the_loss_before_the_update():
    # the usual loop reads loss.item() after opt.step(): like torch, that is the loss the
    # gradients were computed from, not the loss at the updated parameters
    params = problem.torsh_params()
    opt = torsh.optim.SGD(params, lr=0.01)
    want = float(np.sum((problem.X @ problem.W0.T + problem.B0 - problem.Y) ** 2))
    opt.zero_grad()
    loss = problem.torsh_loss(params)
    loss.backward()
    opt.step()
    assert loss.item() == pytest.approx(want, rel=1e-12)
    assert problem.torsh_loss(params).item() < want
