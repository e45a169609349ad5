"""Movement ops (views in PyTorch; index arithmetic in torsh kernels) and indexing."""

from __future__ import annotations

import builtins
import math

import numpy as np

from torsh import dtypes
from torsh._tensor import Tensor, _dim
from torsh.errors import InvalidArgumentError, ShapeMismatchError, TorshIndexError
from torsh.ops._core import cast, shape_arg


def _lazy(op, srcs, **attrs) -> Tensor:
    return Tensor._lazy(op, srcs, attrs)


def reshape(x: Tensor, *shape) -> Tensor:
    shape = list(shape_arg(shape))
    n = x.numel()
    if shape.count(-1) > 1:
        raise InvalidArgumentError(f"reshape: only one dimension can be -1, got {shape}")
    if -1 in shape:
        rest = math.prod(d for d in shape if d != -1)
        if rest == 0 or n % rest:
            raise ShapeMismatchError(f"reshape: shape {shape} is invalid for input of size {n}")
        shape[shape.index(-1)] = n // rest
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"reshape: invalid shape {shape}")
    if math.prod(shape) != n:
        raise ShapeMismatchError(f"reshape: shape {list(shape)} is invalid for input of size "
                                 f"{n} (shape {list(x.shape)})")
    if tuple(shape) == tuple(x.shape):
        return x
    return _lazy("reshape", [x], shape=tuple(shape))


view = reshape


