"""Sample inputs of the OpInfo table: realized leaves plus the (lazy, non-contiguous) view
of them an op reads, built the same way for torsh, torch and numpy, and the generators of
ordinary, 0-d, empty, broadcast, non-contiguous and special-value samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import torsh
from tests.frontend.references import (
    ALL,
    FLOATS,
    HALF,
    INTS,
    as_dtype,
    dtype_name,
    np_dtype,
    special,
)

# ------------------------------------------------------------------------------ inputs

VIEWS: dict[str, tuple[Callable, Callable, Callable]] = {
    # name: (base shape for a view of `shape`, view for torsh/torch, view for numpy)
    "": (lambda s: s, lambda t, s: t, lambda a, s: a),
    "T": (lambda s: (s[-1],) + s[1:-1] + (s[0],), lambda t, s: t.transpose(0, -1),
          lambda a, s: np.swapaxes(a, 0, -1)),
    "permute": (lambda s: (s[1], s[2], s[0]), lambda t, s: t.permute(2, 0, 1),
                lambda a, s: np.transpose(a, (2, 0, 1))),
    "slice": (lambda s: (2 * s[0] + 1,) + s[1:], lambda t, s: t[1::2],
              lambda a, s: a[1::2]),
    "expand": (lambda s: (1,) + s[1:], lambda t, s: t.expand(*s),
               lambda a, s: np.broadcast_to(a, s)),
}


@dataclass
class Arg:
    """A tensor input: the data of a realized leaf and the (lazy, non-contiguous) view of it
    that the op reads."""

    base: np.ndarray
    view: str = ""
    dtype: str = ""  # the tensor's dtype (bf16 data is held as float32); default: base's
    shape: tuple = ()

    def __post_init__(self):
        self.dtype = self.dtype or dtype_name(self.base)
        if self.view == "":
            self.shape = self.base.shape

    def torsh(self):
        t = torsh.tensor(self.base, dtype=getattr(torsh, self.dtype))
        return VIEWS[self.view][1](t, self.shape)

    def torch(self):
        import torch

        t = torch.tensor(self.base, dtype=getattr(torch, self.dtype))
        return VIEWS[self.view][1](t, self.shape)

    def numpy(self):
        return VIEWS[self.view][2](as_dtype(self.base, self.dtype), self.shape)


@dataclass(frozen=True)
class D:
    """A dtype argument, converted per library (torsh.float32, torch.float32, numpy name)."""

    name: str


def values(rng: np.random.Generator, dtype: str, shape: tuple, domain: str = "real"):
    """Random data for a dtype: 'real', 'positive', 'nonzero' (divisors), 'unit' (-1, 1)."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in INTS:
        lo, hi = {"positive": (1, 7), "unit": (-1, 2), "exponent": (0, 4)}.get(domain, (-6, 7))
        out = rng.integers(lo, hi, size=shape)
        if domain == "nonzero":
            out = np.where(out == 0, 3, out)
        return out.astype(dtype)
    if domain == "positive":
        out = rng.uniform(0.1, 4.0, size=shape)
    elif domain == "unit":
        out = rng.uniform(-0.95, 0.95, size=shape)
    elif domain == "exponent":
        out = rng.uniform(-2.0, 2.0, size=shape)
    elif domain == "nonzero":
        out = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 3.0, size=shape)
    else:
        out = rng.standard_normal(shape) * 2.0
    return np.asarray(out).astype(np_dtype(dtype))


def arg(rng, dtype: str, shape: tuple, domain: str = "real", view: str = "") -> Arg:
    base_shape = VIEWS[view][0](tuple(shape))
    return Arg(values(rng, dtype, base_shape, domain), view, dtype, tuple(shape))


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    desc: str = ""
    special: bool = False  # holds NaN/Inf (torch differs from torsh's documented choice)


def _convert(x, how):
    if isinstance(x, Arg):
        return how(x)
    if isinstance(x, tuple):
        return tuple(_convert(v, how) for v in x)
    if isinstance(x, D):
        return how(x)
    return x


def to_torsh(x):
    return _convert(x, lambda a: getattr(torsh, a.name) if isinstance(a, D) else a.torsh())


