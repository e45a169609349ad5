"""``torsh.ir.parse``: IR text back into a :class:`Module`.

lark (LALR, contextual lexer) checks the shape of the text; this module resolves SSA
names, types and attributes and then runs the verifier. Every problem is reported as
:class:`torsh.IRParseError` or :class:`torsh.IRVerifyError` with ``line:col`` and a caret
line; no lark exception or Python internal escapes.

>>> from torsh.ir import parse
>>> m = parse('''module {
...   func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
...     %y = "torsh.exp"(%x) : (tensor<2xf32>) -> tensor<2xf32>
...     return %y : tensor<2xf32>
...   }
... }''')
>>> m.funcs[0].body.ops[0].name
'torsh.exp'
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import lark
import numpy as np

from torsh.errors import IRParseError
from torsh.ir.bf16 import from_bf16_bits
from torsh.ir.core import Block, DenseElements, Func, Module, Operation, SymbolRef, Value
from torsh.ir.diagnostics import located
from torsh.ir.types import DType, TensorType

MAX_NESTING = 256  # deeper bracket nesting is rejected before lark sees the text
MAX_CONSTANT_BYTES = 1 << 30  # constants in IR text are small; this bounds hostile input

_TENSOR_RE = re.compile(r"tensor<((?:(?:\d+|\?)x)*)([A-Za-z_][A-Za-z0-9_]*)>")
_DTYPES = {d.value: d for d in DType}
_TERMINAL_NAMES = {
    "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['",
    "RSQB": "']'", "LESSTHAN": "'<'", "MORETHAN": "'>'", "COMMA": "','", "COLON": "':'",
    "EQUAL": "'='", "VALUE_DEF": "a value name (%name)", "VALUE_USE": "a value (%name)",
    "TENSOR_TYPE": "a tensor type", "STRING": "a string", "BARE_ID": "an identifier",
    "SYMBOL": "a symbol (@name)", "INT": "an integer", "FLOAT": "a float", "HEX": "a hex number",
    "RETURN": "'return'", "DENSE": "'dense'", "CALL": "'call'", "$END": "end of input",
    "<END-OF-FILE>": "end of input",  # how lark 1.3 names $END in UnexpectedToken.expected
}


class _Syntax(Exception):
    """Raised inside the lark callbacks; turned into IRParseError with the position."""

    def __init__(self, message: str, token: lark.Token | None):
        super().__init__(message)
        self.loc = (token.line, token.column) if token is not None else None


def _loc(tok: lark.Token) -> tuple[int, int]:
    return (tok.line, tok.column)


def parse_tensor_type(tok: lark.Token | str) -> TensorType:
    m = _TENSOR_RE.fullmatch(str(tok))
    if m is None:
        where = tok if isinstance(tok, lark.Token) else None
        raise _Syntax(f"malformed tensor type '{tok}'", where)
    dims, elem = m.groups()
    if elem not in _DTYPES:
        raise _Syntax(f"unknown element type '{elem}' in '{tok}' (torsh supports "
                      f"{', '.join(_DTYPES)})", tok if isinstance(tok, lark.Token) else None)
    try:
        shape = tuple(None if d == "?" else int(d) for d in dims.split("x")[:-1])
    except ValueError:  # Python's int() refuses more than 4300 digits
        raise _Syntax(f"a dimension of '{str(tok)[:40]}...' is too large",
                      tok if isinstance(tok, lark.Token) else None) from None
    return TensorType(shape, _DTYPES[elem])


def _int(tok: lark.Token) -> int:
    try:
        return int(tok)
    except ValueError:  # Python's int() refuses more than 4300 digits
        raise _Syntax(f"integer literal of {len(tok)} digits is too large", tok) from None


def _unquote(tok: lark.Token) -> str:
    body = str(tok)[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1]
        simple = {"n": b"\n", "t": b"\t", '"': b'"', "\\": b"\\"}
        if nxt in simple:
            out += simple[nxt]
            i += 2
        elif re.fullmatch(r"[0-9A-Fa-f]{2}", body[i + 1:i + 3]):
            out.append(int(body[i + 1:i + 3], 16))
            i += 3
        else:
            raise _Syntax(f"bad escape '\\{nxt}' in string", tok)
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise _Syntax("string escapes do not form valid UTF-8", tok) from None


def _symbol_name(sym: lark.Token) -> str:
    name = str(sym)[1:]
    if name.startswith('"'):
        return _unquote(lark.Token("STRING", name, line=sym.line, column=sym.column + 1))
    return name


class _Dense:
    """An unresolved dense body: a scalar, a nested list, or a hex blob."""

    def __init__(self, kind: str, value: Any, tok: lark.Token | None):
        self.kind, self.value, self.tok = kind, value, tok


@lark.v_args(inline=True)
class _ToRaw(lark.Transformer):
    """lark callbacks (run inline by the LALR parser, no recursion): text -> raw records."""

    def start(self, *funcs):
        return list(funcs)

    def func(self, sym, *rest):
        rest = list(rest)
        ret = rest.pop()
        results = next((r[1] for r in rest if isinstance(r, tuple) and r[0] == "results"), [])
        args = [a for a in rest if isinstance(a, tuple) and a[0] == "arg"]
        ops = [o for o in rest if isinstance(o, dict)]
        return {"func": _symbol_name(sym), "loc": _loc(sym), "args": args, "results": results,
                "ops": ops, "ret": ret}

    def arg(self, name, ty):
        return ("arg", name, parse_tensor_type(ty))

    def one_result(self, ty):
        return ("results", [parse_tensor_type(ty)])

    def many_results(self, *tys):
        return ("results", [parse_tensor_type(t) for t in tys if t is not None])

    def op(self, *items):
        items = list(items)
        results = items.pop(0) if isinstance(items[0], tuple) else None
        name_tok = items.pop(0)
        op_type = items.pop()
        attrs = items.pop() if items and isinstance(items[-1], dict) else {}
        uses = [u for u in items if u is not None]
        return {"name": _unquote(name_tok), "loc": _loc(name_tok), "results": results,
                "uses": uses, "attrs": attrs, "in_types": op_type[0], "out_types": op_type[1]}

    def call_op(self, *items):
        """MLIR's custom form `call @f(%a) : (...) -> ...` (mlir-opt prints func.call so)."""
        items = list(items)
        results = items.pop(0) if isinstance(items[0], tuple) else None
        kw, sym = items.pop(0), items.pop(0)
        op_type = items.pop()
        uses = [u for u in items if u is not None]
        return {"name": "func.call", "loc": _loc(kw), "results": results, "uses": uses,
                "attrs": {"callee": SymbolRef(_symbol_name(sym))}, "in_types": op_type[0],
                "out_types": op_type[1]}

    def one_def(self, name):
        return (name, 1)

    def multi_def(self, name, count):
        n = _int(count)
        if n < 1:
            raise _Syntax("result count must be at least 1", count)
        return (name, n)

    def op_type(self, *items):
        items = list(items)
        outs = items.pop()
        return ([parse_tensor_type(t) for t in items if t is not None], outs)

    def one_type(self, ty):
        return [parse_tensor_type(ty)]

    def type_list(self, *tys):
        return [parse_tensor_type(t) for t in tys if t is not None]

    def return_op(self, kw, *items):
        items = [i for i in items if i is not None]
        uses = [i for i in items if i.type == "VALUE_USE"]
        types = [parse_tensor_type(i) for i in items if i.type == "TENSOR_TYPE"]
        if len(uses) != len(types):
            raise _Syntax(f"return has {len(uses)} value(s) but {len(types)} type(s)", kw)
        return {"return": True, "loc": _loc(kw), "uses": uses, "types": types}

    def attr_dict(self, *entries):
        out: dict[str, Any] = {}
        for key_tok, value in (e for e in entries if e is not None):
            key = _unquote(key_tok) if key_tok.type == "STRING" else str(key_tok)
            if key in out:
                raise _Syntax(f"attribute '{key}' is given twice", key_tok)
            out[key] = value
        return out

    def attr_entry(self, key, value):
        return (key, value)

    def int_attr(self, tok, ty=None):
        if ty is not None and str(ty) not in ("i1", "i8", "i32", "i64", "index"):
            raise _Syntax(f"'{ty}' is not an integer type", ty)
        return _int(tok)

    def float_attr(self, tok, ty=None):
        if ty is not None and str(ty) not in ("f16", "bf16", "f32", "f64"):
            raise _Syntax(f"'{ty}' is not a float type", ty)
        return float(tok)

    def hex_float_attr(self, tok, ty):
        bits = int(str(tok), 16)
        widths = {"f64": (np.uint64, np.float64), "f32": (np.uint32, np.float32)}
        if str(ty) not in widths:
            raise _Syntax(f"hex float attribute needs type f32 or f64, got '{ty}'", ty)
        u, f = widths[str(ty)]
        if bits >= 1 << (8 * np.dtype(u).itemsize):
            raise _Syntax(f"hex value {tok} does not fit in {ty}", tok)
        return float(np.array(bits, dtype=u).view(f))

    def symbol_attr(self, tok):
        return SymbolRef(_symbol_name(tok))

    def string_attr(self, tok):
        return _unquote(tok)

    def word_attr(self, tok):
        word = str(tok)
        if word in ("true", "false"):
            return word == "true"
        if word in _DTYPES:
            return _DTYPES[word]
        raise _Syntax(f"unknown attribute value '{word}'", tok)

    def type_attr(self, tok):
        return parse_tensor_type(tok)

    def array_attr(self, *items):
        return tuple(i for i in items if i is not None)

    def dense_attr(self, kw, body, ty):
        return _resolve_dense(body, parse_tensor_type(ty), kw)

    def dense_int(self, tok):
        return _Dense("scalar", _int(tok), tok)

    def dense_float(self, tok):
        return _Dense("scalar", float(tok), tok)

    def dense_word(self, tok):
        if str(tok) not in ("true", "false"):
            raise _Syntax(f"unexpected '{tok}' in a dense literal", tok)
        return _Dense("scalar", str(tok) == "true", tok)

    def dense_hex(self, tok):
        return _Dense("hex", int(str(tok), 16), tok)

    def dense_list(self, *items):
        return _Dense("list", [i for i in items if i is not None], None)


