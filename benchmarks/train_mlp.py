"""Benchmark a training step: MLP 784-128-10, batch 128, Adam, cross-entropy.

    python benchmarks/train_mlp.py [--steps N] [--warmup N] [--quick]

Times one full step (zero_grad, forward, loss, backward, Adam update, reading the loss)
for three contenders measured side by side in one run, alternating step by step so
machine noise hits all of them alike:

- torsh lazy: the plain step; backward() realizes one cached plan, and step() replays
  the optimizer's captured update;
- torsh compiled: the same step under torsh.compile: captured on the first calls, then
  each step replays one plan without running the step's Python;
- torch eager (when torch is installed), the reference of the ratios.

Every contender takes the batch from numpy without a copy (torsh.from_numpy,
torch.from_numpy).

Then the cost of the first step: in a fresh process with an empty kernel cache
(TORSH_CACHE_DIR in a new temporary folder: every kernel is compiled), and in a second
process sharing that cache (kernels load from disk; plans are still built). Prints a table;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
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

import torsh  # noqa: E402  (after the sys.path line: run as a script)
import torsh.nn as nn  # noqa: E402
import torsh.nn.functional as F  # noqa: E402

SIZES = (784, 128, 10)
BATCH = 128
LR = 1e-3


def batches(n: int = 4, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32),
             rng.integers(0, SIZES[2], BATCH)) for _ in range(n)]


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(SIZES[0], SIZES[1])
        self.fc2 = nn.Linear(SIZES[1], SIZES[2])

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def torsh_step(compiled: bool, seed: int = 0):
    """A step function taking numpy (x, y) and returning the loss as a float."""
    torsh.manual_seed(seed)
    model = MLP()
    opt = torsh.optim.Adam(model.parameters(), lr=LR)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    inner = torsh.compile(step) if compiled else step

    def run(x: np.ndarray, y: np.ndarray) -> float:
        return inner(torsh.from_numpy(x), torsh.from_numpy(y)).item()

    return run, model


def torch_step(weights: dict | None = None):
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(),
                                torch.nn.Linear(SIZES[1], SIZES[2]))
    if weights is not None:
        with torch.no_grad():
            for (_, p), w in zip(model.named_parameters(), weights.values()):
                p.data.copy_(torch.from_numpy(w))
    opt = torch.optim.Adam(model.parameters(), lr=LR)

    def run(x: np.ndarray, y: np.ndarray) -> float:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)),
                                                 torch.from_numpy(y))
        loss.backward()
        opt.step()
        return loss.item()

    return run


def have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def steady_state(steps: int, warmup: int) -> dict[str, list[float]]:
    data = batches()
    lazy, model = torsh_step(compiled=False)
    compiled, _ = torsh_step(compiled=True)
    runners = {"torsh lazy": lazy, "torsh compiled": compiled}
    if have_torch():
        weights = {n: p.numpy().copy() for n, p in model.named_parameters()}
        runners["torch eager"] = torch_step(weights)
    first_losses = {}
    for name, run in runners.items():  # warm up: compile, build plans, allocate state
        for i in range(warmup):
            loss = run(*data[i % len(data)])
            if i == 0:
                first_losses[name] = loss
    times: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for i in range(steps):
        x, y = data[i % len(data)]
        order = names if i % 2 == 0 else names[::-1]  # alternate who goes first
        for name in order:
            t0 = time.perf_counter()
            runners[name](x, y)
            times[name].append(time.perf_counter() - t0)
    lo, hi = min(first_losses.values()), max(first_losses.values())
    if hi - lo > 1e-4 * max(1.0, abs(hi)):
        print(f"warning: first losses differ: {first_losses}", file=sys.stderr)
    return times


def first_step_child(compiled: bool) -> None:
    """Run in a subprocess: time import, model set-up and the first step."""
    t0 = time.perf_counter()
    data = batches(1)
    run, _ = torsh_step(compiled=compiled)
    t1 = time.perf_counter()
    run(*data[0])
    t2 = time.perf_counter()
    run(*data[0])
    t3 = time.perf_counter()
    stats = torsh.codegen.STATS
    print(json.dumps({"setup": t1 - t0, "first": t2 - t1, "second": t3 - t2,
                      "compiles": stats.compiles, "disk_hits": stats.disk_hits}))


def first_step(cache_dir: str, compiled: bool) -> dict:
    env = {**os.environ, "TORSH_CACHE_DIR": cache_dir}
    args = [sys.executable, __file__, "--child-first-step"] + (["--lazy"] if not compiled else [])
    t0 = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - t0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="timed steps per contender")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 5 steps")
    parser.add_argument("--child-first-step", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--lazy", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_first_step:
        first_step_child(compiled=not args.lazy)
        return
    if args.quick:
        args.steps, args.warmup = 5, 3

    threads = torsh._runtime.get_num_threads()
    line = (f"MLP {SIZES[0]}-{SIZES[1]}-{SIZES[2]}, batch {BATCH}, Adam, cross-entropy; "
            f"torsh threads {threads}")
    if have_torch():
        import torch

        line += f", torch {torch.__version__} threads {torch.get_num_threads()}"
    print(line)
    print(f"{args.steps} timed steps each after {args.warmup} warm-up steps, alternating\n")

    times = steady_state(args.steps, args.warmup)
    ref = statistics.median(times["torch eager"]) if "torch eager" in times else None
    print(f"{'step':<16}{'median ms':>10}{'min ms':>9}{'vs torch':>10}")
    for name, ts in times.items():
        med = statistics.median(ts)
        ratio = f"{med / ref:9.2f}x" if ref else f"{'n/a':>10}"
        print(f"{name:<16}{med * 1e3:>10.3f}{min(ts) * 1e3:>9.3f}{ratio}")

    print("\nfirst step of a new process (includes building plans):")
    print(f"{'':<40}{'first s':>9}{'second ms':>11}{'compiles':>10}{'disk hits':>10}")
    with tempfile.TemporaryDirectory() as cache:
        for label, compiled in (("compiled", True), ("lazy", False)):
            cold = first_step(os.path.join(cache, label), compiled)
            warm = first_step(os.path.join(cache, label), compiled)
            for what, r in ((f"{label}, cold (empty kernel cache)", cold),
                            (f"{label}, warm (disk cache, 2nd proc)", warm)):
                print(f"{what:<40}{r['first']:>9.3f}{r['second'] * 1e3:>11.3f}"
                      f"{r['compiles']:>10d}{r['disk_hits']:>10d}")
    if ref is None:
        print("\n(torch is not installed: no ratios)")


if __name__ == "__main__":
    main()