def to_torch(x):
    import torch

    return _convert(x, lambda a: getattr(torch, a.name) if isinstance(a, D) else a.torch())


def to_numpy(x):
    return _convert(x, lambda a: a.name if isinstance(a, D) else a.numpy())


# ------------------------------------------------------------------------ sample generators

def unary_samples(domain: str = "real", large: bool = True):
    def gen(dtype, rng):
        out = [Sample((arg(rng, dtype, (2, 3), domain),), desc="2x3"),
               Sample((arg(rng, dtype, (), domain),), desc="0d"),
               Sample((arg(rng, dtype, (0, 3), domain),), desc="empty"),
               Sample((arg(rng, dtype, (3, 4), domain, "T"),), desc="transposed"),
               Sample((arg(rng, dtype, (2, 3, 4), domain, "permute"),), desc="permuted"),
               Sample((arg(rng, dtype, (3, 5), domain, "slice"),), desc="sliced"),
               Sample((arg(rng, dtype, (4, 3), domain, "expand"),), desc="expanded")]
        if large and dtype == "float32":  # several threads and vector loops
            out.append(Sample((arg(rng, dtype, (300, 131), domain),), desc="large"))
        if dtype in FLOATS + HALF:
            out.append(Sample((Arg(special(dtype), dtype=dtype),),
                              desc="special", special=True))
        return out

    return gen


def binary_samples(lhs: str = "real", rhs: str = "real", scalars=(2, 2.5, True),
                   with_special: bool = True):
    def gen(dtype, rng):
        a = lambda shape, view="": arg(rng, dtype, shape, lhs, view)  # noqa: E731
        b = lambda shape, view="": arg(rng, dtype, shape, rhs, view)  # noqa: E731
        out = [Sample((a((2, 3)), b((2, 3))), desc="same"),
               Sample((a((2, 1)), b((3,))), desc="bcast"),
               Sample((a((3, 1, 4)), b((2, 1))), desc="bcast3d"),
               Sample((a(()), b((2, 3))), desc="0d-lhs"),
               Sample((a((2, 3)), b(())), desc="0d-rhs"),
               Sample((a(()), b(())), desc="0d-0d"),
               Sample((a((0, 3)), b((3,))), desc="empty"),
               Sample((a((2, 1)), b((2, 0))), desc="empty-bcast"),
               Sample((a((3, 4), "T"), b((3, 4), "slice")), desc="T-slice"),
               Sample((a((4, 3), "expand"), b((2, 4, 3), "permute")), desc="expand-permute")]
        if dtype == "float32":
            out.append(Sample((a((300, 131)), b((131,))), desc="large"))
        for s in scalars:
            out.append(Sample((a((2, 3)), s), desc=f"scalar-rhs-{s!r}"))
            out.append(Sample((s, b((2, 3))), desc=f"scalar-lhs-{s!r}"))
        if with_special and dtype in FLOATS + HALF:
            sp = special(dtype)
            out.append(Sample((Arg(sp[:, None], dtype=dtype), Arg(sp[None, :], dtype=dtype)),
                              desc="special", special=True))
        return out

    return gen


REDUCE_DIMS = (None, 0, -1, (0, 2), 1)


