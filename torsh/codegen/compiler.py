"""Kernel compilation with caching: kernel IR function -> callable machine code.

``compile_kernel(func)`` prints the kernel canonically, hashes it with the environment
fingerprint, and returns the compiled kernel from memory, from the disk cache, or by
lowering to LLVM IR, optimizing, emitting an object file and loading it (a fresh compile
also writes the disk entry). Every kernel, fresh or cached, is loaded the same way: from
its object code into an MCJIT engine.

>>> import numpy as np
>>> from torsh.ir import Builder, f32
>>> b = Builder()
>>> with b.func("k", [((8,), f32)]) as (x,):
...     b.ret(b.exp(x))
>>> k = compile_kernel(b.module.funcs[0])
>>> k.info.kind, k.info.range
('elementwise', 8)
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass

import llvmlite.binding as llvm

from torsh.codegen import cache
from torsh.codegen.jit import assembly, host, new_target_machine, object_code, optimize
from torsh.codegen.kernels import KernelInfo, emit_kernel
from torsh.errors import CompileError
from torsh.ir.core import Func, Module
from torsh.ir.printer import print_module

CODEGEN_VERSION = 8  # bump when emitted code changes for the same kernel IR
# The optimization pipeline by the kernel's size: LLVM O3 with the vectorizers for kernels
# doing more than CHEAP_WORK scalar operations, O1 for the tiny ones (scalars, a bias
# gradient, an optimizer's step count): they run in well under a microsecond either way,
# and O1 compiles them several times faster (part of a training step's cold start).
CHEAP_WORK = 1 << 12
OPTIONS = {"opt": 3, "vectorize": True, "cheap_opt": 1, "cheap_work": CHEAP_WORK}

_memory: dict[str, CompiledKernel] = {}
_lock = threading.RLock()


@dataclass
class CompiledKernel:
    key: str
    info: KernelInfo
    address: int
    ir_text: str  # canonical kernel IR (the cache key's main input)
    _engine: object  # keeps the machine code alive

    @property
    def name(self) -> str:
        return self.info.name


@functools.lru_cache(maxsize=1)
def fingerprint() -> dict:
    from torsh import __version__

    h = host()
    return {"torsh": __version__, "codegen": CODEGEN_VERSION, "llvm": h.llvm_version,
            "llvmlite": h.llvmlite_version, "triple": h.triple, "cpu": h.cpu,
            "features": h.features, "options": OPTIONS}


def speed_level(info: KernelInfo) -> int:
    """LLVM's pipeline level for a kernel: the cheap one when its whole launch does at most
    CHEAP_WORK scalar operations (``info.work`` is per unit of its parallel range)."""
    return OPTIONS["cheap_opt"] if info.range * info.work <= CHEAP_WORK else OPTIONS["opt"]


def canonical_text(func: Func) -> str:
    """The kernel as a one-function module named @kernel: equal kernels, equal text."""
    return print_module(Module([Func("kernel", func.body, func.result_types)]))


def kernel_key(func: Func) -> str:
    return cache.make_key(canonical_text(func), fingerprint())


def compile_kernel(func: Func) -> CompiledKernel:
    text = canonical_text(func)
    fp = fingerprint()
    key = cache.make_key(text, fp)
    with _lock:
        hit = _memory.get(key)
        if hit is not None:
            cache.STATS.memory_hits += 1
            return hit
        kernel = _from_disk(key, text, fp) if cache.disk_enabled() else None
        if kernel is None:
            kernel = _build(func, key, text, fp)
        _memory[key] = kernel
        return kernel


def _from_disk(key: str, text: str, fp: dict) -> CompiledKernel | None:
    t0 = time.perf_counter()
    entry = cache.read_entry(key, fp)
    if entry is None:
        return None
    meta, payload = entry
    try:
        info = KernelInfo(**meta["info"])
        kernel = _load(key, info, text, payload)
    except (KeyError, TypeError, CompileError, RuntimeError) as e:
        cache._corrupt(cache.entry_path(key), f"unloadable ({e})")
        return None
    cache.STATS.disk_hits += 1
    cache.STATS.load_seconds += time.perf_counter() - t0
    return kernel


def _build(func: Func, key: str, text: str, fp: dict) -> CompiledKernel:
    t0 = time.perf_counter()
    name = "torsh_k_" + key[:24]
    llvm_text, info = emit_kernel(func, name)
    payload = object_code(optimize(llvm_text, speed_level(info)))
    kernel = _load(key, info, text, payload)
    dt = time.perf_counter() - t0
    cache.STATS.compiles += 1
    cache.STATS.compile_seconds += dt
    cache.STATS.by_kernel[key] = dt
    if cache.disk_enabled():
        cache.write_entry(key, fp, {"info": info.__dict__, "ir": text}, payload)
    return kernel


def _load(key: str, info: KernelInfo, text: str, payload: bytes) -> CompiledKernel:
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), new_target_machine())
    engine.add_object_file(llvm.ObjectFileRef.from_data(payload))
    engine.finalize_object()
    address = engine.get_function_address(info.name)
    if not address:
        raise CompileError(f"object code has no function {info.name}")
    return CompiledKernel(key, info, address, text, engine)


def kernel_artifacts(func: Func) -> dict[str, str]:
    """Optimized LLVM IR and assembly of a kernel (compiled afresh, for inspection)."""
    name = "torsh_k_" + kernel_key(func)[:24]
    llvm_text, info = emit_kernel(func, name)
    mod = optimize(llvm_text, speed_level(info))
    return {"llvm": str(mod), "asm": assembly(mod)}


def clear_memory_cache() -> None:
    with _lock:
        _memory.clear()
