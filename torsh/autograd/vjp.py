"""The autodiff row of the op table: one vector-Jacobian product rule per differentiable
IR op, written in torsh ops, so gradients are lazy graphs that fuse and compile like any
other (and are themselves differentiable: higher-order gradients work).

``VJP[op](inputs, attrs, g)`` returns one gradient (or None) per input; ``g`` has the
op's result shape. Ops absent from ``VJP`` and listed in ``NOT_DIFFERENTIABLE`` produce no
gradient (comparisons, logical ops, argmax, integer casts).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from torsh import dtypes
from torsh._tensor import Tensor
from torsh.ops import elementwise as E
from torsh.ops import reduce as R
from torsh.ops import shape as S
from torsh.ops._core import cast, constant
from torsh.ops.linalg import matmul

Rule = Callable[[list, dict, Tensor], list]
VJP: dict[str, Rule] = {}
NOT_DIFFERENTIABLE = frozenset({
    "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "xor", "not", "argmax", "argmin",
    "constant",
})


def rule(*names: str):
    def deco(fn: Rule) -> Rule:
        for n in names:
            VJP[n] = fn
        return fn

    return deco


def unbroadcast(g: Tensor, shape) -> Tensor:
    """Sum ``g`` down to ``shape`` (the adjoint of broadcasting)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.ndim - len(shape)
    axes = list(range(lead)) + [lead + i for i, d in enumerate(shape)
                                if d == 1 and g.shape[lead + i] != 1]
    out = R.sum(g, axes, keepdim=True) if axes else g
    return S.reshape(out, shape)


def _zeros(x: Tensor) -> Tensor:
    return S.expand(constant(0, x.dtype), x.shape) if x.ndim else constant(0, x.dtype)


def _ones_like(x: Tensor) -> Tensor:
    return S.expand(constant(1, x.dtype), x.shape) if x.ndim else constant(1, x.dtype)


# ------------------------------------------------------------------------ elementwise

@rule("neg")
def _neg(x, a, g):
    return [E.neg(g)]


@rule("abs")
def _abs(x, a, g):
    return [E.mul(g, E.sign(x[0]))]


@rule("sign", "floor", "ceil", "round")
def _zero_grad(x, a, g):
    return [_zeros(x[0])]


@rule("relu")
def _relu(x, a, g):
    return [E.where(E.gt(x[0], 0), g, 0.0)]


@rule("exp")
def _exp(x, a, g):
    return [E.mul(g, E.exp(x[0]))]


@rule("expm1")
def _expm1(x, a, g):
    return [E.mul(g, E.exp(x[0]))]


@rule("log")
def _log(x, a, g):
    return [E.div(g, x[0])]


@rule("log1p")
def _log1p(x, a, g):
    return [E.div(g, E.add(x[0], 1))]


@rule("sqrt")
def _sqrt(x, a, g):
    return [E.div(E.mul(g, 0.5), E.sqrt(x[0]))]


@rule("rsqrt")
def _rsqrt(x, a, g):
    return [E.mul(E.mul(g, -0.5), E.div(E.rsqrt(x[0]), x[0]))]


@rule("sin")
def _sin(x, a, g):
    return [E.mul(g, E.cos(x[0]))]


@rule("cos")
def _cos(x, a, g):
    return [E.neg(E.mul(g, E.sin(x[0])))]


@rule("tanh")
def _tanh(x, a, g):
    t = E.tanh(x[0])
    return [E.mul(g, E.sub(1, E.mul(t, t)))]


@rule("sigmoid")
def _sigmoid(x, a, g):
    s = E.sigmoid(x[0])
    return [E.mul(g, E.mul(s, E.sub(1, s)))]


@rule("silu")
def _silu(x, a, g):
    s = E.sigmoid(x[0])
    return [E.mul(g, E.add(s, E.mul(E.mul(x[0], s), E.sub(1, s))))]


