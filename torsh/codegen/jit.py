"""LLVM through llvmlite: one target machine for the host CPU (its name and features, so
AVX-512 is used where the CPU has it), the optimization pipeline, and MCJIT engines that
turn LLVM IR text into callable machine code.

>>> from torsh.codegen.jit import host
>>> host().triple != ""
True
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import llvmlite
import llvmlite.binding as llvm

from torsh.errors import CompileError

_lock = threading.Lock()  # LLVM's global state is not thread-safe


@dataclass(frozen=True)
class Host:
    triple: str
    cpu: str
    features: str
    llvm_version: str
    llvmlite_version: str

    def header(self) -> str:
        """The comment header every dump starts with (see DESIGN.md "Inspection")."""
        from torsh import __version__

        return (f"torsh {__version__}, LLVM {self.llvm_version} (llvmlite "
                f"{self.llvmlite_version}), target {self.triple}, cpu {self.cpu}")


@functools.lru_cache(maxsize=1)
def host() -> Host:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    features = llvm.get_host_cpu_features().flatten()
    version = ".".join(map(str, llvm.llvm_version_info))
    return Host(llvm.get_process_triple(), llvm.get_host_cpu_name(), features, version,
                llvmlite.__version__)


def host_has_avx512() -> bool:
    """Whether the JIT's target has AVX-512F (its kernels may use instructions that only
    it has a single instruction for, such as vscalefps for ``llvm.ldexp``)."""
    return "+avx512f" in host().features.split(",")


def new_target_machine() -> llvm.TargetMachine:
    h = host()
    target = llvm.Target.from_triple(h.triple)
    return target.create_target_machine(cpu=h.cpu, features=h.features, opt=3,
                                        reloc="pic", codemodel="jitdefault")


@functools.lru_cache(maxsize=1)
def target_machine() -> llvm.TargetMachine:
    """The shared machine for optimizing and emitting code. Engines get their own: an
    MCJIT engine takes ownership of its target machine and frees it with itself."""
    return new_target_machine()


def optimize(ir_text: str, speed_level: int = 3,
             tm: llvm.TargetMachine | None = None) -> llvm.ModuleRef:
    """Parse and verify LLVM IR text, then run LLVM's O-pipeline (for ``tm``, default the
    host's machine): with the loop and SLP vectorizers and unrolling from level 2 up."""
    tm = tm or target_machine()
    with _lock:
        try:
            mod = llvm.parse_assembly(ir_text)
            mod.verify()
        except RuntimeError as e:
            raise CompileError(f"generated LLVM IR is invalid: {e}") from None
        mod.triple = tm.triple
        mod.data_layout = str(tm.target_data)
        pto = llvm.create_pipeline_tuning_options(speed_level=speed_level)
        full = speed_level >= 2  # the cheap pipeline (O1) leaves loops as they are
        pto.loop_vectorization = full
        pto.slp_vectorization = full
        pto.loop_unrolling = full
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)
    return mod


def assembly(mod: llvm.ModuleRef) -> str:
    with _lock:
        return target_machine().emit_assembly(mod)


def object_code(mod: llvm.ModuleRef, tm: llvm.TargetMachine | None = None) -> bytes:
    with _lock:
        return (tm or target_machine()).emit_object(mod)


class Engine:
    """An MCJIT engine holding compiled code alive; ``address(name)`` gives entry points."""

    def __init__(self, mod: llvm.ModuleRef):
        with _lock:
            self._engine = llvm.create_mcjit_compiler(mod, new_target_machine())
            self._engine.finalize_object()

    def address(self, name: str) -> int:
        with _lock:
            addr = self._engine.get_function_address(name)
        if not addr:
            raise CompileError(f"compiled module has no function {name!r}")
        return addr
