"""Dead-code elimination: erase pure ops whose results are never used."""

from __future__ import annotations

from torsh.ir.core import Module
from torsh.ir.ops import lookup
from torsh.ir.passes.manager import register_pass


@register_pass("dce")
def dce(module: Module) -> bool:
    changed = False
    for f in module.funcs:
        # One backward sweep suffices: an op's users come after it, so they are seen first.
        for op in reversed(list(f.body.ops)):
            opdef = lookup(op.name)
            if opdef is not None and opdef.has("pure") and not any(r.uses for r in op.results):
                op.erase()
                changed = True
    return changed
