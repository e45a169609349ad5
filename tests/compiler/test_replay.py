"""Issue 5, "plan replay": a realization whose plan is cached walks the graph once (the
structural key without IR text), allocates its outputs through prepared allocators and
runs every launch through one runtime plan. These tests hold the fast path to the slow
one: right values, fresh output buffers each time, one key per IR text, threads, no
leaks."""

from __future__ import annotations

import gc
import threading

import numpy as np
import pytest

import torsh
from torsh import _runtime, plan
from torsh.codegen import STATS
from torsh.ir import print_module


def test_replays_give_fresh_buffers_and_keep_earlier_results():
    a, b = torsh.tensor([1.0, 2.0, 3.0, 4.0]), torsh.tensor([10.0, 20.0, 30.0, 40.0])
    first = (a + b).realize()
    builds, hits = STATS.plan_builds, STATS.plan_hits
    outs = []
    for k in range(5):
        c = torsh.tensor(np.full(4, float(k), np.float32))
        outs.append((a + c).realize())
    assert STATS.plan_builds == builds and STATS.plan_hits == hits + 5
    assert len({o._buf.data_ptr for o in outs}) == 5  # every replay writes a new buffer
    for k, o in enumerate(outs):  # later replays did not overwrite earlier outputs
        np.testing.assert_array_equal(o.numpy(), np.array([1, 2, 3, 4], np.float32) + k)
    np.testing.assert_array_equal(first.numpy(), [11, 22, 33, 44])


def test_repeated_operand_is_one_argument():
    a, b = torsh.tensor([1.0, 2.0]), torsh.tensor([5.0, 7.0])
    np.testing.assert_array_equal((a + b).numpy(), [6, 9])
    np.testing.assert_array_equal((a + a).numpy(), [2, 4])  # not a's plan with b's slot
    np.testing.assert_array_equal((b - a).numpy(), [4, 5])
    np.testing.assert_array_equal((a - a).numpy(), [0, 0])
    np.testing.assert_array_equal((a * (a + b)).numpy(), [6, 18])
    np.testing.assert_array_equal((b * (a + b)).numpy(), [30, 63])


def _key_and_text(targets):
    key = plan.walk(targets)[0]
    return key, print_module(plan.build_graph(targets)[0])


def test_equal_keys_exactly_when_the_ir_text_is_equal():
    a, b = torsh.tensor([1.0, 2.0]), torsh.tensor([3.0, 4.0])
    i = torsh.tensor([1, 2])
    graphs = [
        lambda: [a + b], lambda: [b + a], lambda: [a + a], lambda: [a - b], lambda: [a * 2.0],
        lambda: [a * -0.0], lambda: [a * 0.0], lambda: [a * 2], lambda: [i * 2], lambda: [i * True],
        lambda: [(a + b).exp()], lambda: [(a + a).exp()], lambda: [a.sum(0)],
        lambda: [a.sum(0, keepdim=True)], lambda: [a + b, a * b], lambda: [a * b, a + b],
        lambda: [(a + b) * (a + b)], lambda: [a.exp() + b.exp()], lambda: [torsh.ones(2)],
        lambda: [a[None] + b[:, None]],
    ]
    seen: dict = {}
    for make in graphs:
        for _ in range(2):  # the same graph built again gets the same key
            key, text = _key_and_text(make())
            if key in seen:
                assert seen[key] == text
            seen[key] = text
    texts = list(seen.values())
    assert len(set(texts)) == len(texts), "one IR text under two keys"


def test_one_op_shortcut_matches_the_general_walk():
    a, b = torsh.tensor([1.0, 2.0]), torsh.tensor([3.0, 4.0])
    for node in (a + b, a + a, a.exp(), torsh.ones(3), a.sum(0)):
        key, order, leaves = plan.walk([node])
        # [node, node] takes the general walk: the same entries, the target listed twice
        key2, order2, leaves2 = plan.walk([node, node])
        assert key2 == (key[0], key[1] * 2)
        assert order == order2 and [id(x) for x in leaves] == [id(x) for x in leaves2]


