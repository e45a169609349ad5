"""`make demo` runs examples/demo.py: it must print a module and its re-parsed copy."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_prints_module_and_reparsed_copy():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "== IR as built ==" in out
    assert "== parsed back and printed again ==" in out
    optimized = out.split("== after canonicalize,cse,dce ==\n")[1].split("\n== parsed")[0]
    reparsed = out.split("== parsed back and printed again ==\n")[1].split("\nround trip")[0]
    assert optimized.strip().startswith("module {")
    assert optimized.strip() == reparsed.strip()
    assert '"torsh.matmul"' in optimized
    assert "round trip: byte-identical text" in out
