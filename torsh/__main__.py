"""The ``torsh`` command line: ``python -m torsh cache stats|clear|explain [ENTRY]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _cache_stats(args) -> int:
    from torsh.codegen import cache
    from torsh.codegen.compiler import fingerprint

    folder = cache.cache_dir()
    files = cache.entries(folder)
    fp = fingerprint()
    valid = stale = corrupt = 0
    total = 0
    for p in files:
        blob = p.read_bytes()
        total += len(blob)
        problem = cache.check_entry(blob, p.stem)
        if problem:
            corrupt += 1
        elif cache.check_entry(blob, p.stem, fp):
            stale += 1
        else:
            valid += 1
    temps = len(list(folder.glob(".*.tmp"))) if folder.is_dir() else 0
    print(f"cache folder:   {folder}")
    print(f"entries:        {len(files)} ({total / 1024:.1f} KiB)")
    print(f"  usable here:  {valid}")
    print(f"  other build:  {stale} (another torsh/LLVM version or CPU)")
    print(f"  corrupt:      {corrupt}")
    print(f"temp files:     {temps}")
    return 0


def _cache_clear(args) -> int:
    from torsh.codegen import cache

    n = cache.clear()
    print(f"removed {n} entries from {cache.cache_dir()}")
    return 0


def _cache_explain(args) -> int:
    from torsh.codegen import cache
    from torsh.codegen.compiler import fingerprint

    fp = fingerprint()
    if not args.entry:
        print("A kernel's cache key is sha256 of its canonical IR text plus this fingerprint;")
        print("a change to any field below makes every entry stale (it is rebuilt, not reused):")
        print(json.dumps(fp, indent=2, sort_keys=True))
        print(f"entries live in {cache.cache_dir()} (set TORSH_CACHE_DIR to move them)")
        return 0
    path = Path(args.entry)
    if not path.exists():
        path = cache.entry_path(args.entry)
    if not path.exists():
        print(f"no cache entry {args.entry}", file=sys.stderr)
        return 1
    blob = path.read_bytes()
    problem = cache.check_entry(blob, path.stem)
    print(f"entry: {path}")
    if problem:
        print(f"status: corrupt: {problem}")
        return 1
    header, payload = cache._split(blob)
    mismatch = [k for k in fp if header["fingerprint"].get(k) != fp[k]]
    print("status: " + ("usable here" if not mismatch else
                        f"built elsewhere (differs in: {', '.join(mismatch)})"))
    info = header["meta"].get("info", {})
    print(f"kernel: {info.get('name')} ({info.get('kind')}, range {info.get('range')})")
    print(f"object code: {len(payload)} bytes")
    print("kernel IR:")
    print(header["meta"].get("ir", "(not recorded)"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="torsh", description="torsh tools")
    sub = parser.add_subparsers(dest="command", required=True)
    cache_p = sub.add_parser("cache", help="inspect or clear the kernel disk cache")
    cache_sub = cache_p.add_subparsers(dest="action", required=True)
    cache_sub.add_parser("stats", help="count entries, usable/stale/corrupt").set_defaults(
        fn=_cache_stats)
    cache_sub.add_parser("clear", help="delete every entry").set_defaults(fn=_cache_clear)
    ex = cache_sub.add_parser("explain", help="what the cache key covers, or one entry")
    ex.add_argument("entry", nargs="?", help="an entry file or key")
    ex.set_defaults(fn=_cache_explain)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
