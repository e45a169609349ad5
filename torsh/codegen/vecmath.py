"""Vectorizable float32 transcendentals as straight-line LLVM IR (no libm calls), so the
loop vectorizer turns them into AVX-512 code. Cephes-style: range reduction, a minimax
polynomial, exponent reconstruction by bit manipulation; special values (NaN, +-inf, 0,
denormals, overflow/underflow edges) are handled with selects, never branches.
Accuracy is tested against numpy over the whole float32 range (tests/codegen).
"""

from __future__ import annotations

import math

from llvmlite import ir

F32, I32 = ir.FloatType(), ir.IntType(32)

LOG2E = 1.44269504088896341
LN2_HI = 0.693145751953125
LN2_LO = 1.428606765330187045e-06
# exp's argument is clamped into [EXP_CLAMP_LO, EXP_CLAMP_HI], just outside the range
# where exp(x) rounds to a finite nonzero float32 (88.7228... and -103.9720...): there
# poly * 2**n overflows to inf / underflows to 0 by itself
EXP_CLAMP_HI = 89.0
EXP_CLAMP_LO = -104.0
SHIFTER = 12582912.0  # 1.5 * 2**23: adding it rounds a float below 2**22 to an integer
SHIFTER_BITS = 0x4B400000  # the bits of SHIFTER
EXP_POLY = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
            1.6666665459e-1, 5.0000001201e-1)
LOG_POLY = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
            1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
            3.3333331174e-1)
TANH_POLY = (-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1,
             -3.33332819422e-1)


def _f(v: float) -> ir.Constant:
    return ir.Constant(F32, v)


def _i(v: int) -> ir.Constant:
    return ir.Constant(I32, v)


def _fma(c, a, b, d):
    return c.intrinsic("fma", F32, [a, b, d])


def _horner(c, x, coeffs):
    p = _f(coeffs[0])
    for k in coeffs[1:]:
        p = _fma(c, p, x, _f(k))
    return p


def _pow2i(c, n):
    """2**n as a float for an i32 n in [-126, 127] (exponent bits)."""
    b = c.b
    return b.bitcast(b.shl(b.add(n, _i(127)), _i(23)), F32)


def exp_f32(c, x: ir.Value) -> ir.Value:
    """exp(x) within 2 ulp. x is clamped into [EXP_CLAMP_LO, EXP_CLAMP_HI] by selects that
    let NaN through (it stays NaN to the end: NaN times anything); the clamp bounds are
    outside the finite range, so overflow to inf and underflow to 0 come out of the
    exponent arithmetic itself, with no select per special case. n = round(x / ln 2) by
    the shifter trick (x * log2(e) + 1.5 * 2**23 rounds to an integer in the low mantissa
    bits), which also gives n's integer bits without a float-to-int conversion."""
    b = c.b
    xc = b.select(b.fcmp_unordered("<", x, _f(EXP_CLAMP_HI)), x, _f(EXP_CLAMP_HI))
    xc = b.select(b.fcmp_unordered(">", xc, _f(EXP_CLAMP_LO)), xc, _f(EXP_CLAMP_LO))
    t = _fma(c, xc, _f(LOG2E), _f(SHIFTER))
    n = b.fsub(t, _f(SHIFTER))  # exact: the rounded integer as a float
    r = _fma(c, n, _f(-LN2_HI), xc)
    r = _fma(c, n, _f(-LN2_LO), r)
    p = _horner(c, r, EXP_POLY)
    poly = _fma(c, _fma(c, p, r, _f(1.0)), r, _f(1.0))  # 1 + r * (1 + r * P(r))
    ni = b.sub(b.bitcast(t, I32), _i(SHIFTER_BITS))  # n in [-150, 128]
    if c.avx512:  # one vscalefps (after a vcvtdq2ps) instead of the nine below
        return c.ldexp(poly, ni)
    half = b.ashr(ni, _i(1))  # 2**n = 2**half * 2**(n-half): both factors stay normal
    return b.fmul(b.fmul(poly, _pow2i(c, half)), _pow2i(c, b.sub(ni, half)))


def log_f32(c, x: ir.Value) -> ir.Value:
    b = c.b
    tiny = b.fcmp_ordered("<", x, _f(1.1754943508222875e-38))  # denormal (or <= 0)
    xs = b.select(tiny, b.fmul(x, _f(8388608.0)), x)  # * 2**23
    bits = b.bitcast(xs, I32)
    e = b.sub(b.lshr(bits, _i(23)), _i(127))
    e = b.select(tiny, b.sub(e, _i(23)), e)
    m = b.bitcast(b.or_(b.and_(bits, _i(0x7FFFFF)), _i(0x3F800000)), F32)  # [1, 2)
    big = b.fcmp_ordered(">", m, _f(math.sqrt(2.0)))
    m = b.select(big, b.fmul(m, _f(0.5)), m)
    e = b.select(big, b.add(e, _i(1)), e)
    ef = b.sitofp(e, F32)
    t = b.fsub(m, _f(1.0))
    t2 = b.fmul(t, t)
    z = b.fmul(b.fmul(t, t2), _horner(c, t, LOG_POLY))
    z = _fma(c, ef, _f(-2.12194440e-4), z)
    z = _fma(c, t2, _f(-0.5), z)
    y = _fma(c, ef, _f(0.693359375), b.fadd(t, z))
    y = b.select(b.fcmp_ordered("==", x, _f(math.inf)), _f(math.inf), y)
    y = b.select(b.fcmp_ordered("==", x, _f(0.0)), _f(-math.inf), y)
    y = b.select(b.fcmp_ordered("<", x, _f(0.0)), _f(math.nan), y)
    return b.select(b.fcmp_unordered("uno", x, x), x, y)


def tanh_f32(c, x: ir.Value) -> ir.Value:
    b = c.b
    ax = c.intrinsic("fabs", F32, [x])
    x2 = b.fmul(x, x)
    small = _fma(c, b.fmul(x, x2), _horner(c, x2, TANH_POLY), x)  # |x| < 0.625
    small = c.intrinsic("copysign", F32, [small, x])  # tanh(-0) = -0
    e = exp_f32(c, b.fmul(ax, _f(2.0)))
    large = b.fsub(_f(1.0), b.fdiv(_f(2.0), b.fadd(e, _f(1.0))))
    large = c.intrinsic("copysign", F32, [large, x])
    y = b.select(b.fcmp_ordered("<", ax, _f(0.625)), small, large)
    return b.select(b.fcmp_unordered("uno", x, x), x, y)
