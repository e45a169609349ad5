"""The codegen row of the op table: how each elementwise op becomes scalar LLVM IR.

Values inside a kernel are computed in a *compute type*: f16 and bf16 are widened to
float (and rounded back when an op produces them), i1 is LLVM ``i1`` (stored as a byte).
``LOWER[name](ctx, dtype, args, attrs)`` returns the LLVM value; ``dtype`` is the
operands' torsh dtype (the result dtype for ``cast``/``constant`` is in ``attrs``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from llvmlite import ir

from torsh.codegen import vecmath
from torsh.ir.types import DType

I1, I8, I16 = ir.IntType(1), ir.IntType(8), ir.IntType(16)
I32, I64 = ir.IntType(32), ir.IntType(64)
F32, F64 = ir.FloatType(), ir.DoubleType()
PTR = ir.PointerType()


def compute_type(dt: DType) -> ir.Type:
    if dt.is_float:
        return F64 if dt is DType.f64 else F32
    return {DType.i1: I1, DType.i8: I8, DType.i32: I32, DType.i64: I64}[dt]


def storage_type(dt: DType) -> ir.Type:
    # llvmlite has no bfloat type: bf16 is stored as its 16-bit pattern and converted by hand.
    return {DType.f16: ir.HalfType(), DType.bf16: I16, DType.f32: F32,
            DType.f64: F64, DType.i1: I8, DType.i8: I8, DType.i32: I32, DType.i64: I64}[dt]


class Ctx:
    """What a lowering needs: the builder and the module (for intrinsics/libm), and
    whether the target has AVX-512F (``llvm.ldexp`` is then one vscalefps; elsewhere it
    is a libm call, so vecmath builds 2**n from exponent bits instead)."""

    def __init__(self, builder: ir.IRBuilder, module: ir.Module, avx512: bool = False):
        self.b = builder
        self.module = module
        self.avx512 = avx512

    def ldexp(self, x: ir.Value, n: ir.Value) -> ir.Value:
        """x * 2**n (n: i32) rounded once, overflowing to inf and underflowing through
        the denormals to 0 as the exact product would."""
        name = f"llvm.ldexp.{'f32' if x.type == F32 else 'f64'}.i32"
        fn = self.module.globals.get(name)
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(x.type, [x.type, n.type]), name)
        return self.b.call(fn, [x, n])

    def intrinsic(self, name: str, ty: ir.Type, args: list) -> ir.Value:
        fnty = ir.FunctionType(ty, [ty] * len(args))
        return self.b.call(self.module.declare_intrinsic(f"llvm.{name}", [ty], fnty), args)

    def libm(self, name: str, ty: ir.Type, args: list) -> ir.Value:
        cname = name if ty == F64 else name + "f"
        fn = self.module.globals.get(cname)
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(ty, [ty] * len(args)), cname)
        return self.b.call(fn, args)

    def const(self, ty: ir.Type, value) -> ir.Constant:
        return ir.Constant(ty, value)


Lowering = Callable[[Ctx, DType, list, dict], ir.Value]
LOWER: dict[str, Lowering] = {}


def lowering(*names: str):
    def deco(fn: Lowering) -> Lowering:
        for n in names:
            LOWER[n] = fn
        return fn

    return deco


def _is_float(dt: DType) -> bool:
    return dt.is_float


def _zero(ty):
    return ir.Constant(ty, 0.0 if isinstance(ty, (ir.FloatType, ir.DoubleType)) else 0)


@lowering("neg")
def _neg(c, dt, a, attrs):
    return c.b.fneg(a[0]) if _is_float(dt) else c.b.sub(_zero(a[0].type), a[0])


@lowering("abs")
def _abs(c, dt, a, attrs):
    if _is_float(dt):
        return c.intrinsic("fabs", a[0].type, a)
    x = a[0]
    return c.b.select(c.b.icmp_signed("<", x, _zero(x.type)), c.b.sub(_zero(x.type), x), x)


@lowering("sign")
def _sign(c, dt, a, attrs):
    x = a[0]
    one, mone = ir.Constant(x.type, 1), ir.Constant(x.type, -1)
    if _is_float(dt):
        one, mone = ir.Constant(x.type, 1.0), ir.Constant(x.type, -1.0)
        pos = c.b.fcmp_ordered(">", x, _zero(x.type))
        neg = c.b.fcmp_ordered("<", x, _zero(x.type))
    else:
        pos = c.b.icmp_signed(">", x, _zero(x.type))
        neg = c.b.icmp_signed("<", x, _zero(x.type))
    return c.b.select(pos, one, c.b.select(neg, mone, x))


@lowering("relu")
def _relu(c, dt, a, attrs):
    x = a[0]
    if _is_float(dt):  # NaN stays NaN, as in torch.relu
        return c.b.select(c.b.fcmp_ordered("<=", x, _zero(x.type)), _zero(x.type), x)
    return c.b.select(c.b.icmp_signed(">", x, _zero(x.type)), x, _zero(x.type))


def _rounding(intrinsic):
    def lower(c, dt, a, attrs):
        return c.intrinsic(intrinsic, a[0].type, a) if _is_float(dt) else a[0]

    return lower


LOWER["floor"] = _rounding("floor")
LOWER["ceil"] = _rounding("ceil")
LOWER["round"] = _rounding("roundeven")


def _float_intrinsic(name, intrinsic):
    LOWER[name] = lambda c, dt, a, attrs: c.intrinsic(intrinsic, a[0].type, a)


def _float_libm(name, cname):
    LOWER[name] = lambda c, dt, a, attrs: c.libm(cname, a[0].type, a)


for _n in ("sin", "cos", "sqrt"):
    _float_intrinsic(_n, _n)
for _n in ("log1p", "expm1", "erf"):
    _float_libm(_n, _n)


def _vector_f32(name, f32_impl, fallback):
    """float32 (and f16/bf16, computed in f32) gets the vectorizable polynomial; f64 keeps
    the exact libm/intrinsic path."""

    def lower(c, x):
        return f32_impl(c, x) if x.type == F32 else fallback(c, x)

    LOWER[name] = lambda c, dt, a, attrs: lower(c, a[0])
    return lower


_exp = _vector_f32("exp", vecmath.exp_f32, lambda c, x: c.intrinsic("exp", x.type, [x]))
_vector_f32("log", vecmath.log_f32, lambda c, x: c.intrinsic("log", x.type, [x]))
_vector_f32("tanh", vecmath.tanh_f32, lambda c, x: c.libm("tanh", x.type, [x]))


@lowering("rsqrt")
def _rsqrt(c, dt, a, attrs):
    return c.b.fdiv(ir.Constant(a[0].type, 1.0), c.intrinsic("sqrt", a[0].type, a))


def _sigmoid_of(c, x):
    one = ir.Constant(x.type, 1.0)
    e = _exp(c, c.b.fneg(x))
    return c.b.fdiv(one, c.b.fadd(one, e))


@lowering("sigmoid")
def _sigmoid(c, dt, a, attrs):
    return _sigmoid_of(c, a[0])


@lowering("silu")
def _silu(c, dt, a, attrs):
    return c.b.fmul(a[0], _sigmoid_of(c, a[0]))


@lowering("gelu")
def _gelu(c, dt, a, attrs):
    x = a[0]
    t = c.libm("erf", x.type, [c.b.fmul(x, ir.Constant(x.type, 1 / math.sqrt(2)))])
    half_x = c.b.fmul(x, ir.Constant(x.type, 0.5))
    return c.b.fmul(half_x, c.b.fadd(ir.Constant(x.type, 1.0), t))


@lowering("not")
def _not(c, dt, a, attrs):
    return c.b.xor(a[0], ir.Constant(I1, 1))


def _arith(name, fop, iop):
    def lower(c, dt, a, attrs):
        return getattr(c.b, fop if _is_float(dt) else iop)(a[0], a[1])

    LOWER[name] = lower


_arith("add", "fadd", "add")
_arith("sub", "fsub", "sub")
_arith("mul", "fmul", "mul")
LOWER["div"] = lambda c, dt, a, attrs: c.b.fdiv(a[0], a[1])
LOWER["pow"] = lambda c, dt, a, attrs: c.intrinsic("pow", a[0].type, a)
LOWER["and"] = lambda c, dt, a, attrs: c.b.and_(a[0], a[1])
LOWER["or"] = lambda c, dt, a, attrs: c.b.or_(a[0], a[1])
LOWER["xor"] = lambda c, dt, a, attrs: c.b.xor(a[0], a[1])


def _minmax(name, intrinsic, pred):
    def lower(c, dt, a, attrs):
        if _is_float(dt):  # llvm.maximum/minimum propagate NaN like torch
            return c.intrinsic(intrinsic, a[0].type, a)
        cmp = c.b.icmp_unsigned if dt is DType.i1 else c.b.icmp_signed
        return c.b.select(cmp(pred, a[0], a[1]), a[0], a[1])

    LOWER[name] = lower


_minmax("maximum", "maximum", ">")
_minmax("minimum", "minimum", "<")


def _compare(name, pred):
    def lower(c, dt, a, attrs):
        if _is_float(dt):
            # != is true when either side is NaN (unordered); the others are ordered.
            fcmp = c.b.fcmp_unordered if pred == "!=" else c.b.fcmp_ordered
            return fcmp(pred, a[0], a[1])
        cmp = c.b.icmp_unsigned if dt is DType.i1 else c.b.icmp_signed
        return cmp(pred, a[0], a[1])

    LOWER[name] = lower


for _n, _p in (("eq", "=="), ("ne", "!="), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
    _compare(_n, _p)


@lowering("where")
def _where(c, dt, a, attrs):
    return c.b.select(a[0], a[1], a[2])


def bf16_to_f32(b: ir.IRBuilder, bits: ir.Value) -> ir.Value:
    return b.bitcast(b.shl(b.zext(bits, I32), ir.Constant(I32, 16)), F32)


def f32_to_bf16(b: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """Round to nearest even, keeping NaN a (quiet) NaN, as torch does."""
    bits = b.bitcast(x, I32)
    lsb = b.and_(b.lshr(bits, ir.Constant(I32, 16)), ir.Constant(I32, 1))
    rounded = b.lshr(b.add(b.add(bits, ir.Constant(I32, 0x7FFF)), lsb), ir.Constant(I32, 16))
    quiet = b.or_(b.lshr(bits, ir.Constant(I32, 16)), ir.Constant(I32, 0x40))
    isnan = b.fcmp_unordered("uno", x, x)
    return b.trunc(b.select(isnan, quiet, rounded), I16)


def round_to(c: Ctx, x: ir.Value, dt: DType) -> ir.Value:
    """Round a compute-type float to f16/bf16 precision (no-op for other dtypes)."""
    if dt is DType.bf16:
        return bf16_to_f32(c.b, f32_to_bf16(c.b, x))
    if dt is DType.f16:
        return c.b.fpext(c.b.fptrunc(x, storage_type(dt)), F32)
    return x


def convert(c: Ctx, x: ir.Value, src: DType, dst: DType) -> ir.Value:
    """Compute-type conversion with torsh's cast semantics."""
    b = c.b
    s_ty, d_ty = compute_type(src), compute_type(dst)
    if dst.is_bool:
        if src.is_float:
            return b.fcmp_unordered("!=", x, _zero(s_ty))  # NaN -> true, as numpy
        return x if src.is_bool else b.icmp_signed("!=", x, _zero(s_ty))
    if src.is_bool:
        return b.uitofp(x, d_ty) if dst.is_float else b.zext(x, d_ty)
    if src.is_float and dst.is_float:
        if s_ty != d_ty:
            x = b.fpext(x, d_ty) if d_ty == F64 else b.fptrunc(x, d_ty)
        return round_to(c, x, dst)
    if src.is_float:  # float -> int: truncate; NaN/inf/out of range -> 0
        bits = d_ty.width
        wide = b.fpext(x, F64) if s_ty == F32 else x
        lo = b.fcmp_ordered(">=", wide, ir.Constant(F64, -(2.0 ** (bits - 1))))
        hi = b.fcmp_ordered("<", wide, ir.Constant(F64, 2.0 ** (bits - 1)))
        ok = b.and_(lo, hi)
        safe = b.select(ok, wide, ir.Constant(F64, 0.0))
        return b.fptosi(safe, d_ty)
    if dst.is_float:
        return round_to(c, b.sitofp(x, d_ty), dst)
    if d_ty.width > s_ty.width:
        return b.sext(x, d_ty)
    return b.trunc(x, d_ty) if d_ty.width < s_ty.width else x


@lowering("cast")
def _cast(c, dt, a, attrs):
    return convert(c, a[0], dt, attrs["dtype"])
