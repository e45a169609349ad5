"""torsh.compile's capture and replay: once two captures of a step agree, later calls run
its plan without the Python, and must leave exactly the state the Python would have left
(parameters, .grad, optimizer state, returned values), against an uncompiled twin."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torsh
import torsh.nn as nn
import torsh.nn.functional as F
from tests.nn.test_compiled_training import make_step as train_step

RNG = np.random.default_rng(1)
XS = [RNG.standard_normal((8, 6)) for _ in range(6)]
YS = [RNG.integers(0, 3, 8) for _ in range(6)]


def batch(i):
    return torsh.tensor(XS[i % len(XS)]), torsh.tensor(YS[i % len(YS)])


def make_model(seed=0):
    torsh.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 10, dtype=torsh.float64), nn.Tanh(),
                         nn.Linear(10, 3, dtype=torsh.float64))


def twins(opt_name="Adam", **kw):
    """(model, optimizer) pairs with equal weights: one to run plainly, one compiled."""
    a, b = make_model(), make_model()
    b.load_state_dict(a.state_dict())
    make = getattr(torsh.optim, opt_name)
    return (a, make(a.parameters(), **kw)), (b, make(b.parameters(), **kw))


def assert_same_state(m1, o1, m2, o2):
    for (name, p), (_, q) in zip(m1.named_parameters(), m2.named_parameters()):
        np.testing.assert_allclose(q.numpy(), p.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)
        if p.grad is None:
            assert q.grad is None, name
        else:
            np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-12, atol=1e-14,
                                       err_msg=f"{name}.grad")
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    assert s1.keys() == s2.keys()
    for k in s1:
        assert s1[k].keys() == s2[k].keys()
        for name in s1[k]:
            np.testing.assert_allclose(np.asarray(s2[k][name].numpy()),
                                       np.asarray(s1[k][name].numpy()),
                                       rtol=1e-12, atol=1e-14, err_msg=f"state {k} {name}")


@pytest.mark.parametrize("opt_name, kw", [
    ("Adam", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, amsgrad=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("RMSprop", dict(lr=1e-3, centered=True, momentum=0.5)),
])
def test_replayed_steps_leave_the_state_the_python_leaves(opt_name, kw):
    (m1, o1), (m2, o2) = twins(opt_name, **kw)
    plain, compiled = train_step(m1, o1), torsh.compile(train_step(m2, o2))
    for i in range(12):
        want = plain(*batch(i)).item()
        got = compiled(*batch(i))
        assert got.item() == pytest.approx(want, rel=1e-12), f"loss at step {i + 1}"
    stats = compiled.stats()
    assert stats["replays"] >= 8, stats  # captures until two agree, then replays
    assert stats["traced"] + stats["replays"] == 12
    assert_same_state(m1, o1, m2, o2)


def test_a_replay_does_not_run_the_python():
    (m1, o1), _ = twins()
    calls = []

    @torsh.compile
    def step(x, y):
        calls.append(1)  # a Python side effect: happens only while capturing
        return train_step(m1, o1)(x, y)

    for i in range(6):
        step(*batch(i))
    assert len(calls) == step.stats()["traced"] < 6


def test_replay_returns_nested_outputs_and_python_values():
    (m1, o1), (m2, o2) = twins("SGD", lr=0.1)

    def make(model, opt):
        def step(x, y):
            opt.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            opt.step()
            return {"loss": loss, "parts": (logits.sum(), None, "tag", 3)}
        return step

    plain, compiled = make(m1, o1), torsh.compile(make(m2, o2))
    for i in range(6):
        a, b = plain(*batch(i)), compiled(*batch(i))
        assert b["parts"][1:] == (None, "tag", 3)
        assert b["loss"].item() == pytest.approx(a["loss"].item(), rel=1e-12)
        assert b["parts"][0].item() == pytest.approx(a["parts"][0].item(), rel=1e-12)
    assert compiled.stats()["replays"] >= 2


def test_gradients_accumulate_across_replays_without_zero_grad():
    (m1, o1), (m2, o2) = twins("SGD", lr=0.01)
    plain, compiled = train_step(m1, o1, zero=False), torsh.compile(train_step(m2, o2, False))
    for i in range(8):
        plain(*batch(i))
        compiled(*batch(i))
    assert compiled.stats()["replays"] >= 4
    assert_same_state(m1, o1, m2, o2)


def test_changing_the_learning_rate_between_replays_recaptures():
    (m1, o1), (m2, o2) = twins("Adam", lr=1e-2)
    plain, compiled = train_step(m1, o1), torsh.compile(train_step(m2, o2))
    for i in range(10):
        if i == 6:  # a scheduler's change: the captured plan has the old rate built in
            for o in (o1, o2):
                o.param_groups[0]["lr"] = 5e-2
        plain(*batch(i))
        compiled(*batch(i))
    assert_same_state(m1, o1, m2, o2)
    assert compiled.stats()["traced"] >= 4  # 3 captures, then at least one after the change


def test_state_replaced_outside_the_step_is_read_anew():
    (m1, o1), (m2, o2) = twins("Adam", lr=1e-2)
    plain, compiled = train_step(m1, o1), torsh.compile(train_step(m2, o2))
    for i in range(5):
        plain(*batch(i))
        compiled(*batch(i))
    # new weights and optimizer state from elsewhere (a checkpoint), loaded in between
    fresh, fresh_opt = make_model(seed=7), None
    fresh_opt = torsh.optim.Adam(fresh.parameters(), lr=1e-2)
    train_step(fresh, fresh_opt)(*batch(0))
    for m, o in ((m1, o1), (m2, o2)):
        m.load_state_dict(fresh.state_dict())
        o.load_state_dict(fresh_opt.state_dict())
    for i in range(5, 10):
        plain(*batch(i))
        compiled(*batch(i))
    assert_same_state(m1, o1, m2, o2)


def test_an_input_that_requires_grad_gets_its_gradient_on_replay():
    w = torsh.tensor(RNG.standard_normal((6, 2)))

    @torsh.compile
    def step(x):
        y = (x @ w).tanh().sum()
        y.backward()
        return y

    for i in range(5):
        x = torsh.tensor(XS[i], requires_grad=True)
        step(x)
        xr = torsh.tensor(XS[i], requires_grad=True)
        (xr @ w).tanh().sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), xr.grad.numpy(), rtol=1e-12)
    assert step.stats()["replays"] >= 2


def test_each_argument_signature_has_its_own_capture():
    (m1, o1), (m2, o2) = twins("SGD", lr=0.1)
    plain, compiled = train_step(m1, o1), torsh.compile(train_step(m2, o2))
    for i in range(12):
        x, y = batch(i)
        if i % 3 == 2:  # a short last batch, and a float32 one
            x, y = x[:5], y[:5]
        for f in (plain, compiled):
            f(x, y)
    assert_same_state(m1, o1, m2, o2)
    assert len(compiled.__torsh_compiled__.entries) == 2


def test_non_tensor_arguments_key_the_capture():
    w = nn.Parameter(torsh.tensor([1.0, 2.0], dtype=torsh.float64))

    @torsh.compile
    def scaled(x, k):
        return (w * x * k).sum()

    x = torsh.tensor([1.0, 1.0], dtype=torsh.float64)
    for k in (1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 3.0):
        assert scaled(x, k).item() == pytest.approx(3.0 * k)


def test_random_numbers_in_the_step_are_drawn_every_call_with_a_warning():
    torsh.manual_seed(0)
    lin = nn.Linear(6, 6, dtype=torsh.float64)
    drop = nn.Dropout(0.5)

    @torsh.compile
    def step(x):
        return drop(lin(x)).sum()

    x = batch(0)[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = {step(x).item() for _ in range(6)}
    assert len(values) > 1, "dropout masks were replayed"
    msgs = [str(w.message) for w in caught]
    assert len(msgs) == 1 and "random numbers" in msgs[0] and "traced on every call" in msgs[0]
    assert step.stats() == {"captures": 0, "replays": 0, "traced": 6}


def test_unhashable_arguments_fall_back_with_a_warning():
    @torsh.compile
    def f(x, scale):
        return (x * float(scale[0])).sum()

    x = torsh.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="neither a tensor nor hashable"):
        assert f(x, np.array([2.0])).item() == 6.0
    assert f(x, np.array([3.0])).item() == 9.0
    assert f.stats()["replays"] == 0


def test_an_untouched_parameter_changed_outside_is_read_anew():
    frozen = nn.Parameter(torsh.tensor([1.0, 1.0], dtype=torsh.float64), requires_grad=False)

    @torsh.compile
    def f(x):
        return (x * frozen).sum()

    x = torsh.tensor([1.0, 2.0], dtype=torsh.float64)
    for _ in range(4):
        assert f(x).item() == 3.0
    frozen._assign(torsh.tensor([10.0, 10.0], dtype=torsh.float64))
    assert f(x).item() == 30.0
    assert f.stats()["replays"] >= 2


def test_lazy_optimizer_steps_replay_their_update():
    (m1, o1), (m2, o2) = twins("Adam", lr=1e-2)
    step = train_step(m1, o1)
    for i in range(8):
        step(*batch(i))
    assert o1._compiled.stats()["replays"] >= 4
    # the same trajectory with every update traced in Python (a closure is never captured)
    for i in range(8):
        o2.zero_grad()
        F.cross_entropy(m2(batch(i)[0]), batch(i)[1]).backward()
        o2.step(closure=lambda: None)
    assert_same_state(m1, o1, m2, o2)


def test_assigning_a_wrong_grad_is_a_typed_error():
    p = nn.Parameter(torsh.zeros(3))
    with pytest.raises(torsh.ShapeMismatchError, match="shape"):
        p.grad = torsh.zeros(4)
    with pytest.raises(torsh.DTypeError, match="dtype"):
        p.grad = torsh.zeros(3, dtype=torsh.float64)
    with pytest.raises(TypeError, match="tensor or None"):
        p.grad = [0.0, 0.0, 0.0]
    p.grad = torsh.ones(3)
    assert p.grad.tolist() == [1.0, 1.0, 1.0]


def test_freezing_a_layer_between_replays_recaptures():
    (m1, o1), (m2, o2) = twins("SGD", lr=0.1)
    plain, compiled = train_step(m1, o1), torsh.compile(train_step(m2, o2))
    for i in range(10):
        if i == 5:  # freeze the first layer: its weights must stop moving
            for m in (m1, m2):
                m[0].requires_grad_(False)
            frozen = m2[0].weight.numpy().copy()
        plain(*batch(i))
        compiled(*batch(i))
    np.testing.assert_array_equal(m2[0].weight.numpy(), frozen)
    assert_same_state(m1, o1, m2, o2)


def test_another_threads_realizations_stay_out_of_a_capture():
    import threading

    (m1, o1), (m2, o2) = twins("SGD", lr=0.1)
    plain, inner = train_step(m1, o1), train_step(m2, o2)
    seen = []

    def loader():  # a data-loading thread realizing its own tensors mid-step
        t = (torsh.tensor([1.0, 2.0]) * 3).realize()
        seen.append(t.is_realized and t.tolist() == [3.0, 6.0])

    @torsh.compile
    def step(x, y):
        out = inner(x, y)
        worker = threading.Thread(target=loader)
        worker.start()
        worker.join()
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "several plans" fallback
        for i in range(6):
            plain(*batch(i))
            step(*batch(i))
    assert seen and all(seen)
    assert step.stats()["replays"] >= 2
    assert_same_state(m1, o1, m2, o2)


def test_fullgraph_turns_each_fallback_into_a_compile_error():
    (m, o), _ = twins("SGD", lr=0.1)
    before = [p.numpy().copy() for p in m.parameters()]

    @torsh.compile(fullgraph=True)
    def reads_item(x, y):
        o.zero_grad()
        loss = F.cross_entropy(m(x), y)
        float(loss)  # a value read mid-step
        loss.backward()
        o.step()
        return loss

    with pytest.raises(torsh.CompileError, match=r"fullgraph=True.*\.item\(\)"):
        reads_item(*batch(0))
    for p, b in zip(m.parameters(), before):  # the failed step committed nothing
        np.testing.assert_array_equal(p.numpy(), b)

    drop = nn.Dropout(0.5)
    with pytest.raises(torsh.CompileError, match="random numbers"):
        torsh.compile(lambda x: drop(x).sum(), fullgraph=True)(batch(0)[0])
    with pytest.raises(torsh.CompileError, match="hashable"):
        torsh.compile(lambda x, a: x.sum(), fullgraph=True)(batch(0)[0], np.ones(2))
    # and a step that can be captured runs as usual
    step = torsh.compile(train_step(m, o), fullgraph=True)
    for i in range(5):
        step(*batch(i))
    assert step.stats()["replays"] == 2


def test_disable_returns_the_function_itself():
    def f(x):
        return x + 1

    assert torsh.compile(f, disable=True) is f
    with pytest.raises(TypeError, match="function or a module"):
        torsh.compile(3)


def test_a_compiled_module_reads_like_the_module():
    (m1, _), (m2, _) = twins()
    cm = torsh.compile(m2)
    assert list(cm.parameters()) == list(m2.parameters()) and cm._orig_mod is m2
    assert cm.training and cm.state_dict().keys() == m2.state_dict().keys()
    assert "Sequential" in repr(cm)
    x = batch(0)[0]
    with torsh.no_grad():  # inference: replayed
        for _ in range(5):
            np.testing.assert_allclose(cm(x).numpy(), m1(x).numpy(), rtol=1e-12)
    assert cm.stats()["replays"] >= 2
    # training with backward() outside: its outputs need autograd history, so each call
    # is traced (with a warning) and the gradients are right
    with pytest.warns(UserWarning, match="autograd history"):
        for _ in range(4):
            for m in (m1, m2):
                m.zero_grad()
            F.cross_entropy(cm(x), batch(0)[1]).backward()
            F.cross_entropy(m1(x), batch(0)[1]).backward()
    for p, q in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-12)


def test_a_lazy_gradient_read_by_the_step_is_read_anew_each_call():
    w = nn.Parameter(torsh.tensor([1.0, 2.0], dtype=torsh.float64))
    opt = torsh.optim.SGD([w], lr=0.5)
    for k in (1.0, 1.0, 1.0, 1.0, 3.0, 3.0):  # opt.step() captures its update internally
        w.grad = w * k  # a lazy .grad: the same expression four times, then another
        want = w.numpy() * (1 - 0.5 * k)
        opt.step()
        np.testing.assert_allclose(w.numpy(), want, rtol=1e-12)
    assert opt._compiled.stats()["replays"] == 0


def test_a_failing_step_leaves_no_optimizer_state_behind():
    (m1, o1), (m2, o2) = twins("Adam", lr=1e-2)
    before = [p.numpy().copy() for p in m2.parameters()]

    @torsh.compile
    def bad(x, y):
        train_step(m2, o2)(x, y)
        assert o2.state[m2[0].weight]["exp_avg"] is not None  # visible inside the call
        raise RuntimeError("after step()")

    with pytest.raises(RuntimeError, match="after step"):
        bad(*batch(0))
    assert o2.state == {}  # the step's state entries were rolled back with its update
    for p, b in zip(m2.parameters(), before):
        np.testing.assert_array_equal(p.numpy(), b)
    plain, good = train_step(m1, o1), torsh.compile(train_step(m2, o2))
    for i in range(5):
        plain(*batch(i))
        good(*batch(i))
    assert_same_state(m1, o1, m2, o2)


def test_fallback_warnings_point_at_the_users_line():
    drop = nn.Dropout(0.5)
    w = torsh.tensor([1.0, 2.0])

    @torsh.compile
    def noisy(x):
        return drop(x).sum()

    @torsh.compile
    def reads(x):
        return (x * float((x * w).sum())).sum()

    x = torsh.tensor([1.0, 1.0])
    for f in (noisy, reads):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f(x)
        assert caught and all(c.filename == __file__ for c in caught), \
            [(c.filename, c.lineno) for c in caught]
