"""Bad input raises typed errors when the op is built, at the user's line.

Shape mismatches raise torsh.ShapeMismatchError naming the op and both shapes, from the
line that made the op (not at realization time); bad dims and bad indices raise
TorshIndexError (an IndexError), unsupported dtypes DTypeError (a TypeError), other bad
values InvalidArgumentError (a ValueError).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import torsh
from torsh.codegen import STATS

HERE = Path(__file__).resolve()


def _x(*shape, dtype=torsh.float32):
    """A realized tensor (data copied in: building it compiles nothing)."""
    return torsh.tensor(np.zeros(shape), dtype=dtype)


def _lazy(*shape):
    """A lazy (not yet computed) tensor of ``shape``."""
    return torsh.tensor(np.ones(shape, np.float32)) * 2 + 1


def check_raised_here(excinfo, snippet: str) -> None:
    """The innermost frame of this file is the statement holding ``snippet`` (the bad
    call), and the message ends with that line's location."""
    frames = [e for e in excinfo.traceback if Path(str(e.path)).resolve() == HERE]
    assert frames, "the error was not raised from this file"
    statement = str(frames[-1].statement)
    assert snippet in statement, f"raised from {statement!r}, expected the line of {snippet!r}"
    assert str(excinfo.value).endswith(f":{frames[-1].lineno + 1})"), str(excinfo.value)


# ------------------------------------------------------------------------- shape mismatch

SHAPE_CASES = [  # (id, bad call, snippet of it, words the message names)
    ("add", lambda: _x(2, 3) + _x(4), "_x(2, 3) + _x(4)", ["add", "[2, 3]", "[4]"]),
    ("mul-lazy", lambda: _lazy(3, 1, 2) * _lazy(4, 3), "_lazy(3, 1, 2) * _lazy(4, 3)",
     ["mul", "[3, 1, 2]", "[4, 3]"]),
    ("sub-fn", lambda: torsh.sub(_x(5), _x(2, 4)), "torsh.sub(_x(5), _x(2, 4))",
     ["sub", "[5]", "[2, 4]"]),
    ("lt", lambda: _x(3) < _x(2), "_x(3) < _x(2)", ["lt", "[3]", "[2]"]),
    ("maximum", lambda: torsh.maximum(_x(2, 2), _x(3)), "torsh.maximum(_x(2, 2), _x(3))",
     ["maximum", "[2, 2]", "[3]"]),
    ("where", lambda: torsh.where(_x(2) > 0, _x(3), 0.0), "torsh.where(_x(2) > 0, _x(3), 0.0)",
     ["where", "[2]", "[3]"]),
    ("matmul", lambda: _x(2, 3) @ _x(4, 5), "_x(2, 3) @ _x(4, 5)",
     ["matmul", "[2, 3]", "[4, 5]"]),
    ("matmul-1d", lambda: torsh.matmul(_x(3), _x(4)), "torsh.matmul(_x(3), _x(4))",
     ["matmul", "[3]", "[4]"]),
    ("matmul-batch", lambda: _x(2, 2, 3) @ _x(3, 3, 4), "_x(2, 2, 3) @ _x(3, 3, 4)",
     ["matmul", "[2, 2, 3]", "[3, 3, 4]"]),
    ("mm", lambda: torsh.mm(_x(3), _x(3, 4)), "torsh.mm(_x(3), _x(3, 4))",
     ["mm", "[3]", "[3, 4]"]),
    ("bmm", lambda: torsh.bmm(_x(2, 2, 3), _x(3, 3, 4)), "torsh.bmm(_x(2, 2, 3), _x(3, 3, 4))",
     ["bmm", "[2, 2, 3]", "[3, 3, 4]"]),
    ("cat", lambda: torsh.cat([_x(2, 3), _x(2, 2)]), "torsh.cat([_x(2, 3), _x(2, 2)])",
     ["cat", "[2, 3]", "[2, 2]"]),
    ("cat-rank", lambda: torsh.cat([_x(2, 3), _x(3)], 1), "torsh.cat([_x(2, 3), _x(3)], 1)",
     ["cat", "[2, 3]", "[3]"]),
    ("stack", lambda: torsh.stack([_x(2, 3), _x(3, 2)]), "torsh.stack([_x(2, 3), _x(3, 2)])",
     ["stack", "[2, 3]", "[3, 2]"]),
    ("reshape", lambda: _x(2, 3).reshape(4, 4), "_x(2, 3).reshape(4, 4)",
     ["reshape", "[4, 4]", "[2, 3]"]),
    ("reshape-infer", lambda: _x(2, 3).reshape(-1, 4), "_x(2, 3).reshape(-1, 4)",
     ["reshape", "[-1, 4]", "6"]),
    ("view", lambda: _lazy(2, 3).view(5), "_lazy(2, 3).view(5)", ["reshape", "[5]", "[2, 3]"]),
    ("expand", lambda: _x(2, 3).expand(3, 5), "_x(2, 3).expand(3, 5)",
     ["expand", "[2, 3]", "[3, 5]"]),
    ("expand-rank", lambda: _x(2, 3).expand(3), "_x(2, 3).expand(3)",
     ["expand", "[2, 3]", "[3]"]),
    ("split", lambda: _x(5).split([1, 2]), "_x(5).split([1, 2])", ["split", "[1, 2]", "5"]),
]


