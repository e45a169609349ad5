"""``torsh.ir.dump`` and ``torsh.ir.to_dot``: the text and the picture of every stage.

Both accept an IR ``Module``, or anything that implements the inspection protocol
(``__torsh_graph__()`` returning its graph module, ``__torsh_dump__(level)`` returning a
dump) - torsh tensors do - or a function plus example arguments, which is called and whose
result is inspected. The IR layer never imports the front end; the protocol keeps it so.

>>> from torsh.ir import Builder, f32
>>> b = Builder()
>>> with b.func("main", [((4,), f32)]) as (x,):
...     b.ret(b.sum(b.exp(x), axes=[0]))
>>> print(to_dot(b.module).splitlines()[0])
digraph torsh {
"""

from __future__ import annotations

import copy

from torsh.errors import InvalidArgumentError
from torsh.ir.core import Module
from torsh.ir.printer import print_module, print_string


def _resolve(obj, args):
    if isinstance(obj, Module) or hasattr(obj, "__torsh_graph__"):
        return obj
    if callable(obj):
        out = obj(*args)
        if isinstance(out, (tuple, list)):
            out = out[0] if len(out) == 1 else out
        return out
    raise InvalidArgumentError(f"cannot inspect a {type(obj).__name__}: pass an IR module, a "
                               f"tensor, or a function and its example arguments")


def dump(obj, level: str = "graph", *args) -> str:
    """The IR of ``obj`` at ``level``: 'graph', 'kernels', 'llvm' or 'asm'."""
    obj = _resolve(obj, args)
    if isinstance(obj, (tuple, list)):
        obj = obj[0]
    if isinstance(obj, Module):
        if level == "graph":
            return print_module(obj)
        if level == "kernels":
            from torsh.ir.passes import run_pipeline

            m = copy.deepcopy(obj)
            run_pipeline(m, "canonicalize,cse,dce,fuse")
            return print_module(m)
        raise InvalidArgumentError(f"level {level!r} needs the code generator: dump a tensor "
                                   f"or function instead of a bare module")
    return obj.__torsh_dump__(level)


def to_dot(obj, *args) -> str:
    """Graphviz DOT of the fused program: one cluster per kernel, edges for data flow."""
    obj = _resolve(obj, args)
    if isinstance(obj, (tuple, list)):
        obj = obj[0]
    module = obj if isinstance(obj, Module) else obj.__torsh_graph__()
    from torsh.ir.passes import run_pipeline

    m = copy.deepcopy(module)
    if not any(op.name == "func.call" for op in m.funcs[0].body.ops):
        run_pipeline(m, "canonicalize,cse,dce,fuse")
    main, kernels = m.funcs[0], {f.name: f for f in m.funcs[1:]}
    lines = ["digraph torsh {", "  rankdir=TB;", '  node [shape=box, fontname="monospace"];']
    source: dict = {}
    for i, a in enumerate(main.args):
        source[a] = f"in{i}"
        lines.append(f'  in{i} [label={print_string(f"%arg{i}: {a.type}")}, shape=ellipse];')
    for k, call in enumerate(op for op in main.body.ops if op.name == "func.call"):
        f = kernels[call.attributes["callee"].name]
        lines.append(f"  subgraph cluster_{k} {{")
        lines.append(f"    label={print_string(f.name)}; style=rounded; color=blue;")
        local: dict = {}
        for j, op in enumerate(o for o in f.body.ops if o.name != "func.return"):
            node = f"k{k}_{j}"
            local[op.result] = node
            label = print_string(f"{op.short_name} {op.result.type}")
            lines.append(f"    {node} [label={label}];")
        lines.append("  }")
        body_ops = [o for o in f.body.ops if o.name != "func.return"]
        for j, op in enumerate(body_ops):
            for u in op.operands:
                if u in local:
                    lines.append(f"  {local[u]} -> k{k}_{j};")
                else:  # a kernel argument: comes from the caller's operand
                    outer = call.operands[f.args.index(u)]
                    lines.append(f"  {source[outer]} -> k{k}_{j};")
        source[call.result] = local[f.return_op.operands[0]] if f.return_op.operands[0] in local \
            else source[call.operands[f.args.index(f.return_op.operands[0])]]
    for i, v in enumerate(main.return_op.operands):
        lines.append(f'  out{i} [label="result {i}", shape=ellipse];')
        lines.append(f"  {source[v]} -> out{i};")
    lines.append("}")
    return "\n".join(lines) + "\n"
