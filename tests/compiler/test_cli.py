"""Issue 4, "CLI": ``python -m torsh cache stats|clear|explain [entry]`` (and the ``torsh``
console script) against a private TORSH_CACHE_DIR: counts of usable, stale and corrupt
entries, what the key covers, one entry's kernel IR, and clearing the folder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import torsh
from tests.compiler.helpers import ROOT, child_env, flip, inputs, join_entry, split_entry
from torsh.codegen import cache
from torsh.codegen.compiler import fingerprint
from torsh.plan import graph_plan

FINGERPRINT_FIELDS = ("torsh", "codegen", "llvm", "llvmlite", "triple", "cpu", "features",
                      "options")


def torsh_cli(folder: Path, *args: str, script: bool = False) -> subprocess.CompletedProcess:
    cmd = [str(Path(sys.executable).parent / "torsh")] if script else \
        [sys.executable, "-m", "torsh"]
    return subprocess.run([*cmd, *args], cwd=ROOT, env=child_env(folder), capture_output=True,
                          text=True, timeout=60, check=False)


def stats(folder: Path) -> dict[str, int]:
    proc = torsh_cli(folder, "cache", "stats")
    assert proc.returncode == 0, proc.stderr
    counts = {}
    for label, name in (("entries", "entries"), ("usable here", "usable"),
                        ("other build", "stale"), ("corrupt", "corrupt"),
                        ("temp files", "temp")):
        m = re.search(rf"^\s*{label}:\s+(\d+)", proc.stdout, re.M)
        assert m, f"no {label!r} line in:\n{proc.stdout}"
        counts[name] = int(m.group(1))
    assert str(folder) in proc.stdout
    return counts


@pytest.fixture
def kernels(private_cache):
    """A populated cache: the compiled kernels of a small graph, in plan order."""
    x, w = inputs((16, 12), (12, 8))
    # (over dim 0: a softmax over rows is one row kernel, this one is three kernels)
    out = torsh.softmax(torsh.relu(x @ w + 1.0), dim=0) * 3.0
    steps = graph_plan([out]).steps
    assert len(steps) >= 3
    assert len(cache.entries(private_cache)) == len(steps)
    return [s.kernel for s in steps]


def make_stale(path: Path) -> None:
    header, _, payload = split_entry(path.read_bytes())
    header["fingerprint"]["torsh"] = "0.0.1+other"
    path.write_bytes(join_entry(header, payload))


def test_stats_counts_usable_stale_corrupt_and_temp_files(private_cache, kernels):
    n = len(kernels)
    assert stats(private_cache) == {"entries": n, "usable": n, "stale": 0, "corrupt": 0,
                                    "temp": 0}
    make_stale(cache.entry_path(kernels[0].key))
    blob = cache.entry_path(kernels[1].key).read_bytes()
    cache.entry_path(kernels[1].key).write_bytes(flip(blob, len(blob) - 7))
    (private_cache / ".0123456789abcdef.x1.tmp").write_bytes(b"half")
    assert stats(private_cache) == {"entries": n, "usable": n - 2, "stale": 1, "corrupt": 1,
                                    "temp": 1}


def test_stats_of_a_missing_folder(tmp_path):
    assert stats(tmp_path / "nothing-here") == {"entries": 0, "usable": 0, "stale": 0,
                                                "corrupt": 0, "temp": 0}


def test_explain_names_every_fingerprint_field(private_cache):
    proc = torsh_cli(private_cache, "cache", "explain")
    assert proc.returncode == 0, proc.stderr
    for field in FINGERPRINT_FIELDS:
        assert f'"{field}"' in proc.stdout, field
    assert set(FINGERPRINT_FIELDS) == set(fingerprint())
    assert fingerprint()["cpu"] in proc.stdout and str(private_cache) in proc.stdout


@pytest.mark.parametrize("by", ["key", "path"])
def test_explain_an_entry_shows_its_kernel_ir(private_cache, kernels, by):
    k = kernels[0]
    arg = k.key if by == "key" else str(cache.entry_path(k.key))
    proc = torsh_cli(private_cache, "cache", "explain", arg)
    assert proc.returncode == 0, proc.stderr
    assert "status: usable here" in proc.stdout
    assert f"kernel: {k.name} ({k.info.kind}, range {k.info.range})" in proc.stdout
    ir = proc.stdout.split("kernel IR:\n", 1)[1]
    assert ir.strip() == k.ir_text.strip()
    assert "func.func @kernel" in ir


def test_explain_a_stale_and_a_corrupt_entry(private_cache, kernels):
    stale, corrupt = (cache.entry_path(k.key) for k in kernels[:2])
    make_stale(stale)
    proc = torsh_cli(private_cache, "cache", "explain", stale.stem)
    assert proc.returncode == 0, proc.stderr
    assert "built elsewhere (differs in: torsh)" in proc.stdout
    corrupt.write_bytes(corrupt.read_bytes()[:-3])
    proc = torsh_cli(private_cache, "cache", "explain", str(corrupt))
    assert proc.returncode == 1
    assert "status: corrupt: payload is" in proc.stdout


def test_explain_an_unknown_entry_fails_cleanly(private_cache):
    proc = torsh_cli(private_cache, "cache", "explain", "f" * 64)
    assert proc.returncode == 1
    assert "no cache entry" in proc.stderr and "Traceback" not in proc.stderr


def test_clear_empties_the_folder(private_cache, kernels):
    (private_cache / ".0123456789abcdef.x1.tmp").write_bytes(b"half")
    proc = torsh_cli(private_cache, "cache", "clear")
    assert proc.returncode == 0, proc.stderr
    assert f"removed {len(kernels)} entries" in proc.stdout
    assert list(private_cache.iterdir()) == []
    assert stats(private_cache)["entries"] == 0


def test_usage_errors_exit_2_without_a_traceback(private_cache):
    for args in ((), ("cache",), ("cache", "defrag")):
        proc = torsh_cli(private_cache, *args)
        assert proc.returncode == 2 and "usage:" in proc.stderr, args
        assert "Traceback" not in proc.stderr


def test_console_script_is_installed(private_cache, kernels):
    script = Path(sys.executable).parent / "torsh"
    assert script.is_file(), f"no torsh console script next to {sys.executable}"
    proc = torsh_cli(private_cache, "cache", "stats", script=True)
    assert proc.returncode == 0, proc.stderr
    assert re.search(rf"usable here:\s+{len(kernels)}\b", proc.stdout)