def reduction_samples(dims=REDUCE_DIMS, empty_reduce: bool = True, domain: str = "real",
                      special: bool = True):
    """x.op(dim=..., keepdim=...) samples; ``dims`` None means the whole tensor."""

    def gen(dtype, rng):
        x = lambda shape, view="": arg(rng, dtype, shape, domain, view)  # noqa: E731
        out = []
        for i, d in enumerate(dims):
            kw = {} if d is None else {"dim": d}
            if i == 2:
                kw["keepdim"] = True
            out.append(Sample((x((2, 3, 4)),), kw, desc=f"dim={d}-keep={i == 2}"))
        scalar_dim = [d for d in dims if d is not None][:1]
        out.append(Sample((x(()),), {} if None in dims else {"dim": 0}, desc="0d"))
        if scalar_dim:
            out.append(Sample((x(()),), {"dim": 0, "keepdim": True}, desc="0d-dim"))
        d0 = next(d for d in dims if d is not None and not isinstance(d, tuple))
        out.append(Sample((x((0, 3)),), {"dim": 1} if d0 is not None else {},
                          desc="empty-kept"))  # reduces a non-empty axis of an empty tensor
        if empty_reduce:
            out.append(Sample((x((0, 3)),), {} if None in dims else {"dim": 0},
                              desc="empty-reduced"))
        out.append(Sample((x((4, 3), "T"),), {"dim": d0}, desc="transposed"))
        out.append(Sample((x((3, 2, 4), "permute"),), {"dim": -1}, desc="permuted"))
        out.append(Sample((x((3, 4), "expand"),), {"dim": 0}, desc="expanded"))
        if dtype == "float32":
            out.append(Sample((x((64, 700)),), {"dim": -1}, desc="large"))
        if special and dtype in FLOATS + HALF:
            sp = np.array([[1.0, np.nan, 2.0, -1.0], [np.inf, 1.0, -np.inf, 0.0],
                           [3.0, -0.0, 2.0, 3.0], [-np.inf, -np.inf, -5.0, np.inf],
                           [np.nan, np.inf, np.nan, 1.0]], dtype=np_dtype(dtype))
            out.append(Sample((Arg(sp, dtype=dtype),), {"dim": d0}, desc="special",
                              special=True))
        return out

    return gen


# ------------------------------------------------------------ samples of single ops

def matmul_samples(dtype, rng):
    a = lambda shape, view="": arg(rng, dtype, shape, "real", view)  # noqa: E731
    out = [Sample((a((2, 3)), a((3, 4))), desc="2d"),
           Sample((a((3,)), a((3,))), desc="1d-1d"),
           Sample((a((3,)), a((3, 4))), desc="1d-2d"),
           Sample((a((2, 3)), a((3,))), desc="2d-1d"),
           Sample((a((2, 2, 3)), a((3,))), desc="3d-1d"),
           Sample((a((3,)), a((2, 3, 4))), desc="1d-3d"),
           Sample((a((2, 1, 2, 3)), a((4, 3, 5))), desc="batch-bcast"),
           Sample((a((2, 0)), a((0, 3))), desc="empty-k"),
           Sample((a((0, 3)), a((3, 2))), desc="empty-m"),
           Sample((a((2, 3), "T"), a((3, 4))), desc="T-lhs"),
           Sample((a((2, 3)), a((3, 4), "T")), desc="T-rhs"),
           Sample((a((2, 3), "slice"), a((4, 3, 2), "permute")), desc="slice-permute"),
           Sample((a((2, 3)), a((3, 4), "expand")), desc="expand-rhs")]
    if dtype == "float32":
        # float32 sums of 70 products accumulate ~sqrt(70) roundings of the partial sums
        # (torch and BLAS too); |x| < 1 keeps that inside the default atol.
        u = lambda shape: arg(rng, dtype, shape, "unit")  # noqa: E731
        out.append(Sample((u((33, 70)), u((70, 65))), desc="large"))
    if dtype in FLOATS:
        sp = np.array([[np.nan, 1.0], [np.inf, 0.0], [2.0, -np.inf]], dtype=dtype)
        out.append(Sample((Arg(sp), Arg(np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype))),
                          desc="special", special=True))
    return out


def shapes_samples(*specs):
    """Samples from (shape, view, kwargs-or-extra-args, desc) tuples."""
    def gen(dtype, rng):
        out = []
        for shape, view, extra, desc in specs:
            x = arg(rng, dtype, shape, "real", view)
            args, kw = (extra, {}) if isinstance(extra, tuple) else ((), extra)
            out.append(Sample((x,) + args, kw, desc=desc))
        return out

    return gen


