"""The kernel caches: in memory (per process) and on disk (across processes).

Key = sha256 of the canonical kernel IR text + torsh version + llvmlite/LLVM version +
target triple + CPU name + CPU features + codegen options (DESIGN.md "Caches").

A disk entry is ``<key>.tko`` in the cache folder (``TORSH_CACHE_DIR``, default
``~/.cache/torsh``)::

    b"TORSHKC1" | u32 header length | header (JSON) | payload (object code)

The header repeats the key and versions and carries the payload's length and sha256 and the
sha256 of its own ``meta`` (the launch info a runner trusts: a flipped ``range`` would make a
kernel write out of bounds), so a truncated, bit-flipped or stale entry is detected; it is
reported with a :class:`KernelCacheWarning` and rebuilt. Writes go to a temporary file in
the same folder and are published with ``os.replace``, so concurrent writers never leave a
torn entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"TORSHKC1"
FORMAT_VERSION = 2  # 2: the header carries meta_sha256
SUFFIX = ".tko"


class KernelCacheWarning(UserWarning):
    """A disk cache entry was corrupt or stale and is being rebuilt."""


@dataclass
class CacheStats:
    """Public counters; tests use ``compiles`` to assert that nothing recompiled."""

    compiles: int = 0
    memory_hits: int = 0
    disk_hits: int = 0
    disk_writes: int = 0
    corrupt_entries: int = 0
    plan_hits: int = 0
    plan_builds: int = 0
    compile_seconds: float = 0.0
    load_seconds: float = 0.0
    by_kernel: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d.pop("by_kernel")
        return d


STATS = CacheStats()


def cache_dir() -> Path:
    env = os.environ.get("TORSH_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "torsh"


def disk_enabled() -> bool:
    return os.environ.get("TORSH_DISK_CACHE", "1") not in ("0", "off", "false")


def make_key(kernel_text: str, fingerprint: dict) -> str:
    h = hashlib.sha256()
    h.update(kernel_text.encode())
    h.update(json.dumps(fingerprint, sort_keys=True).encode())
    return h.hexdigest()


def entry_path(key: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / (key + SUFFIX)


def write_entry(key: str, fingerprint: dict, meta: dict, payload: bytes,
                folder: Path | None = None) -> Path | None:
    """Atomically publish an entry; a cache that cannot be written is skipped quietly
    (a read-only home must not break compilation)."""
    folder = folder or cache_dir()
    header = json.dumps({
        "format": FORMAT_VERSION, "key": key, "fingerprint": fingerprint, "meta": meta,
        "payload_len": len(payload), "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "meta_sha256": _meta_sha256(meta),
    }, sort_keys=True).encode()
    blob = MAGIC + struct.pack("<I", len(header)) + header + payload
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, entry_path(key, folder))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError:
        return None
    STATS.disk_writes += 1
    return entry_path(key, folder)


def read_entry(key: str, fingerprint: dict,
               folder: Path | None = None) -> tuple[dict, bytes] | None:
    """(meta, payload) of a valid entry; None if absent. A corrupt or stale entry warns
    and returns None (the caller rebuilds and overwrites it)."""
    path = entry_path(key, folder)
    try:
        blob = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # no entry (or no folder to hold one)
        return None
    except OSError as e:
        _corrupt(path, f"unreadable ({e})")
        return None
    problem = check_entry(blob, key, fingerprint)
    if problem:
        _corrupt(path, problem)
        return None
    header, payload = _split(blob)
    return header["meta"], payload


def check_entry(blob: bytes, key: str | None = None, fingerprint: dict | None = None) -> str | None:
    """What is wrong with an entry's bytes, or None if it is valid."""
    if len(blob) < len(MAGIC) + 4 or not blob.startswith(MAGIC):
        return "bad magic (not a torsh kernel cache entry, or truncated)"
    try:
        header, payload = _split(blob)
    except (ValueError, UnicodeDecodeError, struct.error) as e:
        return f"unreadable header ({e})"
    if header.get("format") != FORMAT_VERSION:
        return (f"in cache format {header.get('format')}, but this torsh reads format "
                f"{FORMAT_VERSION}")
    if key is not None and header.get("key") != key:
        return "key does not match the file name"
    if fingerprint is not None and header.get("fingerprint") != fingerprint:
        return "built by another torsh/LLVM version or for another CPU"
    if len(payload) != header.get("payload_len"):
        return f"payload is {len(payload)} bytes, header says {header.get('payload_len')}"
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        return "payload checksum mismatch"
    if _meta_sha256(header.get("meta")) != header.get("meta_sha256"):
        return "header checksum mismatch (kernel info or IR changed)"
    return None


def _meta_sha256(meta) -> str:
    # JSON written with sort_keys reads back and re-serializes to the same bytes.
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()


def _split(blob: bytes) -> tuple[dict, bytes]:
    (n,) = struct.unpack_from("<I", blob, len(MAGIC))
    start = len(MAGIC) + 4
    if start + n > len(blob):
        raise ValueError("header runs past the end of the file")
    header = json.loads(blob[start:start + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    return header, blob[start + n:]


def _corrupt(path: Path, why: str) -> None:
    STATS.corrupt_entries += 1
    warnings.warn(f"torsh kernel cache entry {path} is {why}; rebuilding it",
                  KernelCacheWarning, stacklevel=4)


def entries(folder: Path | None = None) -> list[Path]:
    folder = folder or cache_dir()
    return sorted(folder.glob("*" + SUFFIX)) if folder.is_dir() else []


def clear(folder: Path | None = None) -> int:
    """Delete every entry (and stray temp files); returns how many entries went."""
    folder = folder or cache_dir()
    n = 0
    for p in entries(folder):
        p.unlink(missing_ok=True)
        n += 1
    if folder.is_dir():
        for p in folder.glob(".*.tmp"):
            p.unlink(missing_ok=True)
    return n