def _resolve_dense(body, ty: TensorType, kw: lark.Token) -> DenseElements:
    if not ty.is_static:
        raise _Syntax(f"dense constant needs a static type, got {ty}", kw)
    if ty.numel * ty.dtype.itemsize > MAX_CONSTANT_BYTES:
        # a splat like dense<1.0> : tensor<100000x100000xf32> would allocate 40 GB
        raise _Syntax(f"dense constant of {ty} is larger than the {MAX_CONSTANT_BYTES >> 20} "
                      f"MiB torsh reads from text", kw)
    if body is None:  # MLIR prints zero-element constants as dense<>
        if ty.numel != 0:
            raise _Syntax(f"empty dense literal for {ty}, which has {ty.numel} elements", kw)
        return DenseElements(np.zeros(ty.shape, ty.dtype.numpy), ty)
    if isinstance(body, lark.Token):  # hex blob
        text = _unquote(body)
        if not re.fullmatch(r"0x([0-9A-Fa-f]{2})*", text):
            raise _Syntax("dense string must be a hex blob like \"0x0000803F\"", body)
        raw = bytes.fromhex(text[2:])
        if ty.dtype is DType.i1:  # as mlir-opt prints them: bits packed LSB first
            if len(raw) == 1 and raw[0] in (0, 0xFF):  # MLIR's splat byte
                return DenseElements(np.array(bool(raw[0])), ty)
            if len(raw) != (ty.numel + 7) // 8:
                raise _Syntax(f"hex data has {len(raw)} bytes; {ty} needs "
                              f"{(ty.numel + 7) // 8} (one bit per element)", body)
            bits = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")
            return DenseElements(bits[:ty.numel].astype(bool).reshape(ty.shape), ty)
        size = ty.dtype.itemsize
        if len(raw) not in (size, size * ty.numel):
            raise _Syntax(f"hex data has {len(raw)} bytes; {ty} needs {size * ty.numel} "
                          f"(or {size} for a splat)", body)
        if ty.dtype is DType.bf16:
            arr = from_bf16_bits(np.frombuffer(raw, dtype="<u2"))
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(ty.dtype.numpy).newbyteorder("<"))
        return DenseElements(arr.reshape(ty.shape) if arr.size == ty.numel else arr[0], ty)
    if body.kind != "list":
        return DenseElements(np.array(_element(body, ty), dtype=ty.dtype.numpy), ty)
    flat: list = []
    _flatten(body, ty, 0, flat)
    return DenseElements(np.array(flat, dtype=ty.dtype.numpy).reshape(ty.shape), ty)