def test_one_plan_realized_on_several_threads_at_once():
    a = torsh.tensor(np.arange(4096, dtype=np.float32))
    ((a * 2.0).exp() - 1.0).realize()  # compile once
    errors, results = [], {}

    def work(k):
        try:
            for _ in range(50):
                c = torsh.tensor(np.full(4096, k, np.float32))
                results[k] = ((c * 2.0).exp() - 1.0).numpy()
                np.testing.assert_allclose(results[k], np.expm1(2.0 * k), rtol=1e-6)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k / 10,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_replays_leak_nothing():
    a, b = torsh.tensor(np.ones(64, np.float32)), torsh.tensor(np.ones(64, np.float32))
    (a + b).realize()
    (a * b).numpy()  # both plans built (a plan holds its runtime plan)
    gc.collect()
    base = _runtime.memory_stats()
    for _ in range(2000):
        (a + b).realize()
        (a * b).numpy()
    gc.collect()
    now = _runtime.memory_stats()
    assert (now.bytes_live, now.handles_live) == (base.bytes_live, base.handles_live)


def test_a_released_runtime_tensor_forgets_its_address():
    t = _runtime.EmptyMaker((4,), "f32")()
    assert t.data_ptr % 64 == 0 and t.shape == (4,)
    t.release()
    with pytest.raises(torsh.InvalidHandleError):
        _ = t.data_ptr


def test_compiled_step_replays_after_parameter_updates():
    """The compiled step reads parameters as buffers: each replay sees the values the
    previous step wrote (compare with the same steps run without torsh.compile)."""

    def make():
        torsh.manual_seed(0)
        w = torsh.nn.Parameter(torsh.randn(4, 3))
        opt = torsh.optim.Adam([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = ((x @ w).tanh() ** 2).sum()
            loss.backward()
            opt.step()
            return loss

        return w, step

    w1, plain = make()
    w2, compiled = make()
    compiled = torsh.compile(compiled)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = rng.standard_normal((5, 4)).astype(np.float32)
        l1, l2 = plain(torsh.tensor(x)).item(), compiled(torsh.tensor(x)).item()
        assert abs(l1 - l2) <= 1e-5 * max(1.0, abs(l1))
        np.testing.assert_allclose(w2.numpy(), w1.numpy(), rtol=1e-5, atol=1e-6)


def test_a_copied_runtime_tensor_holds_its_own_reference():
    import copy

    t = _runtime.RuntimeTensor.from_numpy(np.arange(3, dtype=np.float32))
    c = copy.copy(t)
    assert t.refcount == 2
    t.release()
    assert c.refcount == 1 and c.numpy().tolist() == [0.0, 1.0, 2.0]


def test_intermediates_live_in_the_plans_arena_and_stay_correct_on_threads(monkeypatch):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((40, 30)), rng.standard_normal((30, 20))
    tx, tw = torsh.tensor(x), torsh.tensor(w)

    def graph(a, b):
        h = torsh.relu(a @ b)  # the matmul output is materialized, read only inside
        return h.sum(0), (h @ b.T).amax(1)

    outs = graph(tx, tw)
    p = plan.graph_plan(outs)
    torsh.realize(*outs)
    assert p.scratch, "no intermediate was kept in the arena"
    assert len(p.makers) == len(p.steps) - len(p.scratch) == 2
    h = np.maximum(x @ w, 0)
    want = (h.sum(0), (h @ w.T).max(1))
    errors = []

    def worker(seed):
        local = np.random.default_rng(seed)
        for _ in range(20):
            xs = local.standard_normal((40, 30))
            got = graph(torsh.tensor(xs), tw)
            torsh.realize(*got)
            hs = np.maximum(xs @ w, 0)
            for g, ref in zip(got, (hs.sum(0), (hs @ w.T).max(1))):
                if not np.allclose(g.numpy(), ref, rtol=1e-10):
                    errors.append(seed)

    def guarded(seed):
        try:
            worker(seed)
        except Exception as e:  # noqa: BLE001 - reported by the assert below
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    again = graph(tx, tw)
    torsh.realize(*again)
    for g, ref in zip(again, want):
        np.testing.assert_allclose(g.numpy(), ref, rtol=1e-10)
    # intermediates over the arena budget are allocated per run instead
    monkeypatch.setattr(plan, "SCRATCH_MAX", 16)
    plan.clear_plans()
    outs = graph(tx, tw)
    p = plan.graph_plan(outs)
    torsh.realize(*outs)
    assert not p.scratch and len(p.makers) == len(p.steps)
    for g, ref in zip(outs, want):
        np.testing.assert_allclose(g.numpy(), ref, rtol=1e-10)
