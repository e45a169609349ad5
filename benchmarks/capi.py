"""Benchmark the C tensor API next to Python torsh and torch.

    python benchmarks/capi.py [--steps N] [--quick]

Builds benchmarks/capi_bench.c against libtorsh and runs it, then measures the same
things in this process: a 4-element add (torsh's C API includes allocating and freeing
the result; torch eager and numpy are the peers) and one training step of an MLP
784-128-10, batch 128, Adam, cross-entropy (C API, Python torsh under torsh.compile,
torch eager). Prints a table with ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from train_mlp import batches, have_torch, torch_step, torsh_step  # noqa: E402

from torsh import config  # noqa: E402  (after the sys.path lines: run as a script)


def run_c(steps: int) -> dict[str, float]:
    if not config.get_library().exists():
        subprocess.run([sys.executable, str(ROOT / "runtime" / "build.py"), "--out",
                        str(ROOT / "torsh")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "capi_bench"
        subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", *config.cflags(),
                        str(ROOT / "benchmarks" / "capi_bench.c"), *config.libs(), "-o",
                        str(exe)], check=True)
        out = subprocess.run([str(exe), str(steps)], capture_output=True, text=True,
                             check=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def best_ns(fn, n: int = 20000, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter_ns() - t0) / n)
    return best


def median_step_ms(run, steps: int) -> float:
    data = batches()
    for i in range(5):
        run(*data[i % len(data)])
    times = []
    for i in range(steps):
        t0 = time.perf_counter()
        run(*data[i % len(data)])
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    args = parser.parse_args()
    steps = 20 if args.quick else args.steps
    c = run_c(max(steps, 20))
    a = np.ones(4, np.float32)
    rows = [("add, 4 elements (ns)", "torsh C API", c["add4_ns"]),
            ("", "numpy", best_ns(lambda: a + a))]
    step_rows = [("MLP step 784-128-10 (ms)", "torsh C API", c["step_ms"]),
                 ("", "torsh.compile (Python)", median_step_ms(torsh_step(True)[0], steps))]
    if have_torch():
        import torch

        t = torch.ones(4)
        rows.append(("", "torch eager", best_ns(lambda: t + t)))
        step_rows.append(("", "torch eager", median_step_ms(torch_step(), steps)))
    print(f"{'':<28}{'':<24}{'value':>10}{'vs C API':>10}")
    for group in (rows, step_rows):
        base = group[0][2]
        for what, who, value in group:
            print(f"{what:<28}{who:<24}{value:>10.3g}{value / base:>9.2f}x")
    print(f"\nC API first training step: {c['first_ms']:.2f} ms (kernels are compiled "
          f"with the library, so nothing is compiled at run time)")


if __name__ == "__main__":
    main()
