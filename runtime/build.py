#!/usr/bin/env python3
"""Build libtorsh.so from runtime/*.c.

Standalone on purpose (no torsh import): the Makefile, setup.py and the tests run it
before torsh is importable.

    python runtime/build.py --out torsh     # torsh/lib/libtorsh.so, torsh/include/torsh.h
    python runtime/build.py --out /tmp/asan --sanitize address,undefined
    python runtime/build.py --out /tmp/tsan --sanitize thread

The library is written to a temporary name and renamed into place, so a process that
has the old library mapped never sees a half-written file.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_DIR = ROOT / "runtime"
HEADER = ROOT / "include" / "torsh.h"
LIBRARY_NAME = "libtorsh.so"

WARNINGS = ["-Wall", "-Wextra", "-Werror"]
# Only TORSH_API symbols are exported; everything else in runtime/ stays private.
BASE_FLAGS = ["-std=c11", "-fPIC", "-pthread", "-fvisibility=hidden"]
SANITIZERS = {"address", "undefined", "thread", "leak"}


def sanitizer_flags(sanitize: list[str]) -> list[str]:
    """Compile and link flags for a sanitizer build (the same for programs linking it)."""
    if not sanitize:
        return []
    unknown = set(sanitize) - SANITIZERS
    if unknown:
        raise SystemExit(f"build.py: unknown sanitizer(s): {', '.join(sorted(unknown))}")
    if "thread" in sanitize and len(sanitize) > 1:
        raise SystemExit("build.py: the thread sanitizer cannot be combined with others")
    # Abort on the first UBSan report so a test sees a failing exit code.
    return [f"-fsanitize={','.join(sanitize)}", "-fno-omit-frame-pointer",
            "-fno-sanitize-recover=all"]


def compile_flags(sanitize: list[str], debug: bool) -> list[str]:
    optimize = ["-O0", "-g"] if debug else (["-O1", "-g"] if sanitize else ["-O2"])
    return BASE_FLAGS + WARNINGS + optimize + sanitizer_flags(sanitize)


def build(out: Path, *, cc: str | None = None, sanitize: list[str] | None = None,
          debug: bool = False, verbose: bool = False) -> Path:
    """Compile the runtime into out/lib/libtorsh.so, copy torsh.h to out/include."""
    sanitize = sanitize or []
    cc = cc or os.environ.get("CC") or "cc"
    sources = sorted(str(p) for p in RUNTIME_DIR.glob("*.c"))
    lib_dir, inc_dir = out / "lib", out / "include"
    lib_dir.mkdir(parents=True, exist_ok=True)
    inc_dir.mkdir(parents=True, exist_ok=True)
    target = lib_dir / LIBRARY_NAME
    fd, tmp = tempfile.mkstemp(prefix=".libtorsh-", suffix=".so", dir=lib_dir)
    os.close(fd)
    link = ["-shared", f"-Wl,-soname,{LIBRARY_NAME}"]
    if not sanitize:  # sanitizer runtimes resolve their symbols at load time
        link.append("-Wl,-z,defs")
    cmd = [cc, *compile_flags(sanitize, debug), "-I", str(HEADER.parent), *link,
           "-o", tmp, *sources]
    if verbose:
        print(shlex.join(cmd))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"build.py: compiling libtorsh failed ({cc} exited {proc.returncode})")
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    header_tmp = inc_dir / ".torsh.h.tmp"
    shutil.copyfile(HEADER, header_tmp)
    os.replace(header_tmp, inc_dir / HEADER.name)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path,
                        help="prefix: the library goes to OUT/lib, the header to OUT/include")
    parser.add_argument("--cc", help="C compiler (default: $CC, else cc)")
    parser.add_argument("--sanitize", default="",
                        help="comma-separated: address,undefined,leak or thread")
    parser.add_argument("--debug", action="store_true", help="-O0 -g")
    parser.add_argument("--print-flags", action="store_true",
                        help="print the sanitizer flags a program linking this build needs, "
                             "and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the compile command")
    args = parser.parse_args(argv)
    sanitize = [s for s in args.sanitize.split(",") if s]
    if args.print_flags:
        print(shlex.join(sanitizer_flags(sanitize)))
        return 0
    target = build(args.out, cc=args.cc, sanitize=sanitize, debug=args.debug,
                   verbose=args.verbose)
    print(f"built {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
