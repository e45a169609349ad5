"""Issue 4, "cache faults": a truncated, bit-flipped, stale or misplaced disk entry is
detected, reported with KernelCacheWarning and rebuilt (valid again, results correct); every
single-bit flip anywhere in an entry is detected; processes compiling the same kernels into
one empty cache at the same moment all succeed and leave one valid entry per kernel and no
temporary files."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import torsh
from tests.compiler.helpers import (
    HEADER_START,
    ROOT,
    child_env,
    entry_is_valid,
    flip,
    forget_compiled,
    inputs,
    join_entry,
    kernel_keys,
    split_entry,
)
from torsh.codegen import STATS, KernelCacheWarning, cache
from torsh.codegen.compiler import fingerprint


def compute(x, y):
    """Two kernels: an elementwise producer feeding a row reduction, and a second output."""
    z = torsh.exp(-x) * y + 1.0
    return z.sum(1), torsh.relu(x - y) * 0.5


def reference(x, y):
    z = np.exp(-x) * y + 1.0
    return z.sum(1), np.maximum(x - y, 0) * 0.5


@pytest.fixture
def populated(private_cache):
    """The cache after one run: (x, y, the entries' paths in plan order)."""
    x, y = inputs((8, 33), (8, 33))
    keys = kernel_keys(*compute(x, y))
    assert len(set(keys)) >= 2
    for t in compute(x, y):
        t.realize()
    paths = [cache.entry_path(k) for k in keys]
    assert all(p.exists() and entry_is_valid(p) for p in paths)
    return x, y, paths


def check_results(x, y) -> None:
    outs = compute(x, y)
    torsh.realize(*outs)
    for got, want in zip(outs, reference(x.numpy(), y.numpy())):
        np.testing.assert_allclose(got.numpy(), want, rtol=1.3e-6, atol=1e-5)


def rerun_expecting_rebuild(x, y, path, reason: str) -> None:
    """A new 'process' (no plans, no loaded kernels) meets the damaged entry: one warning
    naming the entry and the reason, exactly one kernel rebuilt, the entry valid again."""
    forget_compiled()
    compiles, corrupt = STATS.compiles, STATS.corrupt_entries
    with pytest.warns(KernelCacheWarning, match=reason) as record:
        check_results(x, y)
    messages = [str(w.message) for w in record if issubclass(w.category, KernelCacheWarning)]
    assert len(messages) == 1 and path.name in messages[0], messages
    assert STATS.corrupt_entries == corrupt + 1
    assert STATS.compiles == compiles + 1, "only the damaged kernel is rebuilt"
    assert cache.check_entry(path.read_bytes(), path.stem, fingerprint()) is None
    # ...and the rebuilt entry now loads quietly, without compiling.
    forget_compiled()
    with warnings.catch_warnings():
        warnings.simplefilter("error", KernelCacheWarning)
        check_results(x, y)
    assert STATS.compiles == compiles + 1


def header_end(blob: bytes) -> int:
    return HEADER_START + split_entry(blob)[1]


def truncate_to(where):
    return lambda blob: blob[:where(blob)]


def flip_at(where, mask=0x01):
    return lambda blob: flip(blob, where(blob), mask)


def inside(field: bytes, offset: int = 0):
    """The position of the first byte of a header field's value (plus ``offset``)."""
    def where(blob: bytes) -> int:
        i = blob.index(field, HEADER_START)
        return i + len(field) + offset
    return where


def other_torsh_version(blob: bytes) -> bytes:
    """The same entry claiming another torsh version; nothing else recomputed."""
    header, _, payload = split_entry(blob)
    header["fingerprint"]["torsh"] = "0.0.1+other"
    return join_entry(header, payload)


FAULTS = {
    "empty file": (truncate_to(lambda b: 0), "bad magic"),
    "truncated in the magic": (truncate_to(lambda b: 5), "bad magic"),
    "truncated in the header": (truncate_to(lambda b: HEADER_START + 20), "unreadable header"),
    "truncated in the payload": (truncate_to(lambda b: (header_end(b) + len(b)) // 2),
                                 "payload is"),
    "last byte missing": (truncate_to(lambda b: len(b) - 1), "payload is"),
    "payload bit flipped": (flip_at(lambda b: (header_end(b) + len(b)) // 2),
                            "payload checksum mismatch"),
    "payload high bit flipped": (flip_at(lambda b: len(b) - 1, 0x80), "payload checksum"),
    "header JSON bit flipped": (flip_at(lambda b: HEADER_START), "unreadable header"),
    "header length bit flipped": (flip_at(lambda b: len(cache.MAGIC)), "unreadable header"),
    "header launch range bit flipped": (flip_at(inside(b'"range": ')),
                                        "header checksum mismatch"),
    "header kernel IR bit flipped": (flip_at(inside(b'"ir": "', 40)), "header checksum mismatch"),
    "header payload checksum bit flipped": (flip_at(inside(b'"payload_sha256": "', 3)),
                                            "payload checksum mismatch"),
    "wrong torsh version": (other_torsh_version, "another torsh/LLVM version"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_damaged_entry_is_reported_and_rebuilt(populated, fault):
    x, y, paths = populated
    damage, reason = FAULTS[fault]
    path = paths[0]
    path.write_bytes(damage(path.read_bytes()))
    assert cache.check_entry(path.read_bytes(), path.stem, fingerprint()) is not None
    rerun_expecting_rebuild(x, y, path, reason)


def test_entry_under_another_kernels_name_is_rebuilt(populated):
    x, y, (first, second) = populated[0], populated[1], populated[2][:2]
    first.write_bytes(second.read_bytes())
    rerun_expecting_rebuild(x, y, first, "key does not match")


def test_every_single_bit_flip_is_detected(populated):
    """Sweep the whole entry - magic, length, every header byte, the payload - with two
    masks: each flip makes check_entry report a problem, so nothing damaged is loaded."""
    path = populated[2][0]
    blob = path.read_bytes()
    fp = fingerprint()
    missed = [(pos, mask) for mask in (0x01, 0x80) for pos in range(len(blob))
              if cache.check_entry(flip(blob, pos, mask), path.stem, fp) is None]
    assert not missed, f"undetected flips at (offset, mask) {missed[:10]}"


def test_unwritable_cache_folder_does_not_break_compilation(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("in the way")
    monkeypatch.setenv("TORSH_CACHE_DIR", str(not_a_folder / "cache"))
    x, y = inputs((4, 5), (4, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error", KernelCacheWarning)
        check_results(x, y)


def test_stray_temp_file_is_ignored_and_cleared(populated, private_cache):
    x, y, paths = populated
    stray = private_cache / f".{paths[0].stem[:16]}.abc123.tmp"
    stray.write_bytes(paths[0].read_bytes()[:10])  # a writer that died mid-write
    forget_compiled()
    with warnings.catch_warnings():
        warnings.simplefilter("error", KernelCacheWarning)
        check_results(x, y)
    assert cache.clear(private_cache) == len(set(paths))
    assert list(private_cache.iterdir()) == []


RACER = """
    import json, os, sys, time, hashlib
    from pathlib import Path
    import numpy as np
    import torsh
    from torsh.codegen import STATS
    from torsh.plan import graph_plan
    ready, go = Path(sys.argv[1]), Path(sys.argv[2])
    rng = np.random.default_rng(0)
    x, w = (torsh.tensor(rng.standard_normal(s).astype(np.float32))
            for s in ((48, 40), (40, 24)))
    def compute():
        h = torsh.relu(x @ w + 1.0)
        return torsh.softmax(h, dim=1) + torsh.tanh(h).mean(0)
    ready.touch()
    deadline = time.monotonic() + 60
    while not go.exists():  # the start line: every racer is imported and waiting
        if time.monotonic() > deadline:
            sys.exit("no start signal")
        time.sleep(0.001)
    out = compute().numpy()  # compiles every kernel, writing the cache at the same time
    keys = [s.kernel.key for s in graph_plan([compute()]).steps]
    print(json.dumps({"keys": keys, "stats": STATS.as_dict(),
                      "result": hashlib.sha256(out.tobytes()).hexdigest()}))
"""


def test_concurrent_processes_share_one_cache(tmp_path):
    folder = tmp_path / "raced-cache"
    go = tmp_path / "go"
    n = 4
    procs = []
    for i in range(n):
        procs.append(subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(RACER), str(tmp_path / f"ready{i}"), str(go)],
            cwd=ROOT, env=child_env(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True))
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready{i}").exists() for i in range(n)):
            assert all(p.poll() is None for p in procs), "a racer died before the start"
            assert time.monotonic() < deadline, "racers did not get ready"
            time.sleep(0.01)
        go.touch()
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    reports = []
    for p, (stdout, stderr) in zip(procs, outs):
        assert p.returncode == 0, stderr
        assert "KernelCacheWarning" not in stderr, stderr
        reports.append(json.loads(stdout.strip().splitlines()[-1]))
    keys = set(reports[0]["keys"])
    assert len(keys) >= 3
    assert all(set(r["keys"]) == keys for r in reports)
    assert len({r["result"] for r in reports}) == 1, "racers computed different results"
    assert all(r["stats"]["corrupt_entries"] == 0 for r in reports)
    # Every kernel was compiled by at least one racer, or loaded after another finished.
    for r in reports:
        assert r["stats"]["compiles"] + r["stats"]["disk_hits"] == len(keys)
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(k + cache.SUFFIX for k in keys), "exactly one entry per kernel"
    assert all(entry_is_valid(folder / f) for f in files)
