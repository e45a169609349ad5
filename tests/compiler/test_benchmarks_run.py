"""The compiler benchmark runs (``benchmarks/compiler.py --quick``) and prints its table with
ratio columns; nothing about its timings is asserted (DESIGN.md: no timed assertions)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.compiler.helpers import ROOT, child_env

ROWS = ("relu(a*b+c)", "sum ", "softmax rows", "matmul 1x", "cached 1-op graph",
        "cold compile / kernel", "warm disk-cache load / kernel")


def test_compiler_benchmark_quick_prints_a_table(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "compiler.py"), "--quick", "--repeat", "2",
         "--json", str(tmp_path / "times.json")],
        cwd=ROOT, env=child_env(tmp_path / "cache"), capture_output=True, text=True,
        timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("benchmark"))
    for column in ("torsh", "numpy", "torsh/numpy", "torsh/torch"):
        assert column in header.split(), header
    for row in ROWS:
        assert any(line.startswith(row) for line in lines), f"no row {row!r}:\n{proc.stdout}"
    matmul = next(line for line in lines if line.startswith("matmul "))
    assert re.search(r"\d+(\.\d+)?x\s", matmul + " "), matmul  # a ratio, e.g. 1.23x
    assert "(!)" not in proc.stdout, proc.stdout  # results agree, cache counts as expected
    assert (tmp_path / "times.json").exists()


def test_run_all_knows_every_benchmark():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "nope"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode != 0
    assert "compiler" in proc.stderr and "no benchmark nope" in proc.stderr