@pytest.mark.parametrize("call,snippet,words", [pytest.param(c, s, w, id=i)
                                                for i, c, s, w in SHAPE_CASES])
def test_shape_mismatch_names_op_and_shapes_at_the_bad_line(call, snippet, words):
    builds, hits = STATS.plan_builds, STATS.plan_hits
    with pytest.raises(torsh.ShapeMismatchError) as excinfo:
        call()
    message = str(excinfo.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"
    check_raised_here(excinfo, snippet)
    assert (STATS.plan_builds, STATS.plan_hits) == (builds, hits)  # before any realization
    assert isinstance(excinfo.value, ValueError)


def test_mismatch_in_a_long_lazy_chain_raises_at_its_own_line():
    x = _lazy(2, 3)
    y = (x.exp() + 1).sum(0)  # shape [3], still lazy
    z = torsh.tanh(y) * 2
    builds = STATS.plan_builds
    with pytest.raises(torsh.ShapeMismatchError) as excinfo:
        w = z + _lazy(4)  # the bad line
        w.numpy()
    check_raised_here(excinfo, "w = z + _lazy(4)")
    assert STATS.plan_builds == builds
    assert not z.is_realized and not y.is_realized


def test_inplace_operator_mismatch_raises_at_its_line_and_keeps_the_value():
    x = _x(2, 3)
    before = x
    with pytest.raises(torsh.ShapeMismatchError) as excinfo:
        x += _x(3, 2)
    check_raised_here(excinfo, "x += _x(3, 2)")
    assert x is before


# --------------------------------------------------------------------------- bad dims

X3 = lambda: _x(2, 3, 4)  # noqa: E731

DIM_CASES = [
    ("sum", lambda: X3().sum(dim=5)),
    ("sum-neg", lambda: X3().sum(dim=-4)),
    ("sum-tuple", lambda: X3().sum(dim=(0, 3))),
    ("sum-0d", lambda: _x().sum(dim=1)),
    ("mean", lambda: X3().mean(3)),
    ("max", lambda: X3().max(3)),
    ("argmax", lambda: X3().argmax(dim=-5)),
    ("argmax-0d", lambda: _x().argmax(dim=2)),
    ("softmax", lambda: torsh.softmax(X3(), 3)),
    ("logsumexp", lambda: torsh.logsumexp(X3(), -4)),
    ("var", lambda: X3().var(4)),
    ("transpose", lambda: X3().transpose(0, 3)),
    ("transpose-neg", lambda: X3().transpose(-4, 0)),
    ("mT-1d", lambda: _x(3).mT),
    ("squeeze", lambda: X3().squeeze(3)),
    ("squeeze-0d", lambda: _x().squeeze(1)),
    ("unsqueeze", lambda: X3().unsqueeze(4)),
    ("unsqueeze-neg", lambda: X3().unsqueeze(-5)),
    ("permute", lambda: X3().permute(0, 1, 3)),
    ("flatten", lambda: X3().flatten(0, 3)),
    ("cat", lambda: torsh.cat([X3(), X3()], dim=3)),
    ("stack", lambda: torsh.stack([X3(), X3()], dim=4)),
    ("select", lambda: X3().select(3, 0)),
    ("index_select", lambda: torsh.index_select(X3(), 3, torsh.tensor([0]))),
    ("gather", lambda: torsh.gather(X3(), 3, torsh.zeros(2, 3, 4, dtype=torsh.int64))),
    ("size", lambda: X3().size(3)),
    ("split", lambda: X3().split(1, dim=3)),
    ("chunk", lambda: X3().chunk(2, dim=-4)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in DIM_CASES])
def test_bad_dim_raises_index_error(call):
    with pytest.raises(torsh.TorshIndexError) as excinfo:
        call()
    assert isinstance(excinfo.value, IndexError)
    assert "dimension" in str(excinfo.value) and "out of range" in str(excinfo.value)


# ------------------------------------------------------------------------- bad indices

X45 = lambda: torsh.tensor(np.arange(20, dtype=np.float32).reshape(4, 5))  # noqa: E731

INDEX_CASES = [
    ("int", lambda: X45()[10], "out of bounds"),
    ("neg-int", lambda: X45()[-5], "out of bounds"),
    ("second-dim", lambda: X45()[0, 5], "out of bounds"),
    ("0d", lambda: _x()[0], "too many indices"),
    ("too-many", lambda: X45()[1, 2, 3], "too many indices"),
    ("two-ellipses", lambda: X45()[..., 0, ...], "ellipsis"),
    ("float", lambda: X45()[1.5], "unsupported index"),
    ("int-tensor", lambda: X45()[torsh.tensor([10])], "index 10 is out of bounds"),
    ("neg-int-tensor", lambda: X45()[torsh.tensor([0, -5])], "index -5 is out of bounds"),
    ("int-tensor-dim1", lambda: X45()[:, torsh.tensor([5])], "index 5 is out of bounds"),
    ("list", lambda: X45()[[0, 4]], "index 4 is out of bounds"),
    ("float-tensor", lambda: X45()[torsh.tensor([0.0])], "long, int or bool"),
    ("mask-shape", lambda: X45()[torsh.tensor([True, False])], "shape of the mask"),
    ("index_select", lambda: torsh.index_select(X45(), 1, torsh.tensor([7])), "index 7"),
    ("gather", lambda: torsh.gather(X45(), 1, torsh.tensor([[9]])), "index 9"),
    ("gather-neg", lambda: torsh.gather(X45(), 0, torsh.tensor([[-1]])), "index -1"),
]


@pytest.mark.parametrize("call,words", [pytest.param(c, w, id=i) for i, c, w in INDEX_CASES])
def test_bad_index_raises_index_error(call, words):
    builds = STATS.plan_builds
    with pytest.raises(torsh.TorshIndexError) as excinfo:
        call()
    assert isinstance(excinfo.value, IndexError)
    assert words in str(excinfo.value)
    assert STATS.plan_builds == builds


def test_lazy_index_tensors_are_clamped_not_checked():
    """An index tensor that is not computed yet cannot be checked when the op is built;
    torsh clamps it into range in the kernel (so memory is never read out of bounds)."""
    idx = torsh.tensor([1, 2]) * 5  # lazy: [5, 10]
    out = X45()[idx]
    np.testing.assert_array_equal(out.numpy(), X45().numpy()[[3, 3]])


# --------------------------------------------------------------------------- bad dtypes

I32 = lambda: torsh.tensor([1, 2], dtype=torsh.int32)  # noqa: E731
F32 = lambda: torsh.tensor([1.0, 2.0])  # noqa: E731
B = lambda: torsh.tensor([True, False])  # noqa: E731

DTYPE_CASES = [
    ("mean-int", lambda: I32().mean()),
    ("mean-bool", lambda: B().mean(0)),
    ("matmul-mixed-int", lambda: I32() @ torsh.tensor([1, 2])),
    ("matmul-mixed-float", lambda: F32() @ F32().double()),
    ("matmul-bool", lambda: B() @ B()),
    ("mm-mixed", lambda: torsh.mm(_x(2, 2), _x(2, 2, dtype=torsh.float64))),
    ("and-float", lambda: F32() & F32()),
    ("or-int", lambda: I32() | I32()),
    ("xor-int-bool", lambda: I32() ^ B()),
    ("and-bool-int-scalar", lambda: B() & 1),
    ("rand-int-scalar", lambda: 3 | B()),
    ("invert-float", lambda: ~F32()),
    ("invert-int", lambda: ~I32()),
    ("neg-bool", lambda: -B()),
    ("sub-bool", lambda: B() - B()),
    ("sub-bool-float", lambda: F32() - B()),
    ("rsub-bool", lambda: 1.0 - B()),
    ("maximum-bool", lambda: torsh.maximum(B(), B())),
    ("abs-bool", lambda: B().abs()),
    ("rand-int", lambda: torsh.rand(2, dtype=torsh.int64)),
    ("randn-bool", lambda: torsh.randn(2, dtype=torsh.bool)),
    ("gather-float-index", lambda: torsh.gather(F32(), 0, torsh.tensor([0.0]))),
    ("uint8-data", lambda: torsh.tensor(np.zeros(2, np.uint8))),
    ("default-int", lambda: torsh.set_default_dtype(torsh.int32)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in DTYPE_CASES])
def test_unsupported_dtype_raises_dtype_error(call):
    builds = STATS.plan_builds
    with pytest.raises(torsh.DTypeError) as excinfo:
        call()
    assert isinstance(excinfo.value, TypeError)
    assert STATS.plan_builds == builds
    assert torsh.get_default_dtype() == torsh.float32


def test_float_math_promotes_bool_and_int_like_torch():
    """sqrt/exp of bool or int tensors is not an error: they promote to float32."""
    for x in (B(), I32()):
        for out in (x.sqrt(), x.exp(), torsh.sigmoid(x), x / 2):
            assert out.dtype == torsh.float32
    np.testing.assert_allclose(B().sqrt().numpy(), [1.0, 0.0])


# --------------------------------------------------------------------------- bad values

VALUE_CASES = [
    ("item-multi", lambda: F32().item()),
    ("item-empty", lambda: torsh.zeros(0).item()),
    ("float-multi", lambda: float(F32())),
    ("int-multi", lambda: int(I32())),
    ("bool-multi", lambda: bool(F32() > 0)),
    ("bool-empty", lambda: bool(torsh.zeros(0))),
    ("if-tensor", lambda: 1 if (F32() > 0) else 0),
    ("max-empty", lambda: torsh.zeros(0).max()),
    ("max-empty-dim", lambda: torsh.zeros(2, 0).max(1)),
    ("amax-empty", lambda: torsh.zeros(0, 3).amax(0)),
    ("argmax-empty", lambda: torsh.zeros(0).argmax()),
    ("reshape-two-minus-one", lambda: _x(2, 3).reshape(-1, -1)),
    ("reshape-negative", lambda: _x(2, 3).reshape(-2, 3)),
    ("permute-repeat", lambda: _x(2, 3).permute(0, 0)),
    ("permute-count", lambda: _x(2, 3).permute(0)),
    ("sum-repeat", lambda: _x(2, 3).sum(dim=(1, -1))),
    ("negative-step", lambda: X45()[::-1]),
    ("arange-step0", lambda: torsh.arange(0, 5, 0)),
    ("linspace-negative", lambda: torsh.linspace(0, 1, -1)),
    ("full-negative", lambda: torsh.full((2, -1), 1.0)),
    ("chunk-0", lambda: _x(4).chunk(0)),
    ("split-0", lambda: _x(4).split(0)),
    ("ragged-data", lambda: torsh.tensor([[1, 2], [3]])),
    ("flatten-order", lambda: _x(2, 3, 4).flatten(2, 1)),
    ("t-3d", lambda: _x(2, 3, 4).t()),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in VALUE_CASES])
