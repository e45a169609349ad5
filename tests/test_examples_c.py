"""The C examples (examples/c) build warning-free, run, and are clean under valgrind:
no errors, no leaks (examples/c/run.py --valgrind)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "examples" / "c" / "run.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True,
                          check=False, cwd=ROOT)


def test_c_examples_run_and_the_mlp_loss_falls() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tensor + tensor = [[2, 4], [6, 8]]" in result.stdout
    assert "Error: torsh_matmul: shapes (2, 3) and (4, 5)" in result.stderr
    final = [line for line in result.stdout.splitlines() if line.startswith("loss ")]
    assert final and float(final[0].split("(")[1].split("%")[0]) < 25.0, result.stdout


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_c_examples_are_valgrind_clean() -> None:
    result = run("--valgrind")
    assert result.returncode == 0, result.stdout + result.stderr
