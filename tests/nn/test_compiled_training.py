"""torsh.compile'd training steps (acceptance line 4): no recompilation across steps, the
same parameters as the lazy step, and a warned fallback when the step reads a value."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torsh
import torsh.nn as nn
import torsh.nn.functional as F
from torsh.codegen import STATS

RNG = np.random.default_rng(0)
TEACHER = RNG.standard_normal((12, 5))  # labels are a learnable function of the inputs
XS = [RNG.standard_normal((16, 12)) for _ in range(20)]
BATCHES = [(x, (x @ TEACHER).argmax(1)) for x in XS]


def make_model(dtype=torsh.float64, seed=0):
    torsh.manual_seed(seed)
    return nn.Sequential(nn.Linear(12, 32, dtype=dtype), nn.ReLU(),
                         nn.Linear(32, 5, dtype=dtype))


def batch(i, dtype=np.float64):
    x, y = BATCHES[i % len(BATCHES)]
    return torsh.tensor(x.astype(dtype)), torsh.tensor(y)


def make_step(model, opt, zero=True):
    def step(x, y):
        if zero:
            opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def test_compiled_step_does_not_recompile_after_the_first_steps():
    model = make_model(torsh.float32)
    opt = torsh.optim.Adam(model.parameters(), lr=1e-2)
    step = torsh.compile(make_step(model, opt))
    losses = []
    for i in range(20):
        losses.append(step(*batch(i, np.float32)).item())
        if i == 2:  # steps 1 and 2 differ legitimately: the optimizer state is created
            compiles, builds, hits = STATS.compiles, STATS.plan_builds, STATS.plan_hits
    assert STATS.compiles == compiles, "a kernel was compiled after step 3"
    assert STATS.plan_builds == builds, "a plan was built after step 3"
    # each later step is one plan replay (plus the realization of the next batch's data,
    # which is already realized: so exactly one)
    assert STATS.plan_hits - hits == 17
    assert losses[-1] < losses[0]


def test_lazy_step_does_not_recompile_either():
    model = make_model(torsh.float32)
    opt = torsh.optim.Adam(model.parameters(), lr=1e-2)
    step = make_step(model, opt)
    for i in range(20):
        step(*batch(i, np.float32)).item()
        if i == 2:
            compiles, builds = STATS.compiles, STATS.plan_builds
    assert (STATS.compiles, STATS.plan_builds) == (compiles, builds)


@pytest.mark.parametrize("opt_name, kw", [("Adam", dict(lr=1e-2)),
                                          ("SGD", dict(lr=0.1, momentum=0.9)),
                                          ("RMSprop", dict(lr=1e-3, centered=True))])
def test_compiled_step_gives_the_lazy_steps_parameters(opt_name, kw):
    lazy_model, comp_model = make_model(), make_model()
    comp_model.load_state_dict(lazy_model.state_dict())
    lazy_opt = getattr(torsh.optim, opt_name)(lazy_model.parameters(), **kw)
    comp_opt = getattr(torsh.optim, opt_name)(comp_model.parameters(), **kw)
    lazy_step = make_step(lazy_model, lazy_opt)
    comp_step = torsh.compile(make_step(comp_model, comp_opt))
    for i in range(20):
        a = lazy_step(*batch(i)).item()
        b = comp_step(*batch(i)).item()
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12), f"loss at step {i + 1}"
    for (name, p), (_, q) in zip(lazy_model.named_parameters(), comp_model.named_parameters()):
        np.testing.assert_allclose(q.numpy(), p.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
    assert not np.allclose(lazy_model[0].weight.numpy(), make_model()[0].weight.numpy())


def test_compiled_step_returns_the_loss_before_the_update():
    model = make_model()
    opt = torsh.optim.SGD(model.parameters(), lr=0.5)
    x, y = batch(0)
    with torsh.no_grad():
        before = F.cross_entropy(model(x), y).item()
    loss = torsh.compile(make_step(model, opt))(x, y)
    assert loss.is_realized and loss.item() == pytest.approx(before, rel=1e-12)


def test_item_inside_the_step_falls_back_with_a_warning_and_stays_correct():
    lazy_model, comp_model = make_model(), make_model()
    comp_model.load_state_dict(lazy_model.state_dict())
    lazy_opt = torsh.optim.Adam(lazy_model.parameters(), lr=1e-2)
    comp_opt = torsh.optim.Adam(comp_model.parameters(), lr=1e-2)
    lazy_step = make_step(lazy_model, lazy_opt)
    seen = []

    @torsh.compile
    def step_reading_item(x, y):
        comp_opt.zero_grad()
        loss = F.cross_entropy(comp_model(x), y)
        seen.append(loss.item())  # a value read mid-step: cannot stay one plan
        loss.backward()
        comp_opt.step()
        return loss

    for i in range(4):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = step_reading_item(*batch(i))
        msgs = [str(w.message) for w in caught]
        assert any("step_reading_item" in m and ".item()" in m and "several plans" in m
                   for m in msgs), msgs
        want = lazy_step(*batch(i)).item()
        assert seen[-1] == pytest.approx(want, rel=1e-12)
        assert out.item() == pytest.approx(want, rel=1e-12)
    for p, q in zip(lazy_model.parameters(), comp_model.parameters()):
        np.testing.assert_allclose(q.numpy(), p.numpy(), rtol=1e-12, atol=1e-14)


def test_a_failing_step_commits_nothing():
    model = make_model()
    opt = torsh.optim.SGD(model.parameters(), lr=0.5)
    before = [p.numpy().copy() for p in model.parameters()]

    @torsh.compile
    def bad_step(x, y):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        raise RuntimeError("user code failed after step()")

    with pytest.raises(RuntimeError, match="user code failed"):
        bad_step(*batch(0))
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.numpy(), b)
    # and the next, good step works normally
    loss = torsh.compile(make_step(model, opt))(*batch(0))
    assert np.isfinite(loss.item())