def _flatten(node: _Dense, ty: TensorType, depth: int, out: list) -> None:
    """Check a nested list against the type's shape (depth is bounded by its rank)."""
    if node.kind != "list":
        if depth != ty.rank:
            raise _Syntax(f"dense literal nests {depth} deep, {ty} needs {ty.rank}", node.tok)
        out.append(_element(node, ty))
        return
    if depth >= ty.rank or len(node.value) != ty.shape[depth]:
        have = len(node.value)
        raise _Syntax(f"dense literal does not match {ty}: a list of {have} at depth {depth}",
                      _first_token(node))
    for child in node.value:
        _flatten(child, ty, depth + 1, out)


def _first_token(node: _Dense):
    while node.kind == "list" and node.value:
        node = node.value[0]
    return node.tok


def _element(node: _Dense, ty: TensorType):
    v = node.value
    if node.kind == "hex":  # an element's bit pattern, as MLIR prints non-finite floats
        if not ty.dtype.is_float or v >= 1 << (8 * ty.dtype.itemsize):
            raise _Syntax(f"hex element {node.tok} does not fit {ty.dtype}", node.tok)
        if ty.dtype is DType.bf16:  # mlir-opt prints non-finite bf16 elements as 0xFF80
            return from_bf16_bits(np.array(v, dtype=np.uint16)).item()
        bits = np.array(v, dtype=f"<u{ty.dtype.itemsize}")
        return bits.view(ty.dtype.numpy).item()
    if ty.dtype.is_bool:
        if not isinstance(v, bool):
            raise _Syntax(f"expected true or false in a {ty} literal, got {v!r}", node.tok)
        return v
    if isinstance(v, bool):
        raise _Syntax(f"boolean in a {ty} literal", node.tok)
    if ty.dtype.is_int:
        if not isinstance(v, int):
            raise _Syntax(f"float {v!r} in an integer {ty} literal", node.tok)
        info = np.iinfo(ty.dtype.numpy)
        if not info.min <= v <= info.max:
            raise _Syntax(f"{v} does not fit in {ty.dtype}", node.tok)
        return v
    with np.errstate(over="ignore"):
        overflow = bool(np.isinf(np.array(v, dtype=ty.dtype.numpy)))
    if overflow:
        raise _Syntax(f"{v} is out of range for {ty.dtype}", node.tok)
    return float(v)


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text()
    return lark.Lark(grammar, parser="lalr", lexer="contextual", transformer=_ToRaw(),
                     maybe_placeholders=True)