def index_samples(dtype, rng):
    x = lambda shape, view="": arg(rng, dtype, shape, "real", view)  # noqa: E731
    i64 = lambda *v: Arg(np.array(v, dtype=np.int64).reshape(-1))  # noqa: E731
    return [
        Sample((x((4, 5)), 1), desc="int"),
        Sample((x((4, 5)), -1), desc="neg-int"),
        Sample((x((4, 5)), (slice(1, 3), slice(None, None, 2))), desc="slices"),
        Sample((x((4, 5)), (Ellipsis, 1)), desc="ellipsis"),
        Sample((x((2, 3, 4)), (1, Ellipsis, None)), desc="ellipsis-none"),
        Sample((x((4, 5)), (None, slice(None), None)), desc="none"),
        Sample((x((4, 5)), (slice(5, 10),)), desc="past-end"),
        Sample((x((4, 5)), (slice(3, 1),)), desc="empty-slice"),
        Sample((x(()), (Ellipsis,)), desc="0d-ellipsis"),
        Sample((x(()), (None,)), desc="0d-none"),
        Sample((x((4, 5), "T"), (slice(1, None), 2)), desc="transposed"),
        Sample((x((5, 4), "slice"), (slice(None, None, 2), slice(1, 3))), desc="slice-of-slice"),
        Sample((x((4, 5)), [0, 3, -1]), desc="list"),
        Sample((x((4, 5)), i64(2, 0, 2)), desc="int-tensor"),
        Sample((x((4, 5)), (slice(None), i64(4, -5))), desc="int-tensor-dim1"),
        Sample((x((4, 5)), (i64(0, 1), i64(2, 0))), desc="two-int-tensors"),
        Sample((x((4, 5)), Arg(np.array([[0, 1], [3, -1]], np.int64))), desc="2d-int-tensor"),
        Sample((x((4, 5)), Arg(np.array([True, False, True, True]))), desc="bool-mask"),
        Sample((x((0, 3)), i64()), desc="empty-index"),
    ]


def cat_samples(dtype, rng):
    x = lambda shape, view="": arg(rng, dtype, shape, "real", view)  # noqa: E731
    return [Sample(((x((2, 3)), x((2, 2))), 1), desc="dim1"),
            Sample(((x((2, 3)), x((1, 3)), x((3, 3))), -2), desc="three"),
            Sample(((x((0, 3)), x((2, 3))), 0), desc="empty-part"),
            Sample(((x((2, 3), "T"), x((2, 3), "slice")), 0), desc="noncontig"),
            Sample(((x((2, 3)),), 0), desc="single")]


def stack_samples(dtype, rng):
    x = lambda shape, view="": arg(rng, dtype, shape, "real", view)  # noqa: E731
    return [Sample(((x((2, 3)), x((2, 3))), 1), desc="dim1"),
            Sample(((x((2, 3)), x((2, 3))), -1), desc="dim-1"),
            Sample(((x(()), x(()), x(())), 0), desc="0d"),
            Sample(((x((0, 2)), x((0, 2))), 0), desc="empty"),
            Sample(((x((2, 3), "T"), x((2, 3), "expand")), 0), desc="noncontig")]


def gather_samples(dtype, rng):
    x = arg(rng, dtype, (3, 4))
    idx1 = Arg(rng.integers(0, 4, size=(3, 2)))
    idx0 = Arg(rng.integers(0, 3, size=(2, 4)))
    return [Sample((x, 1, idx1), desc="dim1"),
            Sample((x, 0, idx0), desc="dim0"),
            Sample((x, -1, Arg(np.array([[3], [0]], np.int64))), desc="smaller-index"),
            Sample((arg(rng, dtype, (3, 4), "real", "T"), 1, idx1), desc="transposed")]


def index_select_samples(dtype, rng):
    x = arg(rng, dtype, (3, 4))
    return [Sample((x, 1, Arg(np.array([3, 0, 0], np.int64))), desc="dim1"),
            Sample((x, 0, Arg(np.array([2], np.int64))), desc="dim0"),
            Sample((x, -1, Arg(np.array([], np.int64))), desc="empty-index"),
            Sample((arg(rng, dtype, (4, 3), "real", "T"), 0, Arg(np.array([1, 2]))),
                   desc="transposed")]


def cast_samples(dtype, rng):
    out = []
    for target in ALL:
        out.append(Sample((arg(rng, dtype, (2, 3)), D(target)), desc=f"to-{target}"))
    out.append(Sample((arg(rng, dtype, (3, 4), "real", "T"), D("int64")), desc="T-to-int64"))
    if dtype in FLOATS:
        sp = np.array([np.nan, np.inf, -np.inf, -0.0, 0.7, -0.7, -2.5, 3e9, -3e9, 1e20],
                      dtype=dtype)
        for target in ALL:
            out.append(Sample((Arg(sp), D(target)), desc=f"special-to-{target}",
                              special=target in INTS))
    return out
