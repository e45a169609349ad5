"""The printer: modules in MLIR syntax (custom ``module``/``func.func``/``return``,
generic syntax for torsh ops), canonical so that print(parse(print(m))) == print(m).

>>> from torsh.ir import Builder, f32
>>> b = Builder()
>>> with b.func("main", [((2,), f32)]) as (x,):
...     b.ret(b.neg(x))
>>> print(b.module)
module {
  func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.neg"(%arg0) : (tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
<BLANKLINE>
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from torsh.errors import TorshNotImplementedError
from torsh.ir.bf16 import to_bf16_bits
from torsh.ir.core import DenseElements, Func, Module, Operation, SymbolRef, Value
from torsh.ir.types import DType, TensorType

_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*\Z")
DENSE_LIST_MAX = 256  # larger constants print as a hex blob


def print_module(module: Module, header: str | None = None) -> str:
    """The text of ``module``; ``header`` lines are emitted as ``//`` comments first."""
    out: list[str] = []
    if header:
        out.extend("// " + line if line else "//" for line in header.splitlines())
    out.append("module {")
    for f in module.funcs:
        _print_func(f, out)
    out.append("}")
    return "\n".join(out) + "\n"


def _print_func(f: Func, out: list[str]) -> None:
    names: dict[Value, str] = {}
    args = []
    for i, a in enumerate(f.args):
        names[a] = f"%arg{i}"
        args.append(f"%arg{i}: {a.type}")
    res = ""
    if len(f.result_types) == 1:
        res = f" -> {f.result_types[0]}"
    elif f.result_types:
        res = f" -> ({', '.join(map(str, f.result_types))})"
    out.append(f"  func.func @{_symbol(f.name)}({', '.join(args)}){res} {{")
    counter = [0]
    for op in f.body.ops:
        out.append("    " + _print_op(op, names, counter))
    out.append("  }")


def _symbol(name: str) -> str:
    return name if _BARE_KEY.match(name) else print_string(name)


def _use(v: Value, names: dict[Value, str]) -> str:
    try:
        return names[v]
    except KeyError:
        return "%<undefined>"


def _print_op(op: Operation, names: dict[Value, str], counter: list[int]) -> str:
    if op.name == "func.return":
        if not op.operands:
            return "return"
        vals = ", ".join(_use(v, names) for v in op.operands)
        return f"return {vals} : {', '.join(str(v.type) for v in op.operands)}"
    if op.regions:
        raise TorshNotImplementedError(f"{op.name}: printing ops with regions is not "
                                       f"supported (no torsh op has regions)")
    prefix = ""
    if op.results:
        n = counter[0]
        counter[0] += 1
        if len(op.results) == 1:
            names[op.results[0]] = f"%{n}"
            prefix = f"%{n} = "
        else:
            for i, r in enumerate(op.results):
                names[r] = f"%{n}#{i}"
            prefix = f"%{n}:{len(op.results)} = "
    operands = ", ".join(_use(v, names) for v in op.operands)
    attrs = print_attr_dict(op.attributes)
    ins = ", ".join(str(v.type) for v in op.operands)
    if len(op.results) == 1:
        outs = str(op.results[0].type)
    else:
        outs = "(" + ", ".join(str(r.type) for r in op.results) + ")"
    return f'{prefix}{print_string(op.name)}({operands}){attrs} : ({ins}) -> {outs}'


def print_attr_dict(attrs: dict[str, Any]) -> str:
    if not attrs:
        return ""
    items = []
    for k in sorted(attrs):
        key = k if _BARE_KEY.match(k) else print_string(k)
        items.append(f"{key} = {print_attr(attrs[k])}")
    return " {" + ", ".join(items) + "}"


def print_attr(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{format_float(v)} : f64"
    if isinstance(v, str):
        return print_string(v)
    if isinstance(v, DType):
        return str(v)
    if isinstance(v, TensorType):
        return str(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(print_attr(x) for x in v) + "]"
    if isinstance(v, SymbolRef):
        return "@" + _symbol(v.name)
    if isinstance(v, DenseElements):
        return f"dense<{_dense_body(v)}> : {v.type}"
    raise TypeError(f"cannot print attribute value {v!r}")


def format_float(x: float, dtype: DType = DType.f64) -> str:
    """Shortest text that reads back to the same value of ``dtype``, always with a '.'
    (MLIR's float literal needs one); non-finite values print as hex bit patterns."""
    if not math.isfinite(x):
        bits = np.array(x, dtype=np.float64).view(np.uint64)
        return f"0x{int(bits):016X}"
    s = str(np.float32(x)) if dtype is DType.f32 else repr(float(x))
    if "e" in s:
        mant, exp = s.split("e")
        if "." not in mant:
            mant += ".0"
        s = f"{mant}e{exp}"
    elif "." not in s:
        s += ".0"
    return s


def _dense_body(d: DenseElements) -> str:
    a, t = d.array, d.type
    flat = a.reshape(-1)
    if flat.size == 0:  # MLIR's spelling: no nested list has the shape of e.g. tensor<0x2xf32>
        return ""
    if t.dtype is DType.i1:
        if flat.size and (flat == flat[0]).all():
            return _scalar(flat[0], t.dtype)
        return _nested(a, t.dtype)
    finite = t.dtype.is_int or bool(np.isfinite(flat).all())
    if t.dtype in (DType.f16, DType.bf16) or not finite or flat.size > DENSE_LIST_MAX:
        return print_string("0x" + _raw_bytes(a, t.dtype).hex().upper())
    if flat.size == 0:
        return _nested(a, t.dtype)
    if (flat == flat[0]).all() and not (t.dtype.is_float and _has_mixed_zero_signs(flat)):
        return _scalar(flat[0], t.dtype)
    return _nested(a, t.dtype)


def _has_mixed_zero_signs(flat: np.ndarray) -> bool:
    zeros = flat[flat == 0]
    return zeros.size > 0 and np.signbit(zeros).any() and not np.signbit(zeros).all()


def _raw_bytes(a: np.ndarray, dtype: DType) -> bytes:
    if dtype is DType.bf16:
        return to_bf16_bits(a).astype("<u2").tobytes()
    return np.ascontiguousarray(a, dtype=np.dtype(dtype.numpy).newbyteorder("<")).tobytes()


def _scalar(x, dtype: DType) -> str:
    if dtype is DType.i1:
        return "true" if x else "false"
    if dtype.is_int:
        return str(int(x))
    return format_float(float(x), dtype)


def _nested(a: np.ndarray, dtype: DType) -> str:
    if a.ndim == 0:
        return _scalar(a.item(), dtype)
    return "[" + ", ".join(_nested(x, dtype) for x in a) + "]"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


def print_string(s: str) -> str:
    """An MLIR string literal: printable ASCII as is, everything else as \\XX byte escapes."""
    out = []
    for byte in s.encode("utf-8"):
        ch = chr(byte)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{byte:02X}")
    return '"' + "".join(out) + '"'
