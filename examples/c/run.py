"""Build and run the C examples against libtorsh (what ``make demo`` does for C).

    python examples/c/run.py [--valgrind] [--out DIR]

Each examples/c/*.c is compiled with -Wall -Wextra -Werror and the flags of
``python -m torsh.config``, then run; train_mlp runs its 100 Adam steps (20 under
valgrind, which is slow). With --valgrind every program runs under memcheck and must
report no errors and no leaks. Exits non-zero if any example fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from torsh import config  # noqa: E402  (after the sys.path line: run as a script)

VALGRIND = ["valgrind", "--quiet", "--leak-check=full", "--show-leak-kinds=all",
            "--errors-for-leak-kinds=all", "--error-exitcode=99"]


def build(source: Path, out_dir: Path) -> Path:
    exe = out_dir / source.stem
    cmd = [os.environ.get("CC", "cc"), "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
           *config.cflags(), str(source), *config.libs(), "-o", str(exe)]
    subprocess.run(cmd, check=True)
    return exe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--valgrind", action="store_true", help="run under valgrind memcheck")
    parser.add_argument("--out", type=Path, help="where to put the programs (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.valgrind and shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for source in sorted(HERE.glob("*.c")):
            exe = build(source, out)
            cmd = [str(exe)] + (["20"] if source.stem == "train_mlp" and args.valgrind else [])
            if args.valgrind:
                cmd = VALGRIND + cmd
            print(f"== {source.name} ==", flush=True)
            rc = subprocess.run(cmd, check=False).returncode
            if rc != 0:
                failed.append(f"{source.name} (exit {rc})")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