def parse(text: str | bytes, verify: bool = True) -> Module:
    """Parse IR text (as printed by torsh or written by hand) into a verified Module."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raw = bytes(text)
            line = raw.count(b"\n", 0, e.start) + 1
            # a column counts characters, as lark's do; the bytes before e.start are valid
            col = len(raw[raw.rfind(b"\n", 0, e.start) + 1:e.start].decode("utf-8")) + 1
            raise IRParseError(located(f"input is not valid UTF-8 (byte 0x{raw[e.start]:02X})",
                                       (line, col), raw.decode("utf-8", "replace"))) from None
    if not isinstance(text, str):
        raise TypeError(f"parse() takes str or bytes, not {type(text).__name__}")
    _check_nesting(text)
    try:
        raw = _lark().parse(text)
    except _Syntax as e:
        raise IRParseError(located(str(e), e.loc, text)) from None
    except lark.exceptions.VisitError as e:  # a callback failed
        inner = e.orig_exc
        if isinstance(inner, _Syntax):
            raise IRParseError(located(str(inner), inner.loc, text)) from None
        raise IRParseError(f"malformed IR: {inner}") from None
    except lark.exceptions.UnexpectedInput as e:
        raise IRParseError(located(_describe(e, text), (e.line, e.column), text)) from None
    except (ValueError, TypeError, OverflowError) as e:  # a bug here must not leak raw
        raise IRParseError(f"malformed IR ({type(e).__name__}: {e})") from None
    try:
        module = _build(raw, text)
    except _Syntax as e:
        raise IRParseError(located(str(e), e.loc, text)) from None
    if verify:
        from torsh.ir.verifier import verify as run_verifier

        run_verifier(module, source=text)
    return module


def _describe(e: lark.exceptions.UnexpectedInput, text: str) -> str:
    if isinstance(e, lark.exceptions.UnexpectedCharacters):
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
        return f"unexpected character {ch!r}"
    expected = sorted({_terminal_name(t) for t in getattr(e, "expected", ())})
    hint = f"; expected {', '.join(expected[:8])}" if expected else ""
    if isinstance(e, lark.exceptions.UnexpectedEOF) or getattr(e, "token", None) is None or \
            e.token.type == "$END":
        return "unexpected end of input (truncated?)" + hint
    return f"unexpected {str(e.token)!r}" + hint


def _terminal_name(name: str) -> str:
    """How an expected terminal reads in a message: never lark's internal names (__ANON_0)."""
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = _lark().get_terminal(name).pattern
    except KeyError:
        return repr(name.lower())
    return repr(pattern.value) if pattern.type == "str" else repr(name.lower())


