"""numpy references with PyTorch's semantics for the front-end tests: dtype names and
promotion (written independently of torsh), torsh's documented casts, the per-op
references of the OpInfo table, and the comparison helpers (torch's default tolerances).
"""

from __future__ import annotations

import math

import numpy as np

FLOATS = ("float32", "float64")
INTS = ("int32", "int64")
ALL = FLOATS + INTS + ("bool",)
NUMERIC = FLOATS + INTS
HALF = ("float16", "bfloat16")

# torch's default tolerances (torch.testing.assert_close)
TOL = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7), "float16": (1e-3, 1e-5),
       "bfloat16": (1.6e-2, 1e-5)}

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5,
                    1e-3, 7.25, -30.0, 1e30, -1e30])


def special(dtype: str) -> np.ndarray:
    """The special values in ``dtype`` (1e30 overflows to inf in float16)."""
    with np.errstate(over="ignore"):
        return SPECIAL.astype(np_dtype(dtype))


# ------------------------------------------------------------------------ dtypes, promotion

def dtype_name(x) -> str:
    """'float32', 'int64', 'bool', ... of a numpy array/dtype or a torsh/torch dtype."""
    if isinstance(x, np.ndarray) or isinstance(x, np.generic):
        x = x.dtype
    if isinstance(x, np.dtype):
        return "bool" if x == np.bool_ else x.name
    return str(x).split(".")[-1]


_KIND = {"bool": 0, "int32": 1, "int64": 1, "float16": 2, "bfloat16": 2, "float32": 2,
         "float64": 2}
_SIZE = {"bool": 1, "int32": 4, "int64": 8, "float16": 2, "bfloat16": 2, "float32": 4,
         "float64": 8}


def promote(a: str, b: str) -> str:
    """torch.promote_types on dtype names."""
    if a == b:
        return a
    if _KIND[a] != _KIND[b]:
        return a if _KIND[a] > _KIND[b] else b
    if {a, b} == {"float16", "bfloat16"}:
        return "float32"
    return a if _SIZE[a] >= _SIZE[b] else b


def result_dtype(*operands) -> str:
    """torch.result_type, written independently of torsh: dimensioned tensors outrank 0-d
    tensors, which outrank Python numbers, unless a lower tier is of a higher category
    (bool < int < float); a Python float then gives the default dtype (float32)."""
    tiers: list[str | None] = [None, None, None]
    for x in operands:
        if isinstance(x, (np.ndarray, np.generic)):  # a numpy scalar: a 0-d tensor
            tier, d = (0 if x.ndim else 1), dtype_name(x)
        elif isinstance(x, bool):
            tier, d = 2, "bool"
        elif isinstance(x, int):
            tier, d = 2, "int64"
        elif isinstance(x, float):
            tier, d = 2, "float32"
        else:
            raise TypeError(type(x))
        tiers[tier] = d if tiers[tier] is None else promote(tiers[tier], d)
    out = None
    for d in tiers:
        if d is not None and (out is None or _KIND[d] > _KIND[out]):
            out = d
    return out


def np_dtype(name: str):
    return np.float32 if name == "bfloat16" else np.dtype(name if name != "bool" else np.bool_)


def round_bf16(x: np.ndarray) -> np.ndarray:
    """float32 values rounded to bfloat16 (nearest even), independent of torsh's helper."""
    f = np.array(x, dtype=np.float32)  # a copy; stays 0-d for 0-d input
    bits = f.reshape(-1).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    out = rounded.astype(np.uint32).view(np.float32).reshape(f.shape)
    return np.where(np.isnan(f), f, out).astype(np.float32)


def as_dtype(x, name: str) -> np.ndarray:
    """x (array or Python number) as an array of dtype ``name`` (bf16: rounded float32)."""
    with np.errstate(all="ignore"):
        arr = np.asarray(x).astype(np_dtype(name))
    return round_bf16(arr) if name == "bfloat16" else arr


