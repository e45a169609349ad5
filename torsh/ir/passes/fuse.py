"""Fusion: split a graph function into kernels.

The result replaces the module's functions with the graph function (same name, first)
whose body now calls one ``func.func @kernel_N`` per kernel, in order, with ``func.call`` - a
valid MLIR module that the interpreter runs and mlir-opt parses, so the fused form can be
dumped, read back and checked against the unfused graph.

Which values get their own buffer ("materialized"):
- the graph's results (unless they are arguments),
- every reduction and matmul result (each is the root of its own kernel) - except a
  matmul whose only use starts a chain of same-type elementwise ops ending in a kernel
  root: that chain (bias, activation) becomes the matmul kernel's epilogue,
- the B operand of a matmul unless it is a pure movement chain over a buffer (the matmul
  kernel reads B for every row, so anything more would be recomputed); an elementwise A
  operand is inlined, since the kernel reads each A element once,
- elementwise values used more than once whose inlined expression is large
  (``MAX_SHARED_INLINE`` ops), and any value whose inlined expression would nest deeper
  than ``MAX_DEPTH`` (bounding recomputation and the emitter's recursion).
Everything else (elementwise ops, broadcasts, permutes, slices, reshapes, concats,
constants) is inlined into the kernels that read it: a chain of elementwise ops is one
loop, and movement ops are index arithmetic, never copies.

Row reductions are the exception to "every reduction is a root": a reduction over the
last axis (keepdim, rows of at most ``ROW_INLINE_MAX`` elements) whose every reader is,
through elementwise ops over the same rows, one elementwise kernel is inlined into that
kernel. The kernel then computes it per row before writing the row (codegen: a row
kernel), so softmax, log_softmax and layer norm are one kernel reading the input once.
"""

from __future__ import annotations

from torsh.ir.core import Block, Func, Module, Operation, SymbolRef, Value
from torsh.ir.ops import lookup
from torsh.ir.passes.manager import register_pass

MAX_DEPTH = 48
MAX_SHARED_INLINE = 24
ROW_INLINE_MAX = 1 << 14  # a longer row no longer stays in L1/L2 between its passes
ROW_REDUCTIONS = ("sum", "mean", "max", "min", "prod")


def _opdef(v: Value):
    owner = getattr(v, "owner", None)
    return lookup(owner.name) if owner is not None else None


def plan_materialized(func: Func) -> set[Value]:
    """The values of ``func`` that get their own buffer (see the module docstring)."""
    ret = func.return_op
    mat: set[Value] = {v for v in ret.operands if hasattr(v, "owner")}
    ops = [op for op in func.body.ops if op.name != "func.return"]
    for op in ops:
        opdef = lookup(op.name)
        if opdef.has("reduction") or opdef.has("contraction"):
            mat.add(op.result)
        if opdef.has("contraction"):
            # The matmul kernel evaluates A[i, k] once per (i, k), so an elementwise A is
            # computed exactly once inline; B[k, j] is read for every row, so only a
            # movement chain (free index arithmetic) stays inline there.
            a, b = op.operands
            if not _movement_chain(b):
                mat.add(b)
    _cut_deep_and_shared(ops, mat)
    results = set(ret.operands)
    row_roots = set()  # kernels with inlined row reductions (codegen: row kernels)
    for op in reversed(ops):  # users first: a reduction feeding an inlined one goes too
        root = None if op.result in results else _row_reduction_root(op, mat)
        if root is not None:
            mat.discard(op.result)
            row_roots.add(root)
    taken = row_roots | {None}  # a kernel root takes one matmul (codegen: one per kernel)
    for op in ops:  # matmul epilogues: a same-type elementwise chain into one kernel root
        if lookup(op.name).has("contraction"):
            root = _epilogue_root(op.result, mat)
            if root not in taken:
                taken.add(root)
                mat.discard(op.result)
    return mat


def _row_reduction_root(op: Operation, mat: set[Value]) -> Value | None:
    """The one elementwise kernel root that reads row reduction ``op`` (only through
    elementwise ops and inlined row reductions over the same rows), or None."""
    opdef = lookup(op.name)
    if opdef is None or opdef.name not in ROW_REDUCTIONS:
        return None
    x = op.operands[0]
    shape = x.type.shape
    rank = len(shape)
    axes = tuple(a % rank for a in op.attributes.get("axes", ())) if rank else ()
    if axes != (rank - 1,) or not op.attributes.get("keepdim", False) \
            or not 0 < shape[-1] <= ROW_INLINE_MAX:
        return None
    lead = shape[:-1]
    roots: set[Value] = set()
    stack, seen = [op.result], {op.result}
    while stack:
        for user, _ in stack.pop().uses:
            d = lookup(user.name)
            if d is None:
                return None  # func.return: a graph result (materialized)
            u = user.result
            if d.has("reduction"):
                if u in mat or user.operands[0].type.shape[:-1] != lead:
                    return None  # a reduction kernel, or other rows
            elif not d.has("elementwise") or u.type.rank != rank or u.type.shape[:-1] != lead:
                return None  # the row index would not carry over to the reader
            if u in mat:
                roots.add(u)
            elif u not in seen:
                seen.add(u)
                stack.append(u)
    return next(iter(roots)) if len(roots) == 1 else None


