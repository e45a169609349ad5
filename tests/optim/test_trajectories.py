"""Each optimizer follows torch's parameter trajectory over 20 steps from the same start on
the same deterministic gradients, compared after every step (acceptance line 3). The
numpy versions of the same rules (tests/optim/reference.py) check it without torch."""

from __future__ import annotations

import numpy as np
import pytest

import torsh
from tests.optim import problem
from tests.optim.reference import NUMPY

CONFIGS = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.01, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.005, momentum=0.8, weight_decay=0.05, nesterov=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, betas=(0.5, 0.7), eps=1e-3, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1)),
]
IDS = [name + "-" + "-".join(f"{k}{v}" for k, v in kw.items()) for name, kw in CONFIGS]


def torsh_trajectory(name, kw, dtype=np.float64):
    params = problem.torsh_params(dtype)
    opt = getattr(torsh.optim, name)(params, **kw)
    out = []
    for _ in range(problem.STEPS):
        problem.torsh_step(opt, params, dtype)
        out.append([p.numpy().copy() for p in params])
    return out, opt


@pytest.mark.parametrize("name, kw", CONFIGS, ids=IDS)
def test_matches_torch_every_step_float64(name, kw):
    torch = pytest.importorskip("torch")
    ours, _ = torsh_trajectory(name, kw)
    tparams = [torch.tensor(a, requires_grad=True) for a in problem.init()]
    topt = getattr(torch.optim, name)(tparams, **kw)
    moved = False
    for step, mine in enumerate(ours, 1):
        topt.zero_grad()
        problem.torch_loss(tparams, torch).backward()
        topt.step()
        for p, tp in zip(mine, tparams):
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-7, atol=1e-7,
                                       err_msg=f"{name} step {step}")
        moved = moved or not np.allclose(mine[0], problem.W0)
    assert moved


@pytest.mark.parametrize("name, kw", [CONFIGS[1], CONFIGS[9], CONFIGS[11], CONFIGS[16]],
                         ids=[IDS[1], IDS[9], IDS[11], IDS[16]])
def test_matches_torch_every_step_float32(name, kw):
    torch = pytest.importorskip("torch")
    ours, _ = torsh_trajectory(name, kw, np.float32)
    tparams = [torch.tensor(a, requires_grad=True) for a in problem.init(np.float32)]
    topt = getattr(torch.optim, name)(tparams, **kw)
    for step, mine in enumerate(ours, 1):
        topt.zero_grad()
        problem.torch_loss(tparams, torch, np.float32).backward()
        topt.step()
        for p, tp in zip(mine, tparams):
            assert p.dtype == np.float32
            torch.testing.assert_close(torch.from_numpy(p), tp.detach(),
                                       msg=lambda m, s=step: f"{name} step {s}: {m}")


@pytest.mark.parametrize("name, kw", CONFIGS, ids=IDS)
def test_matches_numpy_rules_every_step(name, kw):
    ours, _ = torsh_trajectory(name, kw)
    ref = NUMPY[name](problem.init(), **kw)
    for step, mine in enumerate(ours, 1):
        ref.step(problem.numpy_grads(ref.params))
        for p, q in zip(mine, ref.params):
            np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-10,
                                       err_msg=f"{name} step {step}")


def test_adam_state_matches_torch_state():
    torch = pytest.importorskip("torch")
    kw = dict(lr=0.05, amsgrad=True)
    _, opt = torsh_trajectory("Adam", kw)
    tparams = [torch.tensor(a, requires_grad=True) for a in problem.init()]
    topt = torch.optim.Adam(tparams, **kw)
    for _ in range(problem.STEPS):
        topt.zero_grad()
        problem.torch_loss(tparams, torch).backward()
        topt.step()
    ours, theirs = opt.state_dict()["state"], topt.state_dict()["state"]
    assert sorted(ours) == sorted(theirs)
    for i in theirs:
        assert sorted(ours[i]) == sorted(theirs[i])
        for k, v in theirs[i].items():
            np.testing.assert_allclose(np.asarray(ours[i][k].numpy()), v.numpy(), rtol=1e-7,
                                       err_msg=f"state {i} {k}")


def test_param_groups_with_their_own_hyperparameters():
    torch = pytest.importorskip("torch")
    w, b = problem.torsh_params()
    opt = torsh.optim.SGD([{"params": [w], "lr": 0.02}, {"params": b}], lr=0.005, momentum=0.5)
    tw, tb = (torch.tensor(a, requires_grad=True) for a in problem.init())
    topt = torch.optim.SGD([{"params": [tw], "lr": 0.02}, {"params": tb}], lr=0.005,
                           momentum=0.5)
    assert [g["lr"] for g in opt.param_groups] == [0.02, 0.005]
    assert opt.param_groups[1]["momentum"] == 0.5
    for _ in range(5):
        problem.torsh_step(opt, [w, b])
        topt.zero_grad()
        problem.torch_loss([tw, tb], torch).backward()
        topt.step()
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-7)
    np.testing.assert_allclose(b.numpy(), tb.detach().numpy(), rtol=1e-7)


def test_changing_lr_in_param_groups_takes_effect():
    ref = NUMPY["SGD"](problem.init(), lr=0.01)
    params = problem.torsh_params()
    opt = torsh.optim.SGD(params, lr=0.01)
    for step in range(4):
        if step == 2:
            opt.param_groups[0]["lr"] = 0.001  # what an LR scheduler does
            ref.h["lr"] = 0.001
        problem.torsh_step(opt, params)
        ref.step(problem.numpy_grads(ref.params))
    np.testing.assert_allclose(params[0].numpy(), ref.params[0], rtol=1e-9)