def cast_ref(x: np.ndarray, name: str) -> np.ndarray:
    """torsh's documented cast: float -> int truncates toward zero and NaN/inf/out-of-range
    become 0 (C leaves them undefined; torch gives platform garbage there); -> bool is
    x != 0 (NaN is True)."""
    x = np.asarray(x)
    with np.errstate(all="ignore"):
        if name in INTS and x.dtype.kind == "f":
            half = 2.0 ** (8 * np.dtype(name).itemsize - 1)
            wide = x.astype(np.float64)
            ok = (wide >= -half) & (wide < half)
            return np.where(ok, np.trunc(np.where(ok, wide, 0)), 0).astype(name)
        if name == "bool":
            return x != 0
        return as_dtype(x, name)


# ------------------------------------------------------------------------------ references

def _f64(x):
    return np.asarray(x).astype(np.float64)


def float_unary_ref(f):
    """Float ops: ints and bools promote to float32; computed in float64, rounded back."""
    def ref(x):
        dt = dtype_name(x) if dtype_name(x) in FLOATS + HALF else "float32"
        with np.errstate(all="ignore"):
            return as_dtype(f(_f64(x)), dt)

    return ref


def same_unary_ref(f):
    """Ops whose result has the input's dtype (ints stay ints)."""
    def ref(x):
        x = np.asarray(x)
        dt = dtype_name(x)
        with np.errstate(all="ignore"):
            if dt in FLOATS + HALF:
                return as_dtype(f(_f64(x)), dt)
            return np.asarray(f(x)).astype(x.dtype)

    return ref


def binary_ref(f, kind: str = "arith"):
    """kind: 'arith' (promoted dtype), 'float' (ints -> float32), 'compare' (-> bool)."""
    def ref(a, b):
        dt = result_dtype(a, b)
        if kind == "float" and dt not in FLOATS + HALF:
            dt = "float32"
        x, y = as_dtype(a, dt), as_dtype(b, dt)
        with np.errstate(all="ignore"):
            if kind == "compare":
                return np.asarray(f(x, y))
            if dt in FLOATS + HALF:
                return as_dtype(f(_f64(x), _f64(y)), dt)
            return np.asarray(f(x, y)).astype(dt)

    return ref


def bool_arith(f_num, f_bool):
    """add/mul: bool + bool is logical (torch: or / and)."""
    num = binary_ref(f_num)

    def ref(a, b):
        if result_dtype(a, b) == "bool":
            return np.asarray(f_bool(np.asarray(a, bool), np.asarray(b, bool)))
        return num(a, b)

    return ref


def pow_ref(a, b):
    dt = result_dtype(a, b)
    x, y = as_dtype(a, dt), as_dtype(b, dt)
    with np.errstate(all="ignore"):
        if dt in FLOATS + HALF:
            return as_dtype(np.power(_f64(x), _f64(y)), dt)
        return np.power(x.astype(np.int64), y.astype(np.int64)).astype(dt)


def np_erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x) if np.size(x) else _f64(x)


def np_sigmoid(x):
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def np_relu(x):
    return np.where(np.isnan(x) | (x > 0), x, np.zeros_like(x)) if x.dtype.kind == "f" \
        else np.maximum(x, 0)


