"""Canonicalization: local rewrites applied until nothing changes.

- constant folding: an op whose operands are all constants becomes a constant (computed
  with the op's reference semantics; results over FOLD_LIMIT elements are left alone);
- identities: ``x*1``, ``1*x``, ``x/1``, ``x+0``, ``0+x``, ``x-0`` -> ``x`` when the result
  type is ``x``'s (like XLA, ``x+0`` ignores the sign of a zero ``x``);
- ``neg(neg(x))`` -> ``x``;
- ``reshape(reshape(x))`` -> ``reshape(x)``; a reshape, expand or cast to ``x``'s own type
  -> ``x``;
- ``permute(permute(x))`` -> one ``permute``; the identity permutation -> ``x``;
- the transpose of a matmul used only there -> the matmul of the transposed operands
  (``(A @ B)^T = B^T @ A^T``): matmul kernels read transposed operands in place, so the
  transpose costs no kernel of its own (a Linear weight's gradient is one).

Dead ops left behind are erased by ``dce``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from torsh.ir.core import DenseElements, Module, Operation, Value
from torsh.ir.ops import lookup, with_defaults
from torsh.ir.passes.manager import register_pass

FOLD_LIMIT = 1 << 16
MAX_ROUNDS = 32

Pattern = Callable[[Operation], Value | None]
_PATTERNS: dict[str, list[Pattern]] = {}


def pattern(*names: str):
    def deco(fn: Pattern) -> Pattern:
        for n in names:
            _PATTERNS.setdefault("torsh." + n, []).append(fn)
        return fn

    return deco


def _producer(v: Value, name: str) -> Operation | None:
    owner = getattr(v, "owner", None)
    return owner if owner is not None and owner.name == "torsh." + name else None


def _splat(v: Value) -> float | None:
    """The value of a constant whose elements are all equal, else None."""
    c = _producer(v, "constant")
    if c is None:
        return None
    arr = c.attributes["value"].array
    if arr.size == 0 or not (arr == arr.reshape(-1)[0]).all():
        return None
    return arr.reshape(-1)[0].item()


def _insert(anchor: Operation, name: str, operands: list[Value], attrs: dict, type) -> Value:
    op = Operation("torsh." + name, operands, [type], attrs)
    anchor.parent.insert_before(anchor, op)
    return op.result


def _constant_like(anchor: Operation, array: np.ndarray) -> Value:
    t = anchor.result.type
    return _insert(anchor, "constant", [], {"value": DenseElements(array, t)}, t)


def fold_constants(op: Operation) -> Value | None:
    opdef = lookup(op.name)
    if opdef is None or opdef.has("constant") or not op.operands:
        return None
    if not all(_producer(v, "constant") for v in op.operands):
        return None
    t = op.result.type
    if not t.is_static or t.numel > FOLD_LIMIT:
        return None
    arrays = [v.owner.attributes["value"].array for v in op.operands]
    with np.errstate(all="ignore"):
        out = np.asarray(opdef.ref(with_defaults(opdef, op.attributes), *arrays))
        out = out.astype(t.dtype.numpy)
    return _constant_like(op, out)


@pattern("mul")
def mul_by_one(op: Operation) -> Value | None:
    a, b = op.operands
    for x, c in ((a, b), (b, a)):
        if _splat(c) == 1 and x.type == op.result.type:
            return x
    return None


@pattern("div")
def div_by_one(op: Operation) -> Value | None:
    a, b = op.operands
    return a if _splat(b) == 1 and a.type == op.result.type else None


@pattern("add")
def add_zero(op: Operation) -> Value | None:
    a, b = op.operands
    for x, c in ((a, b), (b, a)):
        if _splat(c) == 0 and x.type == op.result.type:
            return x
    return None


@pattern("sub")
def sub_zero(op: Operation) -> Value | None:
    a, b = op.operands
    return a if _splat(b) == 0 and a.type == op.result.type else None


@pattern("neg")
def double_negation(op: Operation) -> Value | None:
    inner = _producer(op.operands[0], "neg")
    return inner.operands[0] if inner is not None else None


@pattern("reshape", "expand", "cast")
def same_type_noop(op: Operation) -> Value | None:
    x = op.operands[0]
    return x if x.type == op.result.type else None


@pattern("reshape")
def reshape_of_reshape(op: Operation) -> Value | None:
    inner = _producer(op.operands[0], "reshape")
    if inner is None:
        return None
    return _insert(op, "reshape", [inner.operands[0]], dict(op.attributes), op.result.type)


@pattern("permute")
def permute_of_permute(op: Operation) -> Value | None:
    dims = op.attributes["dims"]
    if dims == tuple(range(len(dims))):
        return op.operands[0]
    inner = _producer(op.operands[0], "permute")
    if inner is None:
        return None
    composed = tuple(inner.attributes["dims"][d] for d in dims)
    if composed == tuple(range(len(composed))):
        return inner.operands[0]
    return _insert(op, "permute", [inner.operands[0]], {"dims": composed}, op.result.type)


@pattern("permute")
def transpose_of_matmul(op: Operation) -> Value | None:
    dims = op.attributes["dims"]
    n = len(dims)
    mm = _producer(op.operands[0], "matmul")
    if (mm is None or n < 2 or dims != (*range(n - 2), n - 1, n - 2)
            or len(mm.result.uses) != 1
            or any(len(v.type.shape) != n for v in mm.operands)):
        return None
    a, b = mm.operands
    swapped = [_insert(op, "permute", [v], {"dims": dims},
                       type(v.type)((*v.type.shape[:-2], v.type.shape[-1], v.type.shape[-2]),
                                    v.type.dtype)) for v in (b, a)]
    return _insert(op, "matmul", swapped, {}, op.result.type)


@register_pass("canonicalize")
def canonicalize(module: Module) -> bool:
    changed_any = False
    for _ in range(MAX_ROUNDS):
        changed = False
        for f in module.funcs:
            for op in list(f.body.ops):
                if op.parent is None or op.name == "func.return":
                    continue
                for rewrite in [fold_constants, *_PATTERNS.get(op.name, ())]:
                    new = rewrite(op)
                    if new is not None and new is not op.result:
                        op.result.replace_all_uses_with(new)
                        op.erase()
                        changed = True
                        break
        changed_any |= changed
        if not changed:
            break
    return changed_any
