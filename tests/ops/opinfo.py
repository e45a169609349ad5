"""An OpInfo table: each torsh op with its numpy reference (PyTorch semantics), the dtypes
it supports, and how to make sample inputs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import torsh

FLOATS = ("float32", "float64")
INTS = ("int32", "int64")
NUMERIC = FLOATS + INTS
ALL = NUMERIC + ("bool",)

TOL = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}
_erf = np.vectorize(math.erf, otypes=[np.float64])


def np_result_dtype(*dts: str) -> np.dtype:
    """PyTorch's promotion for same-rank tensor operands (numpy's for these cases)."""
    return np.result_type(*[np.dtype(d if d != "bool" else np.bool_) for d in dts])


def sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def gelu(x):
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def float_of(x):
    return x if x.dtype.kind == "f" else x.astype(np.float32)


@dataclass
class OpInfo:
    name: str
    op: Callable  # on torsh tensors
    ref: Callable  # on numpy arrays
    dtypes: tuple[str, ...]
    arity: int = 1
    domain: str = "any"  # "positive", "nonzero" input restrictions for floats
    unsupported: tuple[str, ...] = ()  # dtypes that must raise torsh.DTypeError
    shapes: tuple = field(default_factory=lambda: ((), (0,), (5,), (3, 4), (2, 3, 4)))


def _u(name, ref, dtypes=ALL, **kw):
    return OpInfo(name, getattr(torsh, name), ref, dtypes, 1, **kw)


def _b(name, fn, ref, dtypes=NUMERIC, **kw):
    return OpInfo(name, fn, ref, dtypes, 2, **kw)


OPS = [
    _u("neg", np.negative, NUMERIC, unsupported=("bool",)),
    _u("abs", np.abs, NUMERIC),
    _u("sign", np.sign, NUMERIC),
    _u("relu", lambda x: np.where(np.isnan(x) | (x > 0), x, 0).astype(x.dtype), NUMERIC),
    _u("floor", np.floor, FLOATS), _u("ceil", np.ceil, FLOATS), _u("round", np.round, FLOATS),
    _u("exp", lambda x: np.exp(float_of(x)), ALL),
    _u("log", lambda x: np.log(float_of(x)), ALL, domain="positive"),
    _u("log1p", lambda x: np.log1p(float_of(x)), FLOATS, domain="positive"),
    _u("expm1", lambda x: np.expm1(float_of(x)), FLOATS),
    _u("sqrt", lambda x: np.sqrt(float_of(x)), ALL, domain="positive"),
    _u("rsqrt", lambda x: 1 / np.sqrt(float_of(x)), FLOATS, domain="positive"),
    _u("sin", lambda x: np.sin(float_of(x)), FLOATS),
    _u("cos", lambda x: np.cos(float_of(x)), FLOATS),
    _u("tanh", lambda x: np.tanh(float_of(x)), FLOATS),
    _u("sigmoid", lambda x: sigmoid(float_of(x)), FLOATS),
    _u("gelu", lambda x: gelu(float_of(x)), FLOATS),
    _u("silu", lambda x: float_of(x) * sigmoid(float_of(x)), FLOATS),
    _u("erf", lambda x: _erf(float_of(x)), FLOATS),
    OpInfo("clamp", lambda x: torsh.clamp(x, -0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), FLOATS),
    _b("add", lambda a, b: a + b, np.add, ALL),
    _b("sub", lambda a, b: a - b, np.subtract, unsupported=("bool",)),
    _b("mul", lambda a, b: a * b, np.multiply, ALL),
    _b("div", lambda a, b: a / b, lambda a, b: np.true_divide(float_of(a), float_of(b)), FLOATS,
       domain="nonzero"),
    _b("pow", lambda a, b: a ** b, np.power, FLOATS, domain="positive"),
    _b("maximum", torsh.maximum, np.maximum), _b("minimum", torsh.minimum, np.minimum),
    _b("eq", lambda a, b: a == b, np.equal, ALL), _b("ne", lambda a, b: a != b, np.not_equal, ALL),
    _b("lt", lambda a, b: a < b, np.less), _b("le", lambda a, b: a <= b, np.less_equal),
    _b("gt", lambda a, b: a > b, np.greater), _b("ge", lambda a, b: a >= b, np.greater_equal),
    _b("logical_and", torsh.logical_and, np.logical_and, ALL),
    _b("logical_or", torsh.logical_or, np.logical_or, ALL),
    _b("logical_xor", torsh.logical_xor, np.logical_xor, ALL),
    _b("where", lambda a, b: torsh.where(a > b, a, b), lambda a, b: np.where(a > b, a, b)),
]

def _acc(x):
    """torch sums and products integers (and bools) in int64."""
    return x.dtype if x.dtype.kind == "f" else np.int64


REDUCTIONS = [
    ("sum", lambda t, d, k: t.sum(d, keepdim=k),
     lambda x, d, k: np.sum(x, axis=d, keepdims=k, dtype=_acc(x)),
     NUMERIC + ("bool",)),
    ("mean", lambda t, d, k: t.mean(d, keepdim=k), lambda x, d, k: np.mean(x, axis=d, keepdims=k),
     FLOATS),
    ("prod", lambda t, d, k: t.prod(d, keepdim=k),
     lambda x, d, k: np.prod(x, axis=d, keepdims=k, dtype=_acc(x)),
     NUMERIC),
    ("amax", lambda t, d, k: t.amax(d, keepdim=k), lambda x, d, k: np.max(x, axis=d, keepdims=k),
     NUMERIC),
    ("amin", lambda t, d, k: t.amin(d, keepdim=k), lambda x, d, k: np.min(x, axis=d, keepdims=k),
     NUMERIC),
    ("var", lambda t, d, k: t.var(d, keepdim=k),
     lambda x, d, k: np.var(x, axis=d, ddof=1, keepdims=k), FLOATS),
    ("std", lambda t, d, k: t.std(d, keepdim=k),
     lambda x, d, k: np.std(x, axis=d, ddof=1, keepdims=k), FLOATS),
    ("logsumexp", lambda t, d, k: torsh.logsumexp(t, d, keepdim=k),
     lambda x, d, k: np.log(np.sum(np.exp(x), axis=d, keepdims=k)), FLOATS),
]


def make_input(shape, dtype: str, rng, domain: str = "any", special: bool = False) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype in INTS:
        x = rng.integers(-5, 6, size=shape).astype(dtype)
        if domain in ("positive", "nonzero"):
            x = np.abs(x) + 1
        return x
    x = rng.standard_normal(shape).astype(dtype)
    if domain == "positive":
        x = np.abs(x) + 0.1
    elif domain == "nonzero":
        x = np.where(np.abs(x) < 0.1, 0.5, x).astype(dtype)
    if special and x.size >= 4 and domain == "any":
        flat = x.reshape(-1)
        flat[:4] = [np.nan, np.inf, -np.inf, -0.0]
    return x