def _axes(x, dim):
    if dim is None:
        return tuple(range(x.ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(d % max(x.ndim, 1) for d in dims) if x.ndim else ()


def reduce_ref(f, out: str):
    """out: 'same' (input dtype; int/bool sums -> int64 when 'sum'), 'int64', 'float'."""
    def ref(x, dim=None, keepdim=False):
        x = np.asarray(x)
        dt = dtype_name(x)
        axes = _axes(x, dim)
        if out == "bool":
            return np.asarray(f(x != 0, axis=axes, keepdims=keepdim))
        if out == "sum":
            odt = dt if dt in FLOATS + HALF else "int64"
        elif out == "float":
            odt = dt if dt in FLOATS + HALF else "float32"
        else:
            odt = dt
        data = _f64(x) if odt in FLOATS + HALF else x.astype(odt)
        with np.errstate(all="ignore"):
            r = f(data, axis=axes, keepdims=keepdim)
        return as_dtype(r, odt)

    return ref


def extreme_ref(kind: str):
    """max/min: the whole tensor, or (values, indices) along a dim (first extreme; NaN
    propagates and its first occurrence is the index)."""
    red = np.max if kind == "max" else np.min
    arg_ = np.argmax if kind == "max" else np.argmin

    def ref(x, dim=None, keepdim=False):
        x = np.asarray(x)
        if dim is None:
            return red(x)
        ax = dim % max(x.ndim, 1) if x.ndim else None
        if x.ndim == 0:
            return x.copy(), np.array(0, np.int64)
        v = red(x, axis=ax, keepdims=keepdim)
        i = _nan_first_arg(x, ax, arg_)
        return v, (np.expand_dims(i, ax) if keepdim else i).astype(np.int64)

    return ref


def _nan_first_arg(x, ax, arg_):
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        first_nan = np.argmax(nan, axis=ax)
        return np.where(nan.any(axis=ax), first_nan, arg_(np.where(nan, 0, x), axis=ax))
    return arg_(x, axis=ax)


def arg_ref(kind: str):
    arg_ = np.argmax if kind == "max" else np.argmin

    def ref(x, dim=None, keepdim=False):
        x = np.asarray(x)
        if dim is None:
            i = _nan_first_arg(x.reshape(-1), 0, arg_)
            return np.asarray(i, np.int64).reshape((1,) * x.ndim if keepdim else ())
        if x.ndim == 0:
            return np.array(0, np.int64)
        ax = dim % x.ndim
        i = _nan_first_arg(x, ax, arg_)
        return (np.expand_dims(i, ax) if keepdim else i).astype(np.int64)

    return ref


def var_ref(take_sqrt: bool):
    def ref(x, dim=None, keepdim=False, correction=1):
        x = np.asarray(x)
        dt = dtype_name(x) if dtype_name(x) in FLOATS + HALF else "float32"
        axes = _axes(x, dim)
        n = math.prod(x.shape[a] for a in axes)
        d = _f64(x)
        with np.errstate(all="ignore"):
            mean = np.mean(d, axis=axes, keepdims=True) if n else np.full(
                [1 if i in axes else s for i, s in enumerate(x.shape)], np.nan)
            ss = np.sum((d - mean) ** 2, axis=axes, keepdims=keepdim)
            v = ss / max(n - correction, 0)
            return as_dtype(np.sqrt(v) if take_sqrt else v, dt)

    return ref


def _shift(d, axes):
    """The max of each reduced slice, 0 where it is infinite or the slice is empty (the
    same guard as torch's logsumexp, so a row of -inf gives -inf, not NaN)."""
    if any(d.shape[a] == 0 for a in axes):
        return np.zeros([1 if i in axes else s for i, s in enumerate(d.shape)])
    m = np.max(d, axis=axes, keepdims=True)
    return np.where(np.isinf(m), 0.0, m)


def logsumexp_ref(x, dim, keepdim=False):
    x = np.asarray(x)
    dt = dtype_name(x) if dtype_name(x) in FLOATS + HALF else "float32"
    d, axes = _f64(x), _axes(x, dim)
    with np.errstate(all="ignore"):
        m = _shift(d, axes)
        out = np.log(np.sum(np.exp(d - m), axis=axes, keepdims=True)) + m
    return as_dtype(out if keepdim else np.squeeze(out, axis=axes), dt)


def softmax_ref(log: bool):
    def ref(x, dim, keepdim=None):  # keepdim: the reduction samples pass it; unused
        x = np.asarray(x)
        dt = dtype_name(x) if dtype_name(x) in FLOATS + HALF else "float32"
        d, axes = _f64(x), _axes(x, dim)
        with np.errstate(all="ignore"):
            if d.ndim and d.shape[axes[0]] == 0:
                m = 0.0
            else:
                m = np.max(d, axis=axes, keepdims=True)  # no inf guard here, as torch
            e = np.exp(d - m)
            s = np.sum(e, axis=axes, keepdims=True)
            out = (d - m) - np.log(s) if log else e / s
        return as_dtype(out, dt)

    return ref


def matmul_ref(a, b):
    a, b = np.asarray(a), np.asarray(b)
    dt = dtype_name(a)
    with np.errstate(all="ignore"):
        if dt in FLOATS + HALF:
            return as_dtype(np.matmul(_f64(a), _f64(b)), dt)
        return np.matmul(a.astype(np.int64), b.astype(np.int64)).astype(dt)


def clamp_ref(x, min=None, max=None):  # noqa: A002
    dt = result_dtype(x, *(v for v in (min, max) if v is not None))
    out = as_dtype(x, dt)
    with np.errstate(all="ignore"):
        if min is not None:
            out = np.maximum(out, as_dtype(min, dt))
        if max is not None:
            out = np.minimum(out, as_dtype(max, dt))
    return as_dtype(out, dt)


def where_ref(c, a, b):
    dt = result_dtype(a, b)
    return as_dtype(np.where(np.asarray(c, bool), as_dtype(a, dt), as_dtype(b, dt)), dt)


# ----------------------------------------------------------------- movement references

def np_split(x, size_or_sections, dim=0):
    n = x.shape[dim]
    if isinstance(size_or_sections, int):
        edges = list(range(size_or_sections, n, size_or_sections))
    else:
        edges = list(np.cumsum(size_or_sections)[:-1])
    return tuple(np.split(x, edges, axis=dim)) if n else (x,)


def np_chunk(x, chunks, dim=0):
    n = x.shape[dim]
    return np_split(x, max(1, -(-n // chunks)), dim)


def np_gather(x, dim, index):
    """torch.gather: the index may be smaller than the input in the other dims."""
    x = np.asarray(x)
    axis = dim % x.ndim
    sub = x[tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(index.shape))]
    return np.take_along_axis(sub, index, axis=axis)


def np_squeeze(x, *d):
    x = np.asarray(x)
    if not d:
        return np.squeeze(x)
    if x.ndim == 0:
        return x
    dims = d[0] if isinstance(d[0], tuple) else d
    axes = tuple(a % x.ndim for a in dims if x.shape[a] == 1)
    return np.squeeze(x, axis=axes) if axes else x


def np_index_select(x, dim, index):
    return np.take(x, index, axis=dim)


def tensor_default_dtype(d) -> str:
    """torch.tensor's inferred dtype: numpy data keeps its dtype; Python bools -> bool,
    ints -> int64, floats -> the default float32."""
    if isinstance(d, (np.ndarray, np.generic)):
        return dtype_name(d)
    arr = np.asarray(d)
    if arr.dtype == np.bool_:
        return "bool"
    return "int64" if arr.dtype.kind in "iu" else "float32"


# ------------------------------------------------------------------------- comparisons

def expected_list(expected) -> list:
    return list(expected) if isinstance(expected, (tuple, list)) else [expected]


def assert_matches(out, expected, rtol: float | None = None, what: str = "") -> None:
    """A torsh result (tensor or sequence of tensors) equals a numpy reference: dtype and
    shape exactly, values at torch's default tolerance (ints and bools exactly), with NaN
    equal to NaN."""
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    exps = expected_list(expected)
    assert len(outs) == len(exps), f"{what}: {len(outs)} results, expected {len(exps)}"
    for k, (o, e) in enumerate(zip(outs, exps)):
        e = np.asarray(e)
        name = dtype_name(o.dtype)
        e_name = "bool" if e.dtype == np.bool_ else e.dtype.name
        if name != "bfloat16":
            assert name == e_name, f"{what}[{k}]: dtype {name}, expected {e_name}"
        assert tuple(o.shape) == e.shape, f"{what}[{k}]: shape {tuple(o.shape)} != {e.shape}"
        got = o.numpy()
        assert got.shape == e.shape
        _assert_values(got, e, name, rtol, f"{what}[{k}]")


def _assert_values(got: np.ndarray, expected: np.ndarray, name: str, rtol: float | None,
                   what: str) -> None:
    """Floats at torch's default tolerance for dtype ``name`` (NaN equals NaN); ints and
    bools exactly."""
    if name in TOL:
        r, a = TOL[name]
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                                   rtol=rtol or r, atol=a, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def assert_torch_matches(out, expected, rtol: float | None = None, what: str = "") -> None:
    """A torch result equals the numpy reference (validates the reference itself)."""
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    exps = expected_list(expected)
    assert len(outs) == len(exps)
    for k, (o, e) in enumerate(zip(outs, exps)):
        e = np.asarray(e)
        name = dtype_name(o.dtype)
        assert name == ("bool" if e.dtype == np.bool_ else e.dtype.name), f"{what}[{k}] dtype"
        got = o.float().numpy() if name == "bfloat16" else o.numpy()
        assert got.shape == e.shape, f"{what}[{k}]: torch shape {got.shape} != {e.shape}"
        _assert_values(got, e, name, rtol, f"{what}[{k}]")
