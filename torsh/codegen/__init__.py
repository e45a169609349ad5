"""torsh.codegen: fused kernels -> LLVM IR (llvmlite) -> native code, with caches.

See ``kernels.py`` for the kernel ABI and loop nests, ``lowering.py`` for the per-op
scalar lowerings (the codegen row of the op table), ``compiler.py`` for compilation and
caching, ``cache.py`` for the disk format.
"""

from torsh.codegen.cache import STATS, KernelCacheWarning, cache_dir
from torsh.codegen.compiler import CompiledKernel, compile_kernel, kernel_artifacts
from torsh.codegen.kernels import KernelInfo, emit_kernel

__all__ = ["STATS", "KernelCacheWarning", "cache_dir", "CompiledKernel", "compile_kernel",
           "kernel_artifacts", "KernelInfo", "emit_kernel"]
