"""Building and running the C test programs of tests/runtime/c (used by the fixtures)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
C_DIR = Path(__file__).resolve().parent / "c"
BUILD_PY = ROOT / "runtime" / "build.py"
RUNTIME_SOURCES = [*ROOT.glob("runtime/*.c"), *ROOT.glob("runtime/*.h"),
                   ROOT / "include" / "torsh.h", BUILD_PY]
PROGRAMS = ["test_api", "test_launch", "test_null", "test_handles", "test_oom", "test_threads",
            "test_examples"]
CC = os.environ.get("CC", "cc")

# Sanitizer builds: the runtime's flags (runtime/build.py) plus these run-time options.
# allocator_may_return_null: the tests ask for absurd sizes on purpose and expect NULL.
SANITIZER_ENV = {
    "ASAN_OPTIONS": "allocator_may_return_null=1:detect_leaks=1:abort_on_error=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    "TSAN_OPTIONS": "allocator_may_return_null=1:halt_on_error=1:second_deadlock_stack=1",
}
TEST_CFLAGS = ["-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-pthread"]
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)


@dataclass
class Build:
    """A libtorsh build and the C programs linked against it."""

    prefix: Path  # holds lib/libtorsh.so and include/torsh.h
    sanitize: str
    programs: dict[str, Path]

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **SANITIZER_ENV} if self.sanitize else dict(os.environ)


def library_is_stale(library: Path) -> bool:
    if not library.exists():
        return True
    built = library.stat().st_mtime
    return any(src.stat().st_mtime > built for src in RUNTIME_SOURCES if src.exists())


def build_library(prefix: Path, sanitize: str = "") -> None:
    cmd = [sys.executable, str(BUILD_PY), "--out", str(prefix)]
    if sanitize:
        cmd += ["--sanitize", sanitize]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def sanitizer_flags(sanitize: str) -> list[str]:
    if not sanitize:
        return []
    out = subprocess.run([sys.executable, str(BUILD_PY), "--out", "unused", "--print-flags",
                          "--sanitize", sanitize], check=True, capture_output=True, text=True)
    return out.stdout.split()


def compile_program(source: Path, output: Path, prefix: Path, sanitize: str = "",
                    shared: bool = False) -> Path:
    libdir = prefix / "lib"
    cmd = [CC, *TEST_CFLAGS, *sanitizer_flags(sanitize), f"-I{prefix / 'include'}", f"-I{C_DIR}"]
    if shared:
        cmd += ["-shared", "-fPIC"]
    cmd += ["-o", str(output), str(source), f"-L{libdir}", "-ltorsh", f"-Wl,-rpath,{libdir}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"compiling {source.name} failed:\n{' '.join(cmd)}\n{proc.stderr}")
    return output


def build_programs(prefix: Path, out_dir: Path, sanitize: str = "") -> Build:
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {name: pool.submit(compile_program, C_DIR / f"{name}.c", out_dir / name,
                                     prefix, sanitize) for name in PROGRAMS}
        programs = {name: f.result() for name, f in futures.items()}
    return Build(prefix, sanitize, programs)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> tuple[int, int] | None:
        m = SUMMARY.search(self.stdout)
        return (int(m.group(1)), int(m.group(2))) if m else None

    def describe(self) -> str:
        return (f"exit status {self.returncode}\n--- stdout\n{self.stdout}\n"
                f"--- stderr\n{self.stderr}")


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> Result:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                          check=False)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_passed(result: Result) -> None:
    """The program exited 0 and its summary says every test passed."""
    assert result.returncode == 0, result.describe()
    assert result.summary is not None, result.describe()
    passed, failed = result.summary
    assert failed == 0 and passed > 0, result.describe()


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
