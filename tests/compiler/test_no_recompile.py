"""Issue 4, "no recompile": the same computation on new data of the same shapes replays its
plan (torsh.codegen.STATS.compiles unchanged, plan_hits grows), and a second process loads
every kernel from the disk cache instead of compiling it."""

from __future__ import annotations

import numpy as np

import torsh
from tests.compiler.helpers import entry_is_valid, forget_compiled, inputs, run_child
from torsh.codegen import STATS, cache


def step(x, w, b):
    """A small layer: a matmul with a fused epilogue, a softmax and an elementwise tail."""
    h = torsh.relu(x @ w + b)
    return torsh.softmax(h, dim=1) * 2.0 + torsh.exp(-h) * 0.1


def reference(x, w, b):
    h = np.maximum(x @ w + b, 0)
    e = np.exp(h - h.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True) * 2.0 + np.exp(-h) * 0.1


def test_new_data_of_the_same_shapes_replays_the_plan():
    x, w, b = inputs((16, 8), (8, 4), (4,), seed=0)
    first = step(x, w, b).numpy()
    np.testing.assert_allclose(first, reference(x.numpy(), w.numpy(), b.numpy()),
                               rtol=1e-5, atol=1e-6)
    compiles, hits = STATS.compiles, STATS.plan_hits
    assert compiles > 0
    for seed in range(1, 6):
        x, w, b = inputs((16, 8), (8, 4), (4,), seed=seed)
        out = step(x, w, b).numpy()
        np.testing.assert_allclose(out, reference(x.numpy(), w.numpy(), b.numpy()),
                                   rtol=1e-5, atol=1e-6)
    assert STATS.compiles == compiles, "new data of the same shapes recompiled"
    assert STATS.plan_hits == hits + 5


def test_a_new_shape_compiles_once_then_replays():
    x, w, b = inputs((16, 8), (8, 4), (4,))
    step(x, w, b).numpy()
    before = STATS.compiles
    x2, w2, b2 = inputs((32, 8), (8, 4), (4,))
    step(x2, w2, b2).numpy()
    after_new_shape = STATS.compiles
    assert after_new_shape > before, "a new shape must compile its own kernels"
    x3, w3, b3 = inputs((32, 8), (8, 4), (4,), seed=3)
    step(x3, w3, b3).numpy()
    assert STATS.compiles == after_new_shape


def test_a_rebuilt_plan_finds_its_kernels_in_memory():
    """Without the plan cache (e.g. the same kernels in another graph), kernels are found
    by their IR text in the memory cache: memory hits, no compiles."""
    x, w, b = inputs((16, 8), (8, 4), (4,))
    start = STATS.compiles
    step(x, w, b).numpy()
    compiles, memory_hits = STATS.compiles, STATS.memory_hits
    torsh.plan.clear_plans()
    step(x, w, b).numpy()
    assert STATS.compiles == compiles
    assert STATS.memory_hits >= memory_hits + (compiles - start)


def test_without_the_memory_cache_kernels_load_from_disk(private_cache):
    """Within one process: drop the memory cache too, and every kernel comes from disk."""
    x, w, b = inputs((16, 8), (8, 4), (4,))
    expect = step(x, w, b).numpy()
    compiles, disk_hits = STATS.compiles, STATS.disk_hits
    forget_compiled()
    np.testing.assert_array_equal(step(x, w, b).numpy(), expect)
    assert STATS.compiles == compiles
    assert STATS.disk_hits > disk_hits
    assert all(entry_is_valid(p) for p in cache.entries(private_cache))


CHILD = """
    import json, hashlib
    import numpy as np
    import torsh
    from torsh.codegen import STATS
    rng = np.random.default_rng(0)
    x, w, b = (torsh.tensor(rng.standard_normal(s).astype(np.float32))
               for s in ((64, 32), (32, 16), (16,)))
    h = torsh.relu(x @ w + b)
    out = (torsh.softmax(h, dim=1) * 2.0 + torsh.exp(-h) * 0.1).sum(0).numpy()
    stats = STATS.as_dict()
    stats["result"] = hashlib.sha256(out.tobytes()).hexdigest()
    print(json.dumps(stats))
"""


def test_a_second_process_finds_every_kernel_in_the_disk_cache(tmp_path):
    folder = tmp_path / "shared-cache"
    first = run_child(CHILD, folder)
    assert first["compiles"] > 0 and first["disk_hits"] == 0
    assert first["disk_writes"] == first["compiles"]
    assert len(cache.entries(folder)) == first["compiles"]
    second = run_child(CHILD, folder)
    assert second["compiles"] == 0, second
    assert second["disk_hits"] == first["compiles"]
    assert second["corrupt_entries"] == 0 and second["disk_writes"] == 0
    assert second["result"] == first["result"], "kernels loaded from disk compute the same"


def test_disk_cache_off_compiles_in_every_process(tmp_path):
    folder = tmp_path / "unused-cache"
    for _ in range(2):
        stats = run_child(CHILD, folder, TORSH_DISK_CACHE="0")
        assert stats["compiles"] > 0 and stats["disk_hits"] == 0 and stats["disk_writes"] == 0
    assert cache.entries(folder) == []
