"""Common-subexpression elimination: pure ops with the same name, operands, attributes
and result types compute the same value; keep the first."""

from __future__ import annotations

from torsh.ir.core import Module, Operation
from torsh.ir.ops import lookup
from torsh.ir.passes.manager import register_pass


def _key(op: Operation) -> tuple:
    opdef = lookup(op.name)
    operands = [id(v) for v in op.operands]
    if opdef.has("commutative"):
        operands.sort()
    attrs = tuple(sorted(op.attributes.items()))
    return (op.name, tuple(operands), attrs, tuple(r.type for r in op.results))


@register_pass("cse")
def cse(module: Module) -> bool:
    changed = False
    for f in module.funcs:
        seen: dict[tuple, Operation] = {}
        for op in list(f.body.ops):
            opdef = lookup(op.name)
            if opdef is None or not opdef.has("pure"):
                continue
            key = _key(op)
            first = seen.get(key)
            if first is None:
                seen[key] = op
                continue
            for old, new in zip(op.results, first.results):
                old.replace_all_uses_with(new)
            op.erase()
            changed = True
    return changed