def _epilogue_root(r: Value, mat: set[Value]) -> Value | None:
    """The materialized value that ``r`` (a matmul result) reaches through a chain of
    single-use elementwise ops of ``r``'s exact type, or None."""
    v = r
    while len(v.uses) == 1:
        user = v.uses[0][0]
        opdef = lookup(user.name)
        if opdef is None or not opdef.has("elementwise") or user.result.type != r.type:
            return None
        v = user.result
        if v in mat:
            return v
    return None


def _cut_deep_and_shared(ops: list[Operation], mat: set[Value]) -> None:
    depth: dict[Value, int] = {}
    size: dict[Value, int] = {}
    for op in ops:  # topological order: operands are sized before their users
        r = op.result
        inl = [u for u in op.operands if hasattr(u, "owner") and u not in mat]
        depth[r] = 1 + max((depth[u] for u in inl), default=0)
        size[r] = 1 + sum(size[u] for u in inl)
        if depth[r] > MAX_DEPTH or (len(r.uses) > 1 and size[r] > MAX_SHARED_INLINE):
            mat.add(r)
        if r in mat:
            depth[r], size[r] = 0, 0


def _movement_chain(v: Value) -> bool:
    while True:
        opdef = _opdef(v)
        if opdef is None or opdef.has("constant"):
            return True
        if not opdef.has("movement") or opdef.name == "concat":
            return False
        v = v.owner.operands[0]


def _kernel_for(root: Value, mat: set[Value], name: str) -> tuple[Func, list[Value]]:
    """Clone the inlined expression of ``root`` into a new function; its arguments are
    the buffers (graph arguments or materialized values) the expression reads."""
    leaves: list[Value] = []
    order: list[Operation] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:  # iterative post-order walk
        v, expanded = stack.pop()
        if expanded:
            order.append(v.owner)
            continue
        if v in seen:
            continue
        seen.add(v)
        if not hasattr(v, "owner") or (v in mat and v is not root):
            leaves.append(v)
            continue
        stack.append((v, True))
        for u in reversed(v.owner.operands):
            if u not in seen:
                stack.append((u, False))
    body = Block([v.type for v in leaves])
    remap: dict[Value, Value] = dict(zip(leaves, body.args))
    for op in order:
        clone = Operation(op.name, [remap[u] for u in op.operands],
                          [r.type for r in op.results], dict(op.attributes))
        body.append(clone)
        remap[op.result] = clone.result
    body.append(Operation("func.return", [remap[root]], []))
    return Func(name, body, (root.type,)), leaves


@register_pass("fuse")
def fuse(module: Module) -> bool:
    """Fuse the module's first function (the graph) into kernels plus a calling @main."""
    graph = module.funcs[0]
    if any(op.name == "func.call" for op in graph.body.ops):
        return False  # already fused
    mat = plan_materialized(graph)
    kernels: list[Func] = []
    body = Block([a.type for a in graph.args])
    remap: dict[Value, Value] = dict(zip(graph.args, body.args))
    for op in graph.body.ops:
        if op.name == "func.return" or op.result not in mat:
            continue
        kernel, leaves = _kernel_for(op.result, mat, f"kernel_{len(kernels)}")
        kernels.append(kernel)
        call = Operation("func.call", [remap[v] for v in leaves], [op.result.type],
                         {"callee": SymbolRef(kernel.name)})
        body.append(call)
        remap[op.result] = call.result
    results = []
    for v in graph.return_op.operands:
        if v in graph.args:
            # A result that is an input (x + 0 after canonicalization) gets its own copy:
            # results never alias inputs, so writing through one never changes the other.
            kernel, _ = _kernel_for(v, mat, f"kernel_{len(kernels)}")
            kernels.append(kernel)
            call = Operation("func.call", [remap[v]], [v.type],
                             {"callee": SymbolRef(kernel.name)})
            body.append(call)
            results.append(call.result)
        else:
            results.append(remap[v])
    body.append(Operation("func.return", results, []))
    module.funcs[:] = [Func(graph.name, body, graph.result_types)] + kernels
    return True
