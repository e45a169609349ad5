"""Benchmark torsh's compiled kernels against numpy and torch, side by side in one run.

    python benchmarks/compiler.py [--quick] [--repeat N] [--json PATH] [--native-openblas]
                                  [--only TEXT]

For each workload every contender is measured in alternating rounds (torsh, numpy, torch,
then the next round, in rotating order), so machine noise hits all of them alike, and the
median of the rounds is reported. torsh is timed end to end: the inputs are realized
tensors built once, and each timed call builds the lazy expression and realizes it (plan
lookup, buffer allocation, kernel launches). Ratios are torsh's time over the other's:
below 1 torsh is faster.

Workloads: a fused elementwise expression and a full sum over 16M float32, a row softmax of
4096x1024, float32 matmuls (1024^3, 2048^3, and the odd shapes 1000x999x1001, 1x4096x4096,
4096x1x4096), and a cached one-op graph on 4 elements (the fixed cost of a realization
against an eager numpy/torch op). Then the compiler itself, in child processes: the cold
compile time of each kernel of these workloads (fresh TORSH_CACHE_DIR, disk cache on) and
the warm load of the same kernels from the disk cache in a new process.

``--quick`` uses small sizes and few rounds (tests run it to prove the script works; the
numbers mean little). ``--native-openblas`` reruns the script without OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE, which some machines set and which slow a current numpy (see the machine
notes). Prints a table; asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torsh  # noqa: E402  (after the sys.path line: run as a script)
from torsh.codegen.jit import host  # noqa: E402

CONTENDERS = ("torsh", "numpy", "torch")
# Seconds to pause before each timed call. OpenBLAS's worker threads busy-wait for about
# 0.1-0.2 s after a call and torch's OpenMP threads for a while too: on 2 cores whoever
# runs next in the alternation loses a core to them (torsh's 1024^3 matmul measured 2x
# slower right after numpy's). The pause lets every contender start on an idle machine.
SETTLE = 0.25


def import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


@dataclass
class Workload:
    """One row: a name and, per contender, a function that runs the computation once."""

    name: str
    runs: dict[str, Callable[[], object]]
    inner: int = 1  # calls per measurement (for microsecond-scale work)
    check: tuple[str, str] | None = ("torsh", "numpy")  # results compared before timing
    tolerance: float = 1e-4
    settle: bool = True  # pause before each timed call (see SETTLE)
    times: dict[str, list[float]] = field(default_factory=dict)


def sizes(quick: bool) -> dict:
    if quick:
        return {"n": 1 << 16, "softmax": (256, 128),
                "matmul": [(128, 128, 128), (192, 192, 192), (100, 99, 101), (1, 256, 256),
                           (256, 1, 256)]}
    return {"n": 1 << 24, "softmax": (4096, 1024),
            "matmul": [(1024, 1024, 1024), (2048, 2048, 2048), (1000, 999, 1001),
                       (1, 4096, 4096), (4096, 1, 4096)]}


def label_n(n: int) -> str:
    return f"{n >> 20}M" if n >= 1 << 20 else f"{n >> 10}K"


def rng_arrays(*shapes, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


# -- the torsh side of every workload (also compiled by the compile-time children) ----------
def torsh_elementwise(a, b, c):
    return torsh.relu(a * b + c) * 0.5 + torsh.exp(-a) * 0.1


def torsh_softmax(x):
    return torsh.softmax(x, dim=1)


def torsh_graphs(quick: bool) -> list:
    """The unrealized torsh result of every workload, on realized inputs (zeros: only the
    shapes matter to the compiler)."""
    s = sizes(quick)
    z = lambda *shape: torsh.tensor(np.zeros(shape, np.float32))  # noqa: E731
    n = s["n"]
    a, b, c = z(n), z(n), z(n)
    out = [torsh_elementwise(a, b, c), a.sum(), torsh_softmax(z(*s["softmax"]))]
    out += [z(m, k) @ z(k, nn) for m, k, nn in s["matmul"]]
    out.append(z(4) + z(4))
    return out


def workloads(quick: bool) -> list[Workload]:
    torch = import_torch()
    s = sizes(quick)
    rows = []

    n = s["n"]
    an, bn, cn = rng_arrays(n, n, n)
    a, b, c = (torsh.tensor(x) for x in (an, bn, cn))
    runs = {"torsh": lambda: torsh_elementwise(a, b, c).realize(),
            "numpy": lambda: np.maximum(an * bn + cn, 0) * 0.5 + np.exp(-an) * 0.1}
    if torch:
        at, bt, ct = (torch.from_numpy(x) for x in (an, bn, cn))
        runs["torch"] = lambda: torch.relu(at * bt + ct) * 0.5 + torch.exp(-at) * 0.1
    rows.append(Workload(f"relu(a*b+c)*.5+exp(-a)*.1 {label_n(n)} f32", runs))

    runs = {"torsh": lambda: a.sum().realize(), "numpy": lambda: an.sum()}
    if torch:
        runs["torch"] = lambda: at.sum()
    rows.append(Workload(f"sum {label_n(n)} f32", runs, tolerance=1e-3))

    (xn,) = rng_arrays(s["softmax"], seed=1)
    x = torsh.tensor(xn)

    def numpy_softmax():
        e = np.exp(xn - xn.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    runs = {"torsh": lambda: torsh_softmax(x).realize(), "numpy": numpy_softmax}
    if torch:
        xt = torch.from_numpy(xn)
        runs["torch"] = lambda: torch.softmax(xt, 1)
    rows.append(Workload(f"softmax rows {s['softmax'][0]}x{s['softmax'][1]} f32", runs))

    for m, k, nn in s["matmul"]:
        pn, qn = rng_arrays((m, k), (k, nn), seed=m + k + nn)
        p, q = torsh.tensor(pn), torsh.tensor(qn)
        runs = {"torsh": lambda p=p, q=q: (p @ q).realize(),
                "numpy": lambda pn=pn, qn=qn: pn @ qn}
        if torch:
            pt, qt = torch.from_numpy(pn), torch.from_numpy(qn)
            runs["torch"] = lambda pt=pt, qt=qt: pt @ qt
        rows.append(Workload(f"matmul {m}x{k}x{nn} f32", runs, tolerance=1e-3))

    tn, un = rng_arrays(4, 4, seed=2)
    t, u = torsh.tensor(tn), torsh.tensor(un)
    runs = {"torsh": lambda: (t + u).realize(), "numpy": lambda: tn + un}
    if torch:
        tt, ut = torch.from_numpy(tn), torch.from_numpy(un)
        runs["torch"] = lambda: tt + ut
    rows.append(Workload("cached 1-op graph, 4 elements", runs, inner=200 if quick else 2000,
                         settle=False))
    return rows


def as_numpy(value) -> np.ndarray:
    if isinstance(value, torsh.Tensor):
        return value.numpy()
    if hasattr(value, "numpy"):
        return value.numpy()
    return np.asarray(value)


def measure(row: Workload, rounds: int, settle: float = 0.0) -> None:
    names = [c for c in CONTENDERS if c in row.runs]
    for name in names:  # warm up: compile (or load) kernels, build the plan, fault pages in
        row.runs[name]()
    if row.check:
        want, got = (as_numpy(row.runs[c]()) for c in reversed(row.check))
        scale = max(float(np.abs(want).max()), 1.0)
        if not np.allclose(got, want, rtol=row.tolerance, atol=row.tolerance * scale):
            row.name += "  (!) torsh differs from numpy"
    row.times = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # rotate who goes first
        for name in order:
            fn = row.runs[name]
            if row.settle and settle:
                time.sleep(settle)
                fn()  # caches and clocks warm again after the pause
            t0 = time.perf_counter()
            for _ in range(row.inner):
                fn()
            row.times[name].append((time.perf_counter() - t0) / row.inner)


# -- compile time, in fresh processes ------------------------------------------------------
def child_compile_times(quick: bool) -> None:
    """Child mode: compile (or load) every distinct kernel of the workloads, timing each
    compile_kernel call; print JSON with the times and the cache counters."""
    from torsh.codegen import STATS
    from torsh.codegen.compiler import compile_kernel, kernel_key
    from torsh.ir import run_pipeline
    from torsh.plan import PIPELINE, build_graph

    funcs = {}
    for t in torsh_graphs(quick):
        module, _ = build_graph([t])
        run_pipeline(module, PIPELINE)
        for f in module.funcs[1:]:
            funcs.setdefault(kernel_key(f), f)
    times = []
    for f in funcs.values():
        t0 = time.perf_counter()
        compile_kernel(f)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"times": times, "stats": STATS.as_dict()}))


def run_child(cache_dir: str, quick: bool) -> dict:
    env = dict(os.environ, TORSH_CACHE_DIR=cache_dir, TORSH_DISK_CACHE="1")
    env.pop("TORSH_DUMP", None)
    args = [sys.executable, str(Path(__file__).resolve()), "--child-compile"]
    if quick:
        args.append("--quick")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compile_rows(quick: bool, processes: int) -> list[tuple[str, list[float], str]]:
    cold: list[float] = []
    warm: list[float] = []
    notes = ""
    for _ in range(processes):
        with tempfile.TemporaryDirectory(prefix="torsh-bench-cache-") as folder:
            first = run_child(folder, quick)
            second = run_child(folder, quick)
        n = len(first["times"])
        if first["stats"]["compiles"] != n or second["stats"]["disk_hits"] != n \
                or second["stats"]["compiles"] != 0:
            notes = "  (!) unexpected cache counts: " + json.dumps(
                [first["stats"], second["stats"]])
        cold += first["times"]
        warm += second["times"]
    kernels = len(cold) // processes
    return [(f"cold compile / kernel ({kernels} kernels x {processes} proc)", cold, notes),
            ("warm disk-cache load / kernel (new proc)", warm, "")]


# -- report --------------------------------------------------------------------------------
def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def fmt_ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def machine_lines() -> list[str]:
    model = platform.processor() or "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    h = host()
    avx512 = "+avx512f" in h.features.split(",")
    load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) \
        if hasattr(os, "getloadavg") else ""
    lines = [f"machine: {model}, {cpus} CPUs usable, {platform.machine()}, "
             f"python {platform.python_version()}{load}",
             f"torsh {torsh.__version__}: LLVM {h.llvm_version}, cpu {h.cpu}, "
             f"avx512f {'yes' if avx512 else 'no'}, {torsh._runtime.get_num_threads()} threads"]
    blas = "numpy " + np.__version__
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            i = info[0]
            blas += (f": {i.get('internal_api')} {i.get('version')}, kernel "
                     f"{i.get('architecture')}, {i.get('num_threads')} threads")
    except ImportError:
        blas += " (threadpoolctl not installed: BLAS kernel unknown)"
    lines.append(blas)
    coretype = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                if k in os.environ}
    if coretype:
        lines.append(f"note: {coretype} is set; numpy's BLAS may be slower than it could be "
                     f"(--native-openblas reruns without it)")
    torch = import_torch()
    lines.append(f"torch {torch.__version__}, {torch.get_num_threads()} threads" if torch
                 else "torch not installed: no torch column")
    return lines


def report(rows: list[Workload], compile_info: list, rounds: int) -> str:
    head = ["benchmark", "torsh", "numpy", "torch", "torsh/numpy", "torsh/torch"]
    table = []
    for row in rows:
        med = {c: statistics.median(row.times[c]) if c in row.times else None
               for c in CONTENDERS}
        table.append([row.name, *(fmt_time(med[c]) for c in CONTENDERS),
                      fmt_ratio(med["torsh"], med["numpy"]),
                      fmt_ratio(med["torsh"], med["torch"])])
    notes = []
    for name, times, note in compile_info:
        table.append([name, fmt_time(statistics.median(times)), "-", "-", "-", "-"])
        notes.append(f"{name}: min {fmt_time(min(times))}, max {fmt_time(max(times))}{note}")
    widths = [max(len(r[i]) for r in [head] + table) for i in range(len(head))]

    def line(cells):
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                         for i, c in enumerate(cells))

    out = [line(head), line(["-" * w for w in widths])] + [line(r) for r in table]
    out.append("")
    out.append(f"median of {rounds} alternating rounds; ratio = torsh time / other time "
               f"(below 1: torsh faster); compile rows: median over kernels")
    out += notes
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds")
    parser.add_argument("--repeat", type=int, default=None, help="rounds per workload")
    parser.add_argument("--compile-processes", type=int, default=None,
                        help="fresh processes for the compile-time rows")
    parser.add_argument("--json", type=Path, help="also write the raw times here")
    parser.add_argument("--native-openblas", action="store_true",
                        help="rerun without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE")
    parser.add_argument("--settle", type=float, default=None,
                        help=f"seconds of pause before each timed call (default {SETTLE})")
    parser.add_argument("--only", metavar="TEXT", default=None,
                        help="run only the workloads whose name contains TEXT (no compile rows)")
    parser.add_argument("--child-compile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_compile:
        child_compile_times(args.quick)
        return 0
    if args.native_openblas:
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
        rest = [a for a in (argv if argv is not None else sys.argv[1:])
                if a != "--native-openblas"]
        return subprocess.run([sys.executable, str(Path(__file__).resolve()), *rest],
                              env=env, check=False).returncode
    settle = args.settle if args.settle is not None else (0.0 if args.quick else SETTLE)
    rounds = args.repeat or (3 if args.quick else 9)
    processes = args.compile_processes or (1 if args.quick else 3)

    print("\n".join(machine_lines()))
    print(flush=True)
    rows = [r for r in workloads(args.quick) if args.only is None or args.only in r.name]
    for row in rows:
        measure(row, rounds, settle)
    compile_info = compile_rows(args.quick, processes) if args.only is None else []
    print(report(rows, compile_info, rounds))
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine_lines(),
            "rows": {r.name: r.times for r in rows},
            "compile": {name: times for name, times, _ in compile_info}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
