"""Where libtorsh and torsh.h are, and the compiler flags to build C programs against them.

>>> from torsh import config
>>> config.get_library().name
'libtorsh.so'

From a shell, a C program builds and runs without LD_LIBRARY_PATH (the flags carry an
rpath to the library's folder)::

    cc prog.c $(python -m torsh.config --cflags --libs) -o prog && ./prog

The files live inside the installed package (``torsh/lib/libtorsh.so`` and
``torsh/include/torsh.h``: the wheel ships them, ``make lib`` builds them in a source
checkout). ``TORSH_LIBRARY`` overrides the library path, e.g. for a sanitizer build.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
LIBRARY_NAME = "libtorsh.so"


def get_library() -> Path:
    """The path of libtorsh.so: ``$TORSH_LIBRARY`` if set, else ``torsh/lib/libtorsh.so``."""
    override = os.environ.get("TORSH_LIBRARY")
    if override:
        return Path(override).resolve()
    return _PACKAGE_DIR / "lib" / LIBRARY_NAME


def get_library_dir() -> Path:
    """The folder holding libtorsh.so (for ``-L`` and the rpath)."""
    return get_library().parent


def get_include() -> Path:
    """The folder holding torsh.h.

    The package copy (``torsh/include``) when it exists; in a source checkout whose
    library has not been built yet, the repository's ``include/``.
    """
    packaged = _PACKAGE_DIR / "include"
    if (packaged / "torsh.h").exists():
        return packaged
    source = _PACKAGE_DIR.parent / "include"
    if (source / "torsh.h").exists():
        return source
    return packaged


def cflags() -> list[str]:
    """Compiler flags: the include path."""
    return [f"-I{get_include()}"]


def libs() -> list[str]:
    """Linker flags: the library, and an rpath so the program finds it at run time."""
    libdir = get_library_dir()
    return [f"-L{libdir}", "-ltorsh", f"-Wl,-rpath,{libdir}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m torsh.config",
        description="Print the paths and flags to build C programs against libtorsh.")
    parser.add_argument("--cflags", action="store_true", help="compiler flags (-I...)")
    parser.add_argument("--libs", action="store_true", help="linker flags (-L... -ltorsh rpath)")
    parser.add_argument("--include-dir", action="store_true", help="the folder of torsh.h")
    parser.add_argument("--library", action="store_true", help="the path of libtorsh.so")
    parser.add_argument("--library-dir", action="store_true", help="the folder of libtorsh.so")
    args = parser.parse_args(argv)
    words: list[str] = []
    if args.cflags:
        words += cflags()
    if args.libs:
        words += libs()
    if args.include_dir:
        words.append(str(get_include()))
    if args.library:
        words.append(str(get_library()))
    if args.library_dir:
        words.append(str(get_library_dir()))
    if not words:
        parser.print_help()
        return 2
    print(" ".join(shlex.quote(w) for w in words))
    return 0


if __name__ == "__main__":
    sys.exit(main())
