"""Run every benchmark in benchmarks/ (what ``make bench`` does), one process each.

    python benchmarks/run_all.py [--quick] [NAME ...]

Each ``benchmarks/*.py`` script other than this one runs in its own Python process, in
name order (or only the NAMEs given, e.g. ``compiler``), and prints its own table.
``--quick`` is passed on to the scripts that accept it. A failing script does not stop
the others; the exit status says whether all succeeded. Asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(names: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    if not names:
        return found
    by_name = {p.stem: p for p in found}
    missing = [n for n in names if n.removesuffix(".py") not in by_name]
    if missing:
        raise SystemExit(f"no benchmark {', '.join(missing)}; have {', '.join(by_name)}")
    return [by_name[n.removesuffix(".py")] for n in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="pass --quick to the scripts that accept it")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)
    failed = []
    for script in scripts(args.names):
        cmd = [sys.executable, str(script)]
        if args.quick and '"--quick"' in script.read_text():
            cmd.append("--quick")
        print(f"== {script.relative_to(HERE.parent)} ==", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run(cmd, check=False).returncode
        print(f"== {script.name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in "
              f"{time.perf_counter() - t0:.1f} s ==\n", flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
