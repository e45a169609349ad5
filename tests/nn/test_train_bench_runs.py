"""benchmarks/train_mlp.py --quick runs and prints its tables (no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmark_prints_the_tables(tmp_path):
    env = {**os.environ, "TORSH_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_mlp.py"), "--quick"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "MLP 784-128-10, batch 128, Adam, cross-entropy" in out
    header = next(line for line in out.splitlines() if line.startswith("step"))
    assert "median ms" in header and "vs torch" in header
    rows = {line.split()[1]: line for line in out.splitlines()
            if line.startswith("torsh ") or line.startswith("torch ")}
    assert {"lazy", "compiled"} <= set(rows)
    for row in rows.values():
        float(row.split()[2])  # a number of milliseconds
    assert "first step of a new process" in out
    for label in ("compiled, cold", "compiled, warm", "lazy, cold", "lazy, warm"):
        assert label in out, label
    # the warm process loaded every kernel from the disk cache instead of compiling
    warm = next(line for line in out.splitlines() if line.startswith("compiled, warm"))
    assert warm.split()[-2] == "0" and int(warm.split()[-1]) > 0
