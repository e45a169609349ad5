"""Benchmark the C runtime's primitives and compare them with their peers.

    python benchmarks/runtime.py [--scale N]

Builds benchmarks/runtime_bench.c against libtorsh (building the library first if it is
missing), runs it, then measures the same things from Python (through ctypes) next to
numpy. Prints nanoseconds per operation and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from torsh import _runtime as rt  # noqa: E402  (after the sys.path line: run as a script)
from torsh import config  # noqa: E402

MIB = 1 << 20


def ensure_library() -> None:
    if not config.get_library().exists():
        subprocess.run([sys.executable, str(ROOT / "runtime" / "build.py"), "--out",
                        str(ROOT / "torsh")], check=True)


def run_c_benchmark(scale: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "runtime_bench"
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-std=c11", "-O2", *config.cflags(),
                        str(ROOT / "benchmarks" / "runtime_bench.c"), *config.libs(),
                        "-o", str(exe)], check=True)
        out = subprocess.run([str(exe), str(scale)], capture_output=True, text=True,
                             check=True).stdout
    return {name: float(value) for name, value in (line.split() for line in out.splitlines())}


def best_ns(fn, iterations: int, repeats: int = 7) -> float:
    """Best per-call time over several repetitions, in nanoseconds."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(iterations):
            fn()
        best = min(best, (time.perf_counter_ns() - t0) / iterations)
    return best


EMPTY_KERNEL_C = """
#include <stdint.h>
void empty_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)buffers, (void)sizes, (void)start, (void)end;
}
"""


def python_measurements(scale: int) -> dict[str, float]:
    lib = rt.lib()
    n = 2000 * scale
    shape = (MIB // 4,)
    results = {
        "np_empty_1MiB": best_ns(lambda: np.empty(MIB, np.uint8), n),
        "py_RuntimeTensor_empty_1MiB": best_ns(lambda: rt.RuntimeTensor.empty(shape), n),
        "py_ctypes_call": best_ns(lib.torsh_get_num_threads, 10 * n),
    }
    buffers = (ctypes.c_void_p * 1)()
    sizes = (ctypes.c_int64 * 1)()
    with tempfile.TemporaryDirectory() as tmp:
        src, so = Path(tmp) / "k.c", Path(tmp) / "k.so"
        src.write_text(EMPTY_KERNEL_C)
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC", str(src), "-o",
                        str(so)], check=True)
        c_kernel = rt.as_kernel(ctypes.CDLL(str(so)).empty_kernel)
        for threads in (1, 2):
            rt.set_num_threads(threads)
            results[f"py_launch_c_kernel_{threads}thread"] = best_ns(
                lambda: lib.torsh_launch(c_kernel, buffers, sizes, 1024, 1), n)
    python_kernel = rt.KERNEL_FN(lambda *args: None)  # re-acquires the GIL per call
    rt.set_num_threads(1)
    results["py_launch_python_kernel_1thread"] = best_ns(
        lambda: lib.torsh_launch(python_kernel, buffers, sizes, 1024, 1), n)
    rt.set_num_threads(0)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="multiply the iteration counts")
    args = parser.parse_args()
    ensure_library()
    c = run_c_benchmark(args.scale)
    py = python_measurements(args.scale)

    print(f"torsh runtime benchmark (libtorsh {rt.version_string()}, "
          f"{rt.get_num_threads()} threads available)")
    print(f"{'operation':40} {'ns/op':>10}")
    for name, value in {**c, **py}.items():
        print(f"{name:40} {value:10.1f}")
    print()
    print("ratios (lower is better for torsh):")
    ratios = [
        ("torsh_malloc+free 1MiB / libc malloc+free 1MiB",
         c["torsh_malloc_free_1MiB"], c["libc_malloc_free_1MiB"]),
        ("torsh_malloc+free 1MiB / numpy np.empty(1MiB)",
         c["torsh_malloc_free_1MiB"], py["np_empty_1MiB"]),
        ("RuntimeTensor.empty(1MiB) from Python / np.empty(1MiB)",
         py["py_RuntimeTensor_empty_1MiB"], py["np_empty_1MiB"]),
        ("pool allocation / heap tensor create+release",
         c["pool_alloc_64B"], c["tensor_create_release_64B"]),
        ("launch, 2 threads / 1 thread (empty kernel)",
         c["launch_empty_2thread"], c["launch_empty_1thread"]),
        ("plan replay per launch / single launch (2 threads)",
         c["plan_run_10_launches_2thread"] / 10, c["launch_empty_2thread"]),
        ("retain+release / one ctypes call from Python",
         c["retain_release"], py["py_ctypes_call"]),
        ("launch from Python / launch from C (empty kernel, 1 thread)",
         py["py_launch_c_kernel_1thread"], c["launch_empty_1thread"]),
        ("Python-callback kernel / C kernel, launched from Python",
         py["py_launch_python_kernel_1thread"], py["py_launch_c_kernel_1thread"]),
    ]
    for label, a, b in ratios:
        print(f"  {label:58} {a / b:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
