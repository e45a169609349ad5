"""Shared helpers of the compiler tests: a private kernel cache, child processes that
report torsh.codegen.STATS as JSON, and entry surgery for the cache-fault tests."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

import torsh
from torsh.codegen import cache
from torsh.codegen.compiler import clear_memory_cache, fingerprint
from torsh.plan import clear_plans, graph_plan

ROOT = Path(__file__).resolve().parents[2]
HEADER_START = len(cache.MAGIC) + 4  # magic, then the u32 header length
CACHE_AND_DUMP_VARS = ("TORSH_CACHE_DIR", "TORSH_DISK_CACHE", "TORSH_DUMP", "TORSH_DUMP_DIR")


def forget_compiled() -> None:
    """Drop the in-process plans and loaded kernels, as a new process would start."""
    clear_plans()
    clear_memory_cache()


def child_env(cache_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CACHE_AND_DUMP_VARS}
    env["TORSH_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env


def run_child(code: str, cache_dir: Path, timeout: float = 120, **extra: str) -> dict:
    """Run ``code`` in a new Python process with its own kernel cache; its last stdout line
    is JSON, returned as a dict."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env=child_env(cache_dir, **extra), capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def inputs(*shapes, seed: int = 0) -> list:
    """Realized float32 tensors (graph arguments, as parameters or data would be)."""
    rng = np.random.default_rng(seed)
    return [torsh.tensor(rng.standard_normal(s).astype(np.float32)) for s in shapes]


def kernel_keys(*tensors) -> list[str]:
    return [step.kernel.key for step in graph_plan(list(tensors)).steps]


# -- entry surgery ------------------------------------------------------------------------
def split_entry(blob: bytes) -> tuple[dict, int, bytes]:
    """(header, header length, payload) of an entry's bytes."""
    (n,) = struct.unpack_from("<I", blob, len(cache.MAGIC))
    header = json.loads(blob[HEADER_START:HEADER_START + n])
    return header, n, blob[HEADER_START + n:]


def join_entry(header: dict, payload: bytes) -> bytes:
    """An entry with this header, serialized as the writer does, and nothing recomputed."""
    raw = json.dumps(header, sort_keys=True).encode()
    return cache.MAGIC + struct.pack("<I", len(raw)) + raw + payload


def flip(blob: bytes, pos: int, mask: int = 0x01) -> bytes:
    return blob[:pos] + bytes([blob[pos] ^ mask]) + blob[pos + 1:]


def entry_is_valid(path: Path) -> bool:
    return cache.check_entry(path.read_bytes(), path.stem, fingerprint()) is None