def _check_nesting(text: str) -> None:
    """Reject absurdly deep bracket nesting up front (skipping strings and comments)."""
    depth = 0
    line, col = 1, 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" and text[j + 1:j + 2] not in ("", "\n") else 1
            if j < n and text[j] == "\n":
                j -= 1  # an unterminated string ends before the newline, counted next
            col += j - i
            i = j
        elif ch == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            i = (j if j >= 0 else n) - 1
        elif ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise IRParseError(located(f"brackets nest deeper than {MAX_NESTING} levels",
                                           (line, col), text))
        elif ch in ")]}":
            depth -= 1
        i += 1


def _build(raw_funcs: list, source: str) -> Module:
    module = Module()
    for rf in raw_funcs:
        arg_types = [a[2] for a in rf["args"]]
        body = Block(arg_types)
        scope: dict[str, Value] = {}
        for (_, tok, _), value in zip(rf["args"], body.args):
            _define(scope, tok, value)
        func = Func(rf["func"], body, tuple(rf["results"]), loc=rf["loc"])
        for ro in rf["ops"]:
            operands = [_lookup(scope, u) for u in ro["uses"]]
            if len(operands) != len(ro["in_types"]):
                raise _Syntax(f"{ro['name']}: {len(operands)} operand(s) but "
                              f"{len(ro['in_types'])} operand type(s)", _tok_at(ro["loc"]))
            for i, (v, t) in enumerate(zip(operands, ro["in_types"])):
                if v.type != t:
                    raise _Syntax(f"{ro['name']}: operand #{i} ({ro['uses'][i]}) has type "
                                  f"{v.type}, but the op's signature says {t}", ro["uses"][i])
            n_declared = ro["results"][1] if ro["results"] else 0
            if n_declared != len(ro["out_types"]):
                raise _Syntax(f"{ro['name']}: defines {n_declared} result(s) but its type "
                              f"has {len(ro['out_types'])}", _tok_at(ro["loc"]))
            op = Operation(ro["name"], operands, ro["out_types"], ro["attrs"], loc=ro["loc"])
            body.append(op)
            if ro["results"]:
                tok, count = ro["results"]
                if count == 1:
                    _define(scope, tok, op.results[0])
                else:
                    for i, r in enumerate(op.results):
                        _define(scope, tok, r, f"{tok}#{i}")
        ret = rf["ret"]
        values = [_lookup(scope, u) for u in ret["uses"]]
        for u, v, t in zip(ret["uses"], values, ret["types"]):
            if v.type != t:
                raise _Syntax(f"return: {u} has type {v.type}, not {t}", u)
        body.append(Operation("func.return", values, [], loc=ret["loc"]))
        module.funcs.append(func)
    return module


def _tok_at(loc):
    return lark.Token("X", "", line=loc[0], column=loc[1])


def _define(scope: dict[str, Value], tok: lark.Token, value: Value, name: str | None = None):
    name = name or str(tok)
    if name in scope:
        raise _Syntax(f"value {name} is defined twice", tok)
    scope[name] = value


def _lookup(scope: dict[str, Value], tok: lark.Token) -> Value:
    try:
        return scope[str(tok)]
    except KeyError:
        raise _Syntax(f"use of undefined value {tok}", tok) from None