@rule("gelu")
def _gelu(x, a, g):
    v = x[0]
    cdf = E.mul(E.add(E.erf(E.mul(v, 1 / math.sqrt(2))), 1), 0.5)
    pdf = E.mul(E.exp(E.mul(E.mul(v, v), -0.5)), 1 / math.sqrt(2 * math.pi))
    return [E.mul(g, E.add(cdf, E.mul(v, pdf)))]


@rule("erf")
def _erf(x, a, g):
    return [E.mul(g, E.mul(E.exp(E.neg(E.mul(x[0], x[0]))), 2 / math.sqrt(math.pi)))]


@rule("add")
def _add(x, a, g):
    return [unbroadcast(g, x[0].shape), unbroadcast(g, x[1].shape)]


@rule("sub")
def _sub(x, a, g):
    return [unbroadcast(g, x[0].shape), unbroadcast(E.neg(g), x[1].shape)]


@rule("mul")
def _mul(x, a, g):
    return [unbroadcast(E.mul(g, x[1]), x[0].shape), unbroadcast(E.mul(g, x[0]), x[1].shape)]


@rule("div")
def _div(x, a, g):
    num, den = x
    ga = E.div(g, den)
    gb = E.neg(E.div(E.mul(g, num), E.mul(den, den)))
    return [unbroadcast(ga, num.shape), unbroadcast(gb, den.shape)]


@rule("pow")
def _pow(x, a, g):
    base, ex = x
    ga = E.mul(E.mul(g, ex), E.pow(base, E.sub(ex, 1)))
    # d/db a**b = a**b log a; torch defines it as 0 where a == 0 (and b >= 0)
    gb = E.where(E.eq(base, 0), 0.0, E.mul(E.mul(g, E.pow(base, ex)), E.log(base)))
    return [unbroadcast(ga, base.shape), unbroadcast(gb, ex.shape)]


def _minmax(pick):
    def fn(x, a, g):
        p, q = x
        win = cast(pick(p, q), g.dtype)
        tie = cast(E.eq(p, q), g.dtype)
        wa = E.add(win, E.mul(tie, 0.5))  # ties split the gradient evenly, as torch
        wb = E.sub(E.sub(1, win), E.mul(tie, 0.5))
        return [unbroadcast(E.mul(g, wa), p.shape), unbroadcast(E.mul(g, wb), q.shape)]

    return fn


VJP["maximum"] = _minmax(E.gt)
VJP["minimum"] = _minmax(E.lt)


@rule("where")
def _where(x, a, g):
    c, p, q = x
    return [None, unbroadcast(E.where(c, g, 0.0), p.shape),
            unbroadcast(E.where(c, 0.0, g), q.shape)]


@rule("cast")
def _cast(x, a, g):
    src = x[0]
    if not src.dtype.is_floating_point or not a["dtype"].is_float:
        return [None]
    return [cast(g, src.dtype)]


# --------------------------------------------------------------------------- reductions

def _expand_back(g: Tensor, x: Tensor, a: dict) -> Tensor:
    axes = a["axes"]
    if not a["keepdim"]:
        shape = [1 if i in axes else d for i, d in enumerate(x.shape)]
        g = S.reshape(g, shape)
    return S.expand(g, x.shape)


@rule("sum")
def _sum(x, a, g):
    return [_expand_back(g, x[0], a)]


@rule("mean")
def _mean(x, a, g):
    n = 1
    for ax in a["axes"]:
        n *= x[0].shape[ax]
    return [E.div(_expand_back(g, x[0], a), max(n, 1))]


@rule("prod")
def _prod(x, a, g):
    # prod / x is exact while x has no zeros (the zero case needs exclusive products)
    p = _expand_back(Tensor._lazy("prod", [x[0]], a), x[0], a)
    return [E.div(E.mul(_expand_back(g, x[0], a), p), x[0])]


