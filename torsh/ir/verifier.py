"""The verifier: structural and type invariants of a module, checked against the op table.

>>> from torsh.ir import Builder, verify, f32
>>> b = Builder()
>>> with b.func("f", [((2,), f32)]) as (x,):
...     b.ret(b.exp(x))
>>> verify(b.module)
"""

from __future__ import annotations

from torsh.errors import IRVerifyError, TorshError
from torsh.ir.core import Block, Func, Module, Operation, SymbolRef, Value
from torsh.ir.diagnostics import located
from torsh.ir.ops import REQUIRED, attr_kind_ok, lookup, with_defaults


def verify(module: Module, source: str | None = None) -> None:
    """Raise :class:`torsh.IRVerifyError` naming the first broken op and the mismatch."""
    names: set[str] = set()
    for func in module.funcs:
        where = f"func @{func.name}"
        if func.name in names:
            _fail(f"{where}: function name is defined twice", func.loc, source)
        names.add(func.name)
        ret = func.body.terminator
        if ret is None or ret.name != "func.return":
            _fail(f"{where}: body must end with func.return", func.loc, source)
        got = tuple(v.type for v in ret.operands)
        if got != tuple(func.result_types):
            _fail(f"{where}: return types ({', '.join(map(str, got))}) do not match the "
                  f"declared results ({', '.join(map(str, func.result_types))})",
                  ret.loc or func.loc, source)
    funcs = {f.name: f for f in module.funcs}
    for func in module.funcs:
        _verify_block(func.body, set(func.body.args), source, funcs)


def _verify_block(block: Block, visible: set[Value], source: str | None,
                  funcs: dict[str, Func]) -> None:
    defined = set(visible)
    for i, op in enumerate(block.ops):
        for j, v in enumerate(op.operands):
            if v not in defined:
                _fail(f"{op.name}: operand #{j} is not defined before its use", op.loc, source)
        if op.name == "func.return":
            if i != len(block.ops) - 1:
                _fail("func.return must be the last op of its block", op.loc, source)
        elif op.name == "func.call":
            _verify_call(op, funcs, source)
        else:
            verify_op(op, source)
        for region in op.regions:
            for inner in region.blocks:
                _verify_block(inner, defined | set(inner.args), source, funcs)
        defined.update(op.results)


def _verify_call(op: Operation, funcs: dict[str, Func], source: str | None) -> None:
    callee = op.attributes.get("callee")
    if not isinstance(callee, SymbolRef) or set(op.attributes) != {"callee"}:
        _fail("func.call needs exactly one attribute, callee = @name", op.loc, source)
    f = funcs.get(callee.name)
    if f is None:
        _fail(f"func.call: no function @{callee.name} in the module", op.loc, source)
    ins = tuple(v.type for v in op.operands)
    outs = tuple(r.type for r in op.results)
    if ins != f.type.inputs or outs != f.type.results:
        _fail(f"func.call @{callee.name}: call type ({', '.join(map(str, ins))}) -> "
              f"({', '.join(map(str, outs))}) does not match the function type {f.type}",
              op.loc, source)


def verify_op(op: Operation, source: str | None = None) -> None:
    """Check one op against its table row: arity, attributes, result types."""
    opdef = lookup(op.name)
    if opdef is None:
        _fail(f"unknown op '{op.name}'", op.loc, source)
    n = len(op.operands)
    if opdef.arity is None and n < 1:
        _fail(f"{op.name}: expects at least one operand, got none", op.loc, source)
    if opdef.arity is not None and n != opdef.arity:
        _fail(f"{op.name}: expects {opdef.arity} operand(s), got {n}", op.loc, source)
    if op.regions:
        _fail(f"{op.name}: takes no regions", op.loc, source)
    for key, value in op.attributes.items():
        spec = opdef.attrs.get(key)
        if spec is None:
            _fail(f"{op.name}: unknown attribute '{key}'", op.loc, source)
        if not attr_kind_ok(spec.kind, value):
            _fail(f"{op.name}: attribute '{key}' must be of kind {spec.kind}, got {value!r}",
                  op.loc, source)
    for key, spec in opdef.attrs.items():
        if spec.default is REQUIRED and key not in op.attributes:
            _fail(f"{op.name}: missing required attribute '{key}'", op.loc, source)
    if len(op.results) != 1:
        _fail(f"{op.name}: must have exactly one result, has {len(op.results)}", op.loc, source)
    try:
        inferred = opdef.infer([v.type for v in op.operands], with_defaults(opdef, op.attributes))
    except TorshError as e:
        _fail(f"{op.name}: {e}", op.loc, source)
    if op.result.type != inferred:
        _fail(f"{op.name}: result type {op.result.type} does not match the inferred type "
              f"{inferred}", op.loc, source)


def _fail(message: str, loc, source) -> None:
    raise IRVerifyError(located(message, loc, source))
