"""Realization: the unrealized part of the lazy graph -> an IR module -> passes and fusion
-> compiled kernels -> a plan, run by the runtime.

The plan cache is keyed by the graph's canonical text (structure, shapes, dtypes and
embedded constants; never the data in buffers), so running the same computation on new
data replays a plan: no IR passes, no compilation.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from torsh import _runtime
from torsh._scope import Scope
from torsh._scope import local as _scope
from torsh.codegen import STATS, compile_kernel, kernel_artifacts
from torsh.codegen.compiler import CompiledKernel
from torsh.codegen.jit import host
from torsh.ir import Builder, Module, print_module, run_pipeline

PIPELINE = "canonicalize,cse,dce,fuse"
GRAIN_WORK = 1 << 15  # a thread's share of a kernel is at least this much scalar work
SCRATCH_MAX = 4 << 20  # bytes of intermediates a plan keeps in its arena between runs


@dataclass(frozen=True)
class Step:
    kernel: CompiledKernel
    out: int  # slot the kernel writes
    ins: tuple[int, ...]  # slots it reads


@dataclass
class Plan:
    """Kernels in order over numbered buffer slots: 0..n_args-1 are the graph's inputs,
    then one slot per kernel output (step k writes slot n_args + k); ``results`` names the
    slots handed back."""

    n_args: int
    steps: list[Step]
    slot_types: list  # TensorType per slot
    results: list[int]
    module: Module  # the fused module (for dumps)

    # Prepared by the first run, reused by every replay: an allocator per output handed
    # back, and runtime plans (torsh_plan_*) holding every launch, so a replay is one
    # foreign call. Intermediate outputs (read only inside the plan) live in the runtime
    # plan's scratch arena (up to SCRATCH_MAX bytes), so a replay allocates and frees only
    # its results. A runtime plan refuses to run on two threads at once (it has one
    # arena), hence a free list of them.
    makers: list | None = None
    idle: list | None = None
    scratch: dict | None = None  # step index -> bytes of its output in the arena
    handed: list | None = None  # position in run()'s buffers of each result

    def _prepare(self) -> None:
        if self.idle is None:  # first: another thread may read it once makers is set
            self.idle = []
        kept, budget, scratch = set(self.results), SCRATCH_MAX, {}
        for k, s in enumerate(self.steps):
            ty = self.slot_types[s.out]
            nbytes = ty.numel * ty.dtype.itemsize if ty.numel is not None else 0
            if s.out not in kept and 0 < nbytes <= budget:
                scratch[k] = nbytes
                budget -= nbytes
        self.scratch = scratch
        bound = self._bound_slots()
        self.handed = [bound[r] for r in self.results]
        self.makers = [_runtime.EmptyMaker(self.slot_types[s.out].shape,
                                           self.slot_types[s.out].dtype.value)
                       for k, s in enumerate(self.steps) if k not in scratch]

    def _bound_slots(self, rp: _runtime.Plan | None = None) -> list[int]:
        """Each plan slot's slot in a runtime plan: the arguments, then the outputs that
        run() allocates, in order; the scratch outputs get arena slots from ``rp``."""
        where = list(range(self.n_args))
        j = self.n_args
        for k in range(len(self.steps)):
            if k in self.scratch:
                where.append(rp.add_scratch(self.scratch[k]) if rp is not None else -1)
            else:
                where.append(j)
                j += 1
        return where

    def _runtime_plan(self) -> _runtime.Plan:
        rp = _runtime.Plan(self.n_args + len(self.makers))
        where = self._bound_slots(rp)
        for s in self.steps:
            info = s.kernel.info
            grain = max(1, GRAIN_WORK // max(info.work, 1))
            slots = tuple([where[s.out]] + [where[i] for i in s.ins])
            if not info.partials:
                rp.add_launch(s.kernel.address, slots, [], info.range, grain)
                continue
            # A two-phase reduction: partials into a scratch buffer (phase 0), then each
            # output folds its partials in a fixed order (phase 1); see codegen/kernels.py.
            slots += (rp.add_scratch(8 * info.partials),)
            rp.add_launch(s.kernel.address, slots, [0], info.partials, grain)
            rp.add_launch(s.kernel.address, slots, [1], info.range,
                          max(1, GRAIN_WORK // max(info.partials // max(info.range, 1), 1)))
        return rp

    def run(self, args: list) -> list:
        """Run on ``args`` (RuntimeTensors, one per input slot); new output buffers."""
        makers = self.makers
        if makers is None:
            self._prepare()
            makers = self.makers
        bufs = args + [make() for make in makers]
        ptrs = [b._ptr or b.data_ptr for b in bufs]  # (the address, cached once read)
        idle = self.idle
        try:
            rp = idle.pop()  # atomic under the GIL: each thread gets its own runtime plan
        except IndexError:
            rp = self._runtime_plan()
        try:
            rp.run_addresses(ptrs)
        finally:
            idle.append(rp)
        return [bufs[i] for i in self.handed]


_plans: dict[str, Plan] = {}  # by the graph's IR text
_plans_by_signature: dict[tuple, Plan] = {}  # by its structure: the replay fast path


def traverse(targets: list) -> tuple[list, list]:
    """(order, leaves): the unrealized nodes ``targets`` need, inputs before users, and the
    realized tensors they read (the graph's arguments), in first-visit order."""
    order: list = []
    leaves: list = []
    seen: set[int] = set()
    stack = [(t, False) for t in reversed(targets)]
    while stack:  # iterative post-order DFS: deep graphs cannot overflow the stack
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t._buf is not None:
            leaves.append(t)
            continue
        stack.append((t, True))
        stack.extend((s, False) for s in reversed(t._srcs) if id(s) not in seen)
    return order, leaves


def _hashable(v):
    if isinstance(v, float):
        return ("f", struct.pack("<d", v))  # exact: 0.0 and -0.0 differ, NaN equals NaN
    if isinstance(v, tuple):
        return tuple(_hashable(x) for x in v)
    if hasattr(v, "key"):
        return v.key()  # DenseElements: type and bytes
    return v


_PLAIN = frozenset({int, str, bool, type(None)})


def _attrs_key(attrs: dict) -> tuple:
    """Attributes as a hashable key, exact (floats by their bits, constants by their
    bytes); each value's class too, since 1 == 1.0 == True print differently."""
    return tuple((k, v.__class__, v if v.__class__ in _PLAIN else _hashable(v))
                 for k, v in attrs.items())


def _node_key(t) -> object:
    """A node's op, attributes and type, exactly: the number _lazy gave them (an int), or
    else (for attributes such as floats and constants' data) the tuple of them."""
    try:
        pid = t._pid
    except AttributeError:  # a node made without _lazy (detach copies one)
        pid = None
    if pid is not None:
        return pid
    attrs = t._attrs
    return t._op, _attrs_key(attrs) if attrs else (), t._type


def walk(targets: list) -> tuple[tuple, list, list]:
    """(signature, order, leaves) in one pass: ``traverse`` and ``signature`` fused for
    the replay path, where the walk is most of the cost of a small realization. The key
    numbers leaves and nodes together in visit order (leaves are TensorTypes, nodes
    (_node_key, source numbers)): two graphs get equal keys only when their IR text is
    equal (ops, attributes, types, wiring, leaf positions)."""
    if len(targets) == 1 and targets[0]._buf is None:
        t = targets[0]
        for s in t._srcs:
            if s._buf is None:
                break
        else:  # one op over realized tensors, the commonest realization: the same key
            return _walk_one(t)
    order: list = []
    leaves: list = []
    index: dict[int, int] = {}
    entries: list = []
    stack = [(t, False) for t in reversed(targets)]
    pop, push = stack.pop, stack.append
    while stack:  # iterative post-order DFS: deep graphs cannot overflow the stack
        t, expanded = pop()
        if expanded:
            index[id(t)] = len(entries)
            try:
                key = t._pid  # _node_key's common case, inlined: this loop is the walk
            except AttributeError:
                key = None
            if key is None:
                key = _node_key(t)
            entries.append((key, tuple([index[id(s)] for s in t._srcs])))
            order.append(t)
            continue
        i = id(t)
        if i in index:
            continue
        if t._buf is not None:
            index[i] = len(entries)
            entries.append(t._type)
            leaves.append(t)
            continue
        index[i] = -1  # on the stack: visited, numbered when expanded
        push((t, True))
        for s in reversed(t._srcs):
            if id(s) not in index:
                push((s, False))
    return (tuple(entries), tuple([index[id(t)] for t in targets])), order, leaves


def _walk_one(t) -> tuple[tuple, list, list]:
    """walk([t]) for a node whose sources are all realized, without the stack."""
    srcs = t._srcs
    if len(srcs) == 2:  # binary ops, the commonest
        a, b = srcs
        if a is not b:
            return ((a._type, b._type, (_node_key(t), (0, 1))), (2,)), [t], [a, b]
        return ((a._type, (_node_key(t), (0, 0))), (1,)), [t], [a]
    ids: list[int] = []
    leaves: list = []
    entries: list = []
    numbers: list[int] = []
    for s in srcs:
        i = id(s)
        if i in ids:
            numbers.append(ids.index(i))
        else:
            numbers.append(len(ids))
            ids.append(i)
            leaves.append(s)
            entries.append(s._type)
    entries.append((_node_key(t), tuple(numbers)))
    return (tuple(entries), (len(ids),)), [t], leaves


def build_graph(targets: list, walk: tuple[list, list] | None = None) -> tuple[Module, list]:
    """The IR of everything ``targets`` need that is not realized yet. Realized tensors
    become the function's arguments (``leaves``, in first-visit order)."""
    order, leaves = walk if walk is not None else traverse(targets)
    b = Builder()
    values: dict[int, object] = {}
    with b.func("main", [t._type for t in leaves]) as args:
        for t, a in zip(leaves, args):
            values[id(t)] = a
        for t in order:
            values[id(t)] = b.op(t._op, [values[id(s)] for s in t._srcs], t._attrs,
                                 result_type=t._type)
        b.ret(*(values[id(t)] for t in targets))
    return b.module, leaves


def compile_graph(module: Module, key: str) -> Plan:
    dump = _dump_levels()
    if "graph" in dump:
        _write_dump(key, "graph.mlir", print_module(module, header=host().header()))
    run_pipeline(module, PIPELINE)
    if "kernels" in dump:
        _write_dump(key, "kernels.mlir", print_module(module, header=host().header()))
    main = module.funcs[0]
    funcs = {f.name: f for f in module.funcs}
    slot: dict = {a: i for i, a in enumerate(main.args)}
    slot_types = [a.type for a in main.args]
    steps: list[Step] = []
    for op in main.body.ops:
        if op.name != "func.call":
            continue
        callee = funcs[op.attributes["callee"].name]
        kernel = compile_kernel(callee)
        if {"llvm", "asm"} & dump:
            art = kernel_artifacts(callee)
            # LLVM IR comments start with ';', GNU assembler comments with '#' (in x86
            # assembly ';' separates statements, so a ';' header would not assemble).
            for level, ext, comment in (("llvm", "ll", ";"), ("asm", "s", "#")):
                if level in dump:
                    _write_dump(key, f"{callee.name}.{ext}",
                                f"{comment} {host().header()}\n" + art[level])
        out = len(slot_types)
        slot[op.result] = out
        slot_types.append(op.result.type)
        steps.append(Step(kernel, out, tuple(slot[v] for v in op.operands)))
    results = [slot[v] for v in main.return_op.operands]
    return Plan(len(main.args), steps, slot_types, results, module)


def realize_later(tensors, then=None) -> None:
    """Realize ``tensors`` now, or - inside torsh.compile - together with everything else
    the step computes; ``then()`` runs once they are realized (optimizers use it to swap
    parameter buffers)."""
    active = _scope.active
    if active:
        active[-1].tensors.extend(tensors)
        if then is not None:
            active[-1].callbacks.append(then)
        return
    realize(*tensors)
    if then is not None:
        then()


def flush_deferred(scope: Scope, extra=()) -> None:
    tensors, callbacks = scope.tensors + list(extra), scope.callbacks
    scope.tensors, scope.callbacks = [], []
    scope.pending.clear()
    _realize_now(tensors)
    for cb in callbacks:
        cb()


def compile_fallback(name: str, fullgraph: bool, why: str, instead: str) -> None:
    """torsh.compile(``name``) cannot run a call as one captured plan because ``why``: a
    CompileError under fullgraph=True, else a warning that it does ``instead``."""
    if fullgraph:
        from torsh.errors import CompileError

        raise CompileError(f"torsh.compile({name}, fullgraph=True): {why}, so it cannot be "
                           f"one captured plan")
    import warnings

    from torsh.errors import user_stacklevel

    warnings.warn(f"torsh.compile({name}): {why}, so {instead}", stacklevel=user_stacklevel())


def _break(scope: Scope, why: str) -> None:
    """A compiled call needs its postponed work now (``why``: what the function does)."""
    if scope.fullgraph or not scope.broken:
        compile_fallback(scope.name, scope.fullgraph, f"the function {why}",
                         "it runs as several plans instead of one")
        scope.broken = True


def flush_pending(scope: Scope) -> None:
    """A compiled call reads a tensor that optimizer.step() updated earlier in the same
    call: commit the postponed work first."""
    _break(scope, "uses parameters after optimizer.step() updated them in the same call")
    flush_deferred(scope)


def realize(*tensors) -> None:
    """Compute every given tensor that is not computed yet (in one plan). Inside
    torsh.compile a value needed now also flushes the postponed work (and the step is no
    longer one plan: torsh.compile warns once)."""
    active = _scope.active
    if active and any(t._buf is None for t in tensors):
        scope = active[-1]
        _break(scope, "reads a tensor's value (.item(), .numpy(), print, bool()...) during "
                      "the step")
        flush_deferred(scope, tensors)
        return
    _realize_now(tensors)


def realize_one(t) -> None:
    """realize(t) for one unrealized tensor: Tensor.realize's path, kept short since it
    is most of the fixed cost of a small realization."""
    if _scope.active:
        realize(t)
        return
    plan, leaves = _plan_for([t])
    t._set_buffer(plan.run([leaf._buf for leaf in leaves])[0])


def _realize_now(tensors) -> tuple[Plan | None, list, list]:
    """Realize the unrealized ``tensors`` in one plan; (the plan, the realized tensors it
    read, the tensors it computed in result order), for torsh.compile's capture."""
    if len(tensors) == 1:
        todo = [t for t in tensors if t._buf is None]
    else:
        todo, seen = [], set()
        for t in tensors:
            if t._buf is None and id(t) not in seen:
                seen.add(id(t))
                todo.append(t)
    if not todo:
        return None, [], []
    plan, leaves = _plan_for(todo)
    outs = plan.run([leaf._buf for leaf in leaves])
    for t, buf in zip(todo, outs):
        t._set_buffer(buf)
    return plan, leaves, todo


def _plan_for(targets: list) -> tuple[Plan, list]:
    """The plan computing ``targets`` (from the caches, or compiled now) and the realized
    tensors it reads, in slot order."""
    active = _scope.active
    if active:  # torsh.compile: a capture is replayable only if it ran one plan
        active[-1].plans += 1
    sig, order, leaves = walk(targets)
    plan = _plans_by_signature.get(sig)
    if plan is not None:
        STATS.plan_hits += 1
        return plan, leaves
    module, _ = build_graph(targets, (order, leaves))
    key = print_module(module)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = compile_graph(module, key)
        STATS.plan_builds += 1
    _plans_by_signature[sig] = plan
    return plan, leaves


def graph_plan(tensors) -> Plan:
    """The (cached or new) plan that would realize ``tensors``; for inspection."""
    return _plan_for(list(tensors))[0]


def clear_plans() -> None:
    _plans.clear()
    _plans_by_signature.clear()


def _dump_levels() -> set[str]:
    raw = os.environ.get("TORSH_DUMP", "")
    return {p.strip() for p in raw.split(",") if p.strip()}


def _write_dump(key: str, name: str, text: str) -> None:
    import hashlib

    folder = Path(os.environ.get("TORSH_DUMP_DIR", "torsh_dump"))
    folder.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256(key.encode()).hexdigest()[:12]
    (folder / f"{tag}.{name}").write_text(text)