def _extreme(op):
    def fn(x, a, g):
        v = x[0]
        m = _expand_back(Tensor._lazy(op, [v], a), v, a)
        hit = cast(E.eq(v, m), g.dtype)
        count = _expand_back(R.sum(hit, a["axes"], keepdim=a["keepdim"]), v, a)
        return [E.div(E.mul(_expand_back(g, v, a), hit), count)]

    return fn


VJP["max"] = _extreme("max")
VJP["min"] = _extreme("min")


# ---------------------------------------------------------------------- linear algebra

@rule("matmul")
def _matmul(x, a, g):
    p, q = x
    ga = matmul(g, S.transpose(q, -1, -2))
    gb = matmul(S.transpose(p, -1, -2), g)
    return [unbroadcast(ga, p.shape), unbroadcast(gb, q.shape)]


# ----------------------------------------------------------------------------- movement

@rule("reshape")
def _reshape(x, a, g):
    return [S.reshape(g, x[0].shape)]


@rule("permute")
def _permute(x, a, g):
    dims = a["dims"]
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return [S.permute(g, inverse)]


@rule("expand")
def _expand(x, a, g):
    return [unbroadcast(g, x[0].shape)]


@rule("slice")
def _slice(x, a, g):
    return [Tensor._lazy("insert_slice", [g], {"shape": tuple(x[0].shape), "start": a["start"],
                                               "stop": a["stop"], "step": a["step"]})]


@rule("insert_slice")
def _insert_slice(x, a, g):
    return [Tensor._lazy("slice", [g], {"start": a["start"], "stop": a["stop"],
                                        "step": a["step"]})]


@rule("concat")
def _concat(x, a, g):
    axis, start, out = a["axis"], 0, []
    for t in x:
        out.append(S.narrow(g, axis, start, t.shape[axis]))
        start += t.shape[axis]
    return out


def _one_hot(index: Tensor, n: int, dtype) -> Tensor:
    """index (any shape) -> (*index.shape, n) with 1 where the last coordinate == index."""
    from torsh.ops.creation import arange

    return cast(E.eq(S.unsqueeze(index, -1), arange(n)), dtype)


@rule("take")
def _take(x, a, g):
    src, index = x
    axis = a["axis"] % src.ndim
    n = src.shape[axis]
    pre = math.prod(src.shape[:axis])
    post = math.prod(src.shape[axis + 1:])
    k = index.numel()
    # grad_src[p, j, q] = sum_i [index_i == j] g[p, i, q]: a matmul with a one-hot matrix
    g2 = S.permute(S.reshape(g, (pre, k, post)), (0, 2, 1))
    hot = _one_hot(S.reshape(index, (k,)), n, g.dtype)
    out = S.permute(matmul(g2, hot), (0, 2, 1))
    return [S.reshape(out, src.shape), None]


@rule("gather")
def _gather(x, a, g):
    from torsh.ops.creation import arange

    src, index = x
    if src.ndim == 0:
        return [g, None]
    axis = a["axis"] % src.ndim
    n = src.shape[axis]
    # hot[.., k, j, ..] = [index[.., k, ..] == j]  (k at `axis`, j at `axis + 1`)
    js = S.reshape(arange(n), [1] * (axis + 1) + [n] + [1] * (src.ndim - axis - 1))
    hot = cast(E.eq(S.unsqueeze(index, axis + 1), js), g.dtype)
    # grad[.., j, ..] = sum_k hot[.., k, j, ..] * g[.., k, ..]
    grad = R.sum(E.mul(hot, S.unsqueeze(g, axis + 1)), [axis], keepdim=False)
    if tuple(grad.shape) != tuple(src.shape):  # the index covers part of the other dims
        grad = Tensor._lazy("insert_slice", [grad], {
            "shape": tuple(src.shape), "start": (0,) * src.ndim, "stop": tuple(grad.shape),
            "step": (1,) * src.ndim})
    return [grad, None]


def differentiable(op: str, out_dtype) -> bool:
    return op in VJP and out_dtype.is_float


__all__ = ["VJP", "NOT_DIFFERENTIABLE", "unbroadcast", "differentiable", "dtypes"]