def test_bad_value_raises_invalid_argument(call):
    with pytest.raises(torsh.InvalidArgumentError) as excinfo:
        call()
    assert isinstance(excinfo.value, ValueError)


def test_item_and_bool_of_one_element_work():
    assert torsh.tensor([[2.5]]).item() == 2.5
    assert bool(torsh.tensor([1]) > 0) is True
    assert int(torsh.tensor(7)) == 7 and float(torsh.tensor([0.5])) == 0.5
    assert ["a", "b", "c"][torsh.tensor(1)] == "b"  # __index__


def test_other_misuse_raises_type_or_not_implemented():
    with pytest.raises(TypeError):
        len(torsh.tensor(1.0))
    with pytest.raises(TypeError):
        iter(torsh.tensor(1.0))
    with pytest.raises(TypeError):
        F32() + "a"
    with pytest.raises(TypeError):
        torsh.Tensor()
    with pytest.raises(TypeError):
        ["a"][torsh.tensor(0.0)]
    with pytest.raises(torsh.TorshNotImplementedError):
        torsh.zeros(2, device="cuda")
    with pytest.raises(torsh.TorshNotImplementedError):
        F32().to("cuda")


def test_errors_are_torsh_errors_with_their_c_codes():
    for cls, code in ((torsh.ShapeMismatchError, 3), (torsh.DTypeError, 4),
                      (torsh.TorshIndexError, 6), (torsh.InvalidArgumentError, 8)):
        assert issubclass(cls, torsh.TorshError) and cls.code == code
        assert torsh.error_for_code(code) is cls