def permute(x: Tensor, *dims) -> Tensor:
    dims = shape_arg(dims)
    if len(dims) != x.ndim:
        raise InvalidArgumentError(f"permute: {len(dims)} dims given for a tensor of "
                                   f"{x.ndim} dims")
    dims = tuple(_dim(d, x.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise InvalidArgumentError(f"permute: dims {dims} repeat a dimension")
    if dims == tuple(range(x.ndim)):
        return x
    return _lazy("permute", [x], dims=dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    d0, d1 = _dim(dim0, x.ndim, "transpose"), _dim(dim1, x.ndim, "transpose")
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(x, dims)


swapaxes = transpose


def t(x: Tensor) -> Tensor:
    if x.ndim > 2:
        raise InvalidArgumentError(f"t() expects a tensor with <= 2 dims, got {x.ndim}")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def squeeze(x: Tensor, dim=None) -> Tensor:
    if dim is None:
        return reshape(x, [d for d in x.shape if d != 1])
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    dims = {_dim(d, x.ndim, "squeeze") for d in dims}  # 0-d: dim 0 and -1 are valid
    return reshape(x, [d for i, d in enumerate(x.shape) if not (i in dims and d == 1)])


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    d = _dim(dim, x.ndim + 1, "unsqueeze")
    shape = list(x.shape)
    shape.insert(d, 1)
    return reshape(x, shape)


def expand(x: Tensor, *shape) -> Tensor:
    shape = list(shape_arg(shape))
    if len(shape) < x.ndim:
        raise ShapeMismatchError(f"expand: the target {shape} has fewer dims than the tensor "
                                 f"{list(x.shape)}")
    lead = len(shape) - x.ndim
    for i, d in enumerate(shape):
        if d == -1:
            if i < lead:
                raise InvalidArgumentError("expand: -1 is not allowed for new leading dims")
            shape[i] = x.shape[i - lead]
    for i, d in enumerate(x.shape):
        if d != 1 and d != shape[lead + i]:
            raise ShapeMismatchError(f"expand: shape {list(x.shape)} cannot be expanded to "
                                     f"{shape}: size {d} at dim {i} is not 1 and differs from "
                                     f"{shape[lead + i]}")
    if tuple(shape) == tuple(x.shape):
        return x
    return _lazy("expand", [x], shape=tuple(shape))


broadcast_to = expand


def expand_as(x: Tensor, other: Tensor) -> Tensor:
    return expand(x, other.shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, [1])
    s, e = _dim(start_dim, x.ndim, "flatten"), _dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise InvalidArgumentError("flatten: start_dim cannot come after end_dim")
    shape = list(x.shape[:s]) + [math.prod(x.shape[s:e + 1])] + list(x.shape[e + 1:])
    return reshape(x, shape)


def unflatten(x: Tensor, dim: int, sizes) -> Tensor:
    d = _dim(dim, x.ndim, "unflatten")
    return reshape(x, list(x.shape[:d]) + list(sizes) + list(x.shape[d + 1:]))


def contiguous(x: Tensor) -> Tensor:
    """Lazy tensors have no layout until realized, and realized ones are contiguous."""
    return x


def cat(tensors, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise InvalidArgumentError("cat: expected a non-empty list of tensors")
    dt = dtypes.result_type(*[t_ for t_ in tensors if t_.ndim] or tensors)
    parts = [cast(t_, dt) for t_ in tensors if not (t_.ndim == 1 and t_.shape[0] == 0)]
    if not parts:
        return cast(tensors[0], dt)
    for k, t_ in enumerate(parts):
        if t_.ndim == 0:
            raise ShapeMismatchError(f"cat: zero-dimensional tensor #{k} cannot be "
                                     f"concatenated")
    d = _dim(dim, parts[0].ndim, "cat")
    first = list(parts[0].shape)
    for t_ in parts[1:]:
        shape = list(t_.shape)
        if len(shape) != len(first) or any(a != b for i, (a, b) in enumerate(zip(first, shape))
                                           if i != d):
            raise ShapeMismatchError(f"cat: shapes {first} and {shape} differ outside dim {d} "
                                     f"(sizes must match except in the cat dimension)")
    if len(parts) == 1:
        return parts[0]
    return _lazy("concat", parts, axis=d)


concat = concatenate = cat


def stack(tensors, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise InvalidArgumentError("stack: expected a non-empty list of tensors")
    for t_ in tensors[1:]:
        if t_.shape != tensors[0].shape:
            raise ShapeMismatchError(f"stack: expects each tensor to be equal size, but got "
                                     f"{list(tensors[0].shape)} and {list(t_.shape)}")
    d = _dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t_, d) for t_ in tensors], d)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    d = _dim(dim, x.ndim, "narrow")
    idx = [builtins.slice(None)] * x.ndim
    idx[d] = builtins.slice(start, start + length)
    return getitem(x, tuple(idx))


def split(x: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    d = _dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, builtins.int):
        step = split_size_or_sections
        if step <= 0:
            raise InvalidArgumentError("split: split_size must be positive")
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise ShapeMismatchError(f"split: sections {sizes} do not sum to dim {d}'s size {n}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise InvalidArgumentError("chunk: chunks must be positive")
    n = x.shape[_dim(dim, x.ndim, "chunk")]
    return split(x, builtins.max(1, -(-n // chunks)), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = _dim(dim, x.ndim, "unbind")
    return tuple(select(x, d, i) for i in range(x.shape[d]))


def select(x: Tensor, dim: int, index: int) -> Tensor:
    d = _dim(dim, x.ndim, "select")
    idx: list = [builtins.slice(None)] * x.ndim
    idx[d] = index
    return getitem(x, tuple(idx))


# ------------------------------------------------------------------------------ indexing

def _norm_index(i: int, size: int, d: int) -> int:
    if not -size <= i < size:
        raise TorshIndexError(f"index {i} is out of bounds for dimension {d} with size {size}")
    return i % size


def getitem(x: Tensor, index) -> Tensor:
    """Basic indexing (ints, slices with step > 0, None, ...) is a view; integer tensors
    and lists select with ``take``; a bool mask is realized to find its elements."""
    if not isinstance(index, tuple):
        index = (index,)
    index = tuple(_as_index_tensor(i) for i in index)
    n_consumed = builtins.sum(1 if not (i is None or i is Ellipsis) else 0 for i in index)
    n_consumed += builtins.sum(i.ndim - 1 for i in index
                               if isinstance(i, Tensor) and i.dtype is dtypes.bool_)
    if builtins.sum(1 for i in index if i is Ellipsis) > 1:
        raise TorshIndexError("an index can only have a single ellipsis ('...')")
    if n_consumed > x.ndim:
        raise TorshIndexError(f"too many indices for a tensor of {x.ndim} dims")
    # An ellipsis stands for the dims no other index consumes; without one they are
    # appended at the end (either way, exactly x.ndim - n_consumed full slices).
    fill = (builtins.slice(None),) * (x.ndim - n_consumed)
    if Ellipsis in [i for i in index if not isinstance(i, Tensor)]:
        pos = [k for k, i in enumerate(index) if i is Ellipsis][0]
        index = index[:pos] + fill + index[pos + 1:]
    else:
        index = index + fill

    start, stop, step, keep_shape = [], [], [], []
    advanced: list[tuple[int, Tensor]] = []
    d = 0
    for i in index:
        if i is None:
            keep_shape.append(1)
            continue
        size = x.shape[d]
        if isinstance(i, Tensor):
            if i.dtype is dtypes.bool_:
                return _mask_index(x, index)
            start.append(0), stop.append(size), step.append(1)
            advanced.append((len(keep_shape), i))
            keep_shape.append(size)
        elif isinstance(i, builtins.slice):
            b, e, s = i.indices(size)
            if s <= 0:
                raise InvalidArgumentError("step must be greater than zero")
            e = builtins.max(e, b)
            start.append(b), stop.append(e), step.append(s)
            keep_shape.append(-(-(e - b) // s))
        elif isinstance(i, (builtins.int, np.integer)):
            j = _norm_index(builtins.int(i), size, d)
            start.append(j), stop.append(j + 1), step.append(1)
        else:
            raise TorshIndexError(f"unsupported index {i!r} (use ints, slices, None, ..., "
                                  f"or integer/bool tensors)")
        d += 1
    out = x
    if (tuple(start), tuple(stop), tuple(step)) != ((0,) * x.ndim, tuple(x.shape), (1,) * x.ndim):
        out = _lazy("slice", [x], start=tuple(start), stop=tuple(stop), step=tuple(step))
    out = reshape(out, keep_shape)
    if advanced:
        out = _advanced(out, advanced)
    return out


def _as_index_tensor(i):
    if isinstance(i, (list, np.ndarray)):
        from torsh.ops.creation import tensor

        return tensor(i)
    return i


def _advanced(x: Tensor, advanced: list[tuple[int, Tensor]]) -> Tensor:
    dims = [d for d, _ in advanced]
    if dims != list(range(dims[0], dims[0] + len(dims))):
        from torsh.errors import TorshNotImplementedError

        raise TorshNotImplementedError("indexing with tensors in non-adjacent dims is not "
                                       "supported yet")
    from torsh.ops.elementwise import add, lt, mul, where

    idx_tensors = []
    for d, i in advanced:
        if i.dtype.is_floating_point:
            raise TorshIndexError("tensors used as indices must be long, int or bool tensors")
        i = cast(i, dtypes.int64)
        size = x.shape[d]
        if i._buf is not None and i.numel():
            vals = i.numpy()
            if vals.min() < -size or vals.max() >= size:
                bad = vals[(vals < -size) | (vals >= size)].reshape(-1)[0]
                raise TorshIndexError(f"index {bad} is out of bounds for dimension {d} with "
                                      f"size {size}")
        idx_tensors.append(where(lt(i, 0), add(i, size), i))
    lo = dims[0]
    if len(dims) > 1:  # several adjacent index tensors: one linear index over those dims
        sizes = [x.shape[d] for d in dims]
        linear = idx_tensors[0]
        for i, s in zip(idx_tensors[1:], sizes[1:]):
            linear = add(mul(linear, s), i)
        x = reshape(x, list(x.shape[:lo]) + [math.prod(sizes)] + list(x.shape[dims[-1] + 1:]))
        idx = linear
    else:
        idx = idx_tensors[0]
    return _lazy("take", [x, idx], axis=lo)


def _mask_index(x: Tensor, index) -> Tensor:
    """x[mask]: the mask's data decides the shape, so it is realized here."""
    if len([i for i in index if isinstance(i, Tensor)]) != 1 or not isinstance(index[0], Tensor):
        from torsh.errors import TorshNotImplementedError

        raise TorshNotImplementedError("only x[mask] with a leading bool mask is supported")
    mask = index[0]
    k = mask.ndim
    if tuple(mask.shape) != tuple(x.shape[:k]):
        raise TorshIndexError(f"the shape of the mask {list(mask.shape)} does not match the "
                              f"shape of the indexed tensor {list(x.shape)}")
    from torsh.ops.creation import tensor

    flat = np.flatnonzero(mask.numpy().reshape(-1))
    xs = reshape(x, [math.prod(x.shape[:k])] + list(x.shape[k:]))
    return _lazy("take", [xs, tensor(flat.astype(np.int64))], axis=0)


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    if index.ndim > 1:
        raise InvalidArgumentError("index_select: index must be 1-D")
    d = _dim(dim, x.ndim, "index_select")
    return _advanced(x, [(d, reshape(index, [-1]))])


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    if index.dtype.is_floating_point or index.dtype is dtypes.bool_:
        from torsh.errors import DTypeError

        raise DTypeError(f"gather: index must be an int64 tensor, got {index.dtype!r}")
    d = _dim(dim, x.ndim, "gather")
    if index._buf is not None and index.numel():
        vals = index.numpy()
        if vals.min() < 0 or vals.max() >= x.shape[d]:
            bad = int(vals.max() if vals.max() >= x.shape[d] else vals.min())
            raise TorshIndexError(f"gather: index {bad} is out of bounds for dim {d} with size "
                                  f"{x.shape[d]}")
    return _lazy("gather", [x, cast(index, dtypes.int64)], axis=d)


__all__ = ["reshape", "view", "permute", "transpose", "swapaxes", "t", "squeeze", "unsqueeze",
           "expand", "broadcast_to", "expand_as", "flatten", "unflatten", "contiguous", "cat",
           "concat", "concatenate", "stack", "narrow", "split", "chunk", "unbind", "select",
           "getitem", "index_select", "gather"]
