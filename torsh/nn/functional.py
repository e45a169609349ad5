"""torsh.nn.functional: layers and losses as functions of tensors (PyTorch's names and
defaults), built from torsh ops so they fuse and differentiate like everything else.

>>> import torsh
>>> import torsh.nn.functional as F
>>> F.relu(torsh.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from __future__ import annotations

import math

from torsh import dtypes
from torsh._tensor import Tensor
from torsh.errors import DTypeError, InvalidArgumentError, ShapeMismatchError
from torsh.ops import elementwise as E
from torsh.ops import reduce as R
from torsh.ops import shape as S
from torsh.ops._core import cast
from torsh.ops.linalg import matmul

relu, sigmoid, tanh, silu = E.relu, E.sigmoid, E.tanh, E.silu
softmax, log_softmax = R.softmax, R.log_softmax


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return E.gelu(x, approximate)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return E.where(E.gt(x, 0), x, E.mul(x, negative_slope))


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, with weight of shape (out_features, in_features)."""
    if x.shape[-1] != weight.shape[-1]:
        raise ShapeMismatchError(
            f"linear: input has {x.shape[-1]} features (shape {list(x.shape)}) but the layer "
            f"expects {weight.shape[-1]} (weight shape {list(weight.shape)})")
    out = matmul(x, S.t(weight))
    return E.add(out, bias) if bias is not None else out


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    if not 0 <= p <= 1:
        raise InvalidArgumentError(f"dropout probability has to be between 0 and 1, got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return E.mul(x, 0.0)
    from torsh.ops.creation import from_array, generator

    keep = from_array(generator().random(tuple(x.shape)) >= p, dtypes.bool_)
    return E.where(keep, E.mul(x, 1.0 / (1.0 - p)), 0.0)


def embedding(index: Tensor, weight: Tensor) -> Tensor:
    if index.dtype.is_floating_point or index.dtype is dtypes.bool_:
        raise DTypeError(f"embedding: indices must be an integer tensor, got {index.dtype!r}")
    return S.getitem(weight, index)


def layer_norm(x: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise ShapeMismatchError(f"layer_norm: input shape {list(x.shape)} does not end with "
                                 f"normalized_shape {list(shape)}")
    axes = list(range(x.ndim - len(shape), x.ndim))
    mu = R.mean(x, axes, keepdim=True)
    centered = E.sub(x, mu)
    var = R.mean(E.mul(centered, centered), axes, keepdim=True)
    out = E.mul(centered, E.rsqrt(E.add(var, eps)))
    if weight is not None:
        out = E.mul(out, weight)
    if bias is not None:
        out = E.add(out, bias)
    return out


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def pad2d(x: Tensor, ph: int, pw: int, ph_end: int | None = None,
          pw_end: int | None = None) -> Tensor:
    """Zero padding of the last two dims: ph/pw before, ph_end/pw_end after (default the
    same). An insert_slice: zeros outside, no copy kernel."""
    ph_end = ph if ph_end is None else ph_end
    pw_end = pw if pw_end is None else pw_end
    if ph == ph_end == pw == pw_end == 0:
        return x
    n = x.ndim
    shape = tuple(x.shape[:-2]) + (x.shape[-2] + ph + ph_end, x.shape[-1] + pw + pw_end)
    start = (0,) * (n - 2) + (ph, pw)
    stop = tuple(x.shape[:-2]) + (ph + x.shape[-2], pw + x.shape[-1])
    return Tensor._lazy("insert_slice", [x], {"shape": shape, "start": start, "stop": stop,
                                              "step": (1,) * n})


def _patches(x: Tensor, kh: int, kw: int, sh: int, sw: int, ho: int, wo: int,
             dh: int = 1, dw: int = 1) -> Tensor:
    """(N, C, H, W) -> (N, C, kh*kw, Ho, Wo): one strided slice per kernel offset (offsets
    dh, dw apart: dilation)."""
    parts = []
    for i in range(kh):
        for j in range(kw):
            parts.append(S.getitem(x, (slice(None), slice(None),
                                       slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
                                       slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))))
    return S.stack(parts, 2)


def _conv_padding(padding, kernel: tuple[int, int], dilation: tuple[int, int],
                  stride: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) for an int, a pair, 'valid' or 'same' (as torch)."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        if stride != (1, 1):
            raise InvalidArgumentError("conv2d: padding='same' needs stride 1")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return total[0] // 2, total[0] - total[0] // 2, total[1] // 2, total[1] - total[1] // 2
    if isinstance(padding, str):
        raise InvalidArgumentError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', "
                                   f"got {padding!r}")
    ph, pw = _pair(padding)
    return ph, ph, pw, pw


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) as patches @ weight (im2col by slicing), with
    torch's stride, padding (int, pair, 'valid', 'same'), dilation and groups."""
    if x.ndim != 4 or weight.ndim != 4:
        raise ShapeMismatchError(f"conv2d: expected 4-D input and weight, got shapes "
                                 f"{list(x.shape)} and {list(weight.shape)}")
    n, c, h, w = x.shape
    o, ci, kh, kw = weight.shape
    if groups < 1 or c % groups or o % groups:
        raise InvalidArgumentError(f"conv2d: groups={groups} must divide the input channels "
                                   f"({c}) and the output channels ({o})")
    if c != ci * groups:
        raise ShapeMismatchError(f"conv2d: input has {c} channels (shape {list(x.shape)}) but "
                                 f"the weight expects {ci * groups} (shape "
                                 f"{list(weight.shape)}, groups={groups})")
    (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
    top, bottom, left, right = _conv_padding(padding, (kh, kw), (dh, dw), (sh, sw))
    x = pad2d(x, top, left, bottom, right)
    hp, wp = h + top + bottom, w + left + right
    ho, wo = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    if ho <= 0 or wo <= 0:
        raise ShapeMismatchError(f"conv2d: kernel {kh}x{kw} (dilation {dh}x{dw}) is larger "
                                 f"than the padded input {hp}x{wp}")
    cols = _patches(x, kh, kw, sh, sw, ho, wo, dh, dw)          # (N, C, K, Ho, Wo)
    k = ci * kh * kw
    if groups == 1:
        cols = S.reshape(S.permute(cols, (0, 3, 4, 1, 2)), (n * ho * wo, k))
        out = matmul(cols, S.t(S.reshape(weight, (o, k))))       # (N*Ho*Wo, O)
    else:  # one batched matmul over the groups
        cols = S.reshape(cols, (n, groups, ci, kh * kw, ho, wo))
        cols = S.reshape(S.permute(cols, (1, 0, 4, 5, 2, 3)), (groups, n * ho * wo, k))
        wg = S.permute(S.reshape(weight, (groups, o // groups, k)), (0, 2, 1))
        out = matmul(cols, wg)                                   # (G, N*Ho*Wo, O/G)
        out = S.reshape(S.permute(out, (1, 0, 2)), (n * ho * wo, o))
    if bias is not None:
        out = E.add(out, bias)
    return S.permute(S.reshape(out, (n, ho, wo, o)), (0, 3, 1, 2))


def _pool_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:  # the last window must start inside
        out -= 1
    return out


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False) -> Tensor:
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = _pair(stride if stride is not None and stride != [] else kernel_size)
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    if ph * 2 > kh or pw * 2 > kw:
        raise InvalidArgumentError(f"max_pool2d: padding {ph}x{pw} must be at most half the "
                                   f"kernel size {kh}x{kw}")
    h, w = x.shape[-2:]
    ho = _pool_size(h, kh, sh, ph, dh, ceil_mode)
    wo = _pool_size(w, kw, sw, pw, dw, ceil_mode)
    # ceil_mode windows may run past the padded input: pad those cells too
    ph_end = max(ph, (ho - 1) * sh + dh * (kh - 1) + 1 - h - ph)
    pw_end = max(pw, (wo - 1) * sw + dw * (kw - 1) + 1 - w - pw)
    if ph or pw or ph_end or pw_end:  # pad with -inf so padding never wins the max
        from torsh.ops.creation import ones

        inside = pad2d(ones(x.shape, dtype=x.dtype), ph, pw, ph_end, pw_end)
        x = E.where(E.gt(inside, 0.5), pad2d(x, ph, pw, ph_end, pw_end), float("-inf"))
    lead = x.shape[:-2]
    x4 = S.reshape(x, (math.prod(lead) if lead else 1, 1) + tuple(x.shape[-2:]))
    cols = _patches(x4, kh, kw, sh, sw, ho, wo, dh, dw)      # (B, 1, kh*kw, Ho, Wo)
    # Select the first maximum of each window (argmax, row-major window order) rather than
    # amax: amax's gradient splits evenly among tied maxima, while torch's max_pool2d
    # sends it all to the first one; ties are common (zeros after a ReLU, flat images).
    # where(), not a one-hot product: -inf padding times 0 would be NaN.
    from torsh.ops.creation import arange

    first = R.argmax(cols, 2, keepdim=True)
    pick = E.eq(first, S.reshape(arange(kh * kw), (1, 1, kh * kw, 1, 1)))
    out = R.sum(E.where(pick, cols, 0.0), 2)
    return S.reshape(out, tuple(lead) + (ho, wo))


def flatten(x: Tensor, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    return S.flatten(x, start_dim, end_dim)


# --------------------------------------------------------------------------------- losses

def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise InvalidArgumentError(f"reduction must be 'mean', 'sum' or 'none', got "
                                   f"{reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return R.mean(loss)
    if reduction == "sum":
        return R.sum(loss)
    if reduction == "none":
        return loss
    raise InvalidArgumentError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    if tuple(input.shape) != tuple(target.shape):
        raise ShapeMismatchError(f"mse_loss: input shape {list(input.shape)} and target shape "
                                 f"{list(target.shape)} differ")
    d = E.sub(input, target)
    return _reduce(E.mul(d, d), reduction)


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """torch's deprecated size_average/reduce arguments, when given, decide."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _class_axis(input: Tensor) -> int:  # noqa: A002
    return 1 if input.ndim >= 2 else 0


def _class_targets(input: Tensor, target: Tensor, what: str,  # noqa: A002
                   ignore_index: int = -100) -> None:
    if target.dtype.is_floating_point or target.dtype is dtypes.bool_:
        raise DTypeError(f"{what}: class targets must be an integer (long) tensor, got "
                         f"{target.dtype!r}; convert them with target.long(), or pass class "
                         f"probabilities of the input's shape")
    axis = _class_axis(input) if input.ndim else 0
    expected = tuple(input.shape[:axis]) + tuple(input.shape[axis + 1:])
    if input.ndim == 0 or tuple(target.shape) != expected:
        raise ShapeMismatchError(f"{what}: expected input (N, C, ...) and target (N, ...) "
                                 f"(or input (C) and a 0-d target), got {list(input.shape)} "
                                 f"and {list(target.shape)}")
    if target._buf is not None and target.numel():
        t = target.numpy()
        c = input.shape[axis]
        bad = t[((t < 0) | (t >= c)) & (t != ignore_index)].reshape(-1)
        if bad.size:
            from torsh.errors import TorshIndexError

            raise TorshIndexError(f"{what}: target {bad[0]} is out of bounds for {c} classes "
                                  f"(ignore_index is {ignore_index})")


def _along(v: Tensor, input: Tensor, axis: int) -> Tensor:  # noqa: A002
    """A (C,) vector shaped to broadcast along input's class axis."""
    return S.reshape(v, [input.shape[axis]] + [1] * (input.ndim - axis - 1))


def _check_weight(weight: Tensor | None, input: Tensor, what: str) -> None:  # noqa: A002
    if weight is not None and tuple(weight.shape) != (input.shape[_class_axis(input)],):
        raise ShapeMismatchError(f"{what}: weight must have one entry per class "
                                 f"({input.shape[_class_axis(input)]}), got shape "
                                 f"{list(weight.shape)}")


def _nll(logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
         reduction: str, label_smoothing: float) -> Tensor:
    """torch's nll_loss (and cross_entropy's label smoothing) over log-probabilities with
    the class axis 1 (0 for a single sample): per-class weights, ignored targets, and a
    mean normalized by the summed weights of the kept targets."""
    from torsh.ops.creation import arange

    axis = _class_axis(logp)
    c = logp.shape[axis]
    hot = cast(E.eq(S.unsqueeze(target, axis), _along(arange(c), logp, axis)), logp.dtype)
    keep = cast(E.ne(target, ignore_index), logp.dtype)
    w_c = _along(cast(weight, logp.dtype), logp, axis) if weight is not None else None
    w_y = E.mul(R.sum(E.mul(hot, w_c), axis), keep) if w_c is not None else keep
    loss = E.mul(E.neg(R.sum(E.mul(logp, hot), axis)), w_y)
    if label_smoothing:
        per_class = E.mul(logp, w_c) if w_c is not None else logp
        smooth = E.mul(E.neg(R.sum(per_class, axis)), keep)
        loss = E.add(E.mul(loss, 1 - label_smoothing), E.mul(smooth, label_smoothing / c))
    if reduction == "mean":
        return E.div(R.sum(loss), R.sum(w_y))
    return _reduce(loss, reduction)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean") -> Tensor:
    """-input[i, target[i]] (weighted, ignored targets skipped) as torch; input holds
    log-probabilities (N, C, ...)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _class_targets(input, target, "nll_loss", ignore_index)
    _check_weight(weight, input, "nll_loss")
    _check_reduction(reduction)
    return _nll(input, target, weight, ignore_index, reduction, 0.0)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Class indices (N, ...) or class probabilities (N, C, ...) as targets, with torch's
    arguments: per-class weight, ignore_index, reduction, label_smoothing."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise InvalidArgumentError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                                   f"{label_smoothing}")
    if input.ndim == 0:
        raise ShapeMismatchError("cross_entropy: input needs a class dim, got a 0-d tensor")
    _check_weight(weight, input, "cross_entropy")
    axis = _class_axis(input)
    logp = R.log_softmax(input, dim=axis)
    if target.dtype.is_floating_point and tuple(target.shape) == tuple(input.shape):
        probs = target
        c = input.shape[axis]
        if label_smoothing:
            probs = E.add(E.mul(probs, 1 - label_smoothing), label_smoothing / c)
        if weight is not None:
            probs = E.mul(probs, _along(cast(weight, input.dtype), input, axis))
        loss = E.neg(R.sum(E.mul(logp, probs), axis))
        return _reduce(loss, reduction)
    _class_targets(input, target, "cross_entropy", ignore_index)
    return _nll(logp, target, weight, ignore_index, reduction, label_smoothing)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     reduction: str = "mean") -> Tensor:
    if tuple(input.shape) != tuple(target.shape):
        raise ShapeMismatchError(f"binary_cross_entropy_with_logits: input shape "
                                 f"{list(input.shape)} and target shape {list(target.shape)} "
                                 f"differ")
    target = cast(target, input.dtype)
    # max(x, 0) - x*y + log(1 + exp(-|x|)): stable for large |x|. Written with one
    # where() on x >= 0 rather than relu(x) and abs(x): their subgradients at x == 0 (0 and
    # 0) would make the gradient there -y instead of sigmoid(0) - y = 0.5 - y, which is
    # wrong exactly where a zero-initialised output layer starts.
    nonneg = E.ge(input, 0)
    loss = E.add(E.sub(E.where(nonneg, input, 0.0), E.mul(input, target)),
                 E.log1p(E.exp(E.where(nonneg, E.neg(input), input))))
    return _reduce(loss, reduction)


def one_hot(index: Tensor, num_classes: int = -1) -> Tensor:
    from torsh.ops.creation import arange

    if num_classes < 0:
        num_classes = int(index.max().item()) + 1
    return cast(E.eq(S.unsqueeze(index, -1), arange(num_classes)), dtypes.int64)


__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "annotations", "math", "np", "dtypes", "Tensor", "DTypeError", "InvalidArgumentError",
    "ShapeMismatchError", "E", "R", "S", "cast", "matmul")]
