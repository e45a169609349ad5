"""Every differentiable op: analytic gradients against finite differences in float64
(eps 1e-6, atol 1e-5, rtol 1e-3), and against torch.autograd where torch is installed."""

import numpy as np
import pytest

import torsh

F64 = torsh.float64


def leaf(*shape, low=None, positive=False, seed=0):
    rng = np.random.default_rng(seed + sum(shape) * 7 + len(shape))
    a = rng.standard_normal(shape)
    if positive:
        a = np.abs(a) + 0.5
    if low is not None:
        a = np.maximum(a, low)
    return torsh.tensor(a, dtype=F64, requires_grad=True)


IDX = torsh.tensor([2, 0, 2, 1])

# (name, function, input factories). Inputs avoid kinks (relu at 0, abs at 0, ties).
CASES = [
    ("neg", lambda x: -x, [lambda: leaf(3, 4)]),
    ("abs", torsh.abs, [lambda: leaf(3, 4)]),
    ("exp", torsh.exp, [lambda: leaf(3, 4)]),
    ("log", torsh.log, [lambda: leaf(3, 4, positive=True)]),
    ("log1p", torsh.log1p, [lambda: leaf(3, 4, positive=True)]),
    ("expm1", torsh.expm1, [lambda: leaf(3, 4)]),
    ("sqrt", torsh.sqrt, [lambda: leaf(3, 4, positive=True)]),
    ("rsqrt", torsh.rsqrt, [lambda: leaf(3, 4, positive=True)]),
    ("sin", torsh.sin, [lambda: leaf(3, 4)]),
    ("cos", torsh.cos, [lambda: leaf(3, 4)]),
    ("tanh", torsh.tanh, [lambda: leaf(3, 4)]),
    ("sigmoid", torsh.sigmoid, [lambda: leaf(3, 4)]),
    ("relu", torsh.relu, [lambda: leaf(3, 4)]),
    ("gelu", torsh.gelu, [lambda: leaf(3, 4)]),
    ("silu", torsh.silu, [lambda: leaf(3, 4)]),
    ("erf", torsh.erf, [lambda: leaf(3, 4)]),
    ("add_broadcast", lambda a, b: a + b, [lambda: leaf(3, 4), lambda: leaf(4, seed=1)]),
    ("sub_broadcast", lambda a, b: a - b, [lambda: leaf(3, 1), lambda: leaf(1, 4, seed=1)]),
    ("mul_broadcast", lambda a, b: a * b, [lambda: leaf(2, 3, 4), lambda: leaf(3, 1, seed=1)]),
    ("div", lambda a, b: a / b, [lambda: leaf(3, 4), lambda: leaf(3, 4, positive=True, seed=1)]),
    ("pow", lambda a, b: a ** b, [lambda: leaf(3, 4, positive=True),
                                  lambda: leaf(3, 4, seed=1)]),
    ("pow_scalar", lambda a: a ** 3, [lambda: leaf(3, 4)]),
    ("maximum", torsh.maximum, [lambda: leaf(3, 4), lambda: leaf(3, 4, seed=1)]),
    ("minimum", torsh.minimum, [lambda: leaf(3, 4), lambda: leaf(4, seed=1)]),
    ("clamp", lambda x: torsh.clamp(x, -0.5, 0.7), [lambda: leaf(3, 4)]),
    ("where", lambda a, b: torsh.where(a > 0, a, b), [lambda: leaf(3, 4),
                                                      lambda: leaf(3, 4, seed=1)]),
    ("sum", lambda x: x.sum(), [lambda: leaf(3, 4)]),
    ("sum_dim", lambda x: x.sum(dim=1, keepdim=True), [lambda: leaf(3, 4)]),
    ("mean", lambda x: x.mean(dim=(0, 2)), [lambda: leaf(2, 3, 4)]),
    ("prod", lambda x: x.prod(dim=1), [lambda: leaf(3, 4)]),
    ("max", lambda x: x.max(), [lambda: leaf(3, 4)]),
    ("max_dim", lambda x: x.max(dim=1).values, [lambda: leaf(3, 4)]),
    ("min_dim", lambda x: x.min(dim=0, keepdim=True)[0], [lambda: leaf(3, 4)]),
    ("amax", lambda x: x.amax(dim=1), [lambda: leaf(3, 4)]),
    ("var", lambda x: x.var(dim=1), [lambda: leaf(3, 4)]),
    ("std", lambda x: x.std(), [lambda: leaf(3, 4)]),
    ("logsumexp", lambda x: torsh.logsumexp(x, dim=1), [lambda: leaf(3, 4)]),
    ("softmax", lambda x: torsh.softmax(x, dim=1), [lambda: leaf(3, 4)]),
    ("log_softmax", lambda x: torsh.log_softmax(x, dim=0), [lambda: leaf(3, 4)]),
    ("matmul", lambda a, b: a @ b, [lambda: leaf(3, 4), lambda: leaf(4, 2, seed=1)]),
    ("matmul_batched", lambda a, b: a @ b, [lambda: leaf(2, 3, 4), lambda: leaf(4, 2, seed=1)]),
    ("matmul_vec", lambda a, b: a @ b, [lambda: leaf(3, 4), lambda: leaf(4, seed=1)]),
    ("dot", lambda a, b: torsh.dot(a, b), [lambda: leaf(4), lambda: leaf(4, seed=1)]),
    ("reshape", lambda x: x.reshape(4, 3) * torsh.arange(3.0), [lambda: leaf(3, 4)]),
    ("permute", lambda x: x.permute(2, 0, 1) * torsh.arange(3.0), [lambda: leaf(2, 3, 3)]),
    ("transpose", lambda x: x.T @ x, [lambda: leaf(3, 4)]),
    ("expand", lambda x: x.expand(3, 4) * torsh.arange(4.0), [lambda: leaf(3, 1)]),
    ("unsqueeze_squeeze", lambda x: x.unsqueeze(1).squeeze(1) ** 2, [lambda: leaf(3, 4)]),
    ("flatten", lambda x: x.flatten() ** 2, [lambda: leaf(2, 3, 2)]),
    ("slice_step", lambda x: x[1:, ::2] ** 2, [lambda: leaf(3, 5)]),
    ("index_int", lambda x: x[1] * x[:, 2].sum(), [lambda: leaf(3, 4)]),
    ("cat", lambda a, b: torsh.cat([a, b * 2], dim=1), [lambda: leaf(3, 2),
                                                        lambda: leaf(3, 4, seed=1)]),
    ("stack", lambda a, b: torsh.stack([a, b], dim=1), [lambda: leaf(3, 2),
                                                        lambda: leaf(3, 2, seed=1)]),
    ("split", lambda x: x.split(2, dim=1)[1] * 3, [lambda: leaf(3, 5)]),
    ("take", lambda x: x[IDX] ** 2, [lambda: leaf(3, 4)]),
    ("index_select", lambda x: torsh.index_select(x, 1, IDX) * 2, [lambda: leaf(3, 4)]),
    ("gather", lambda x: torsh.gather(x, 1, torsh.tensor([[0, 3], [1, 1], [2, 0]])) ** 2,
     [lambda: leaf(3, 4)]),
    ("mlp", lambda x, w: torsh.log_softmax(torsh.tanh(x @ w), dim=1)[:, 0].mean(),
     [lambda: leaf(4, 3), lambda: leaf(3, 5, seed=1)]),
]


@pytest.mark.parametrize("name, fn, makers", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, makers):
    assert torsh.autograd.gradcheck(fn, [m() for m in makers])


@pytest.mark.parametrize("name, fn, makers", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, makers):
    torch = pytest.importorskip("torch")
    inputs = [m() for m in makers]
    out = fn(*inputs)
    v = np.random.default_rng(1).standard_normal(tuple(out.shape))
    grads = torsh.autograd.grad(out, inputs, torsh.tensor(v, dtype=F64), allow_unused=True)
    tin = [torch.tensor(x.numpy(), requires_grad=True) for x in inputs]
    # the same function on torch tensors, through a tiny torch adapter of the torsh names
    tfn = _torch_version(name, torch)
    tout = tfn(*tin)
    tgrads = torch.autograd.grad(tout, tin, torch.tensor(v), allow_unused=True)
    for g, tg in zip(grads, tgrads):
        want = np.zeros(tuple(g.shape)) if tg is None else tg.numpy()
        np.testing.assert_allclose(g.numpy(), want, rtol=1e-7, atol=1e-7)


def _torch_version(name, torch):
    idx = torch.tensor([2, 0, 2, 1])
    table = {
        "neg": lambda x: -x, "abs": torch.abs, "exp": torch.exp, "log": torch.log,
        "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
        "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
        "relu": torch.relu, "gelu": torch.nn.functional.gelu,
        "silu": torch.nn.functional.silu, "erf": torch.erf,
        "add_broadcast": lambda a, b: a + b, "sub_broadcast": lambda a, b: a - b,
        "mul_broadcast": lambda a, b: a * b, "div": lambda a, b: a / b,
        "pow": lambda a, b: a ** b, "pow_scalar": lambda a: a ** 3,
        "maximum": torch.maximum, "minimum": torch.minimum,
        "clamp": lambda x: torch.clamp(x, -0.5, 0.7),
        "where": lambda a, b: torch.where(a > 0, a, b),
        "sum": lambda x: x.sum(),
        "sum_dim": lambda x: x.sum(dim=1, keepdim=True),
        "mean": lambda x: x.mean(dim=(0, 2)), "prod": lambda x: x.prod(dim=1),
        "max": lambda x: x.max(), "max_dim": lambda x: x.max(dim=1).values,
        "min_dim": lambda x: x.min(dim=0, keepdim=True)[0], "amax": lambda x: x.amax(dim=1),
        "var": lambda x: x.var(dim=1), "std": lambda x: x.std(),
        "logsumexp": lambda x: torch.logsumexp(x, dim=1),
        "softmax": lambda x: torch.softmax(x, dim=1),
        "log_softmax": lambda x: torch.log_softmax(x, dim=0),
        "matmul": lambda a, b: a @ b, "matmul_batched": lambda a, b: a @ b,
        "matmul_vec": lambda a, b: a @ b, "dot": torch.dot,
        "reshape": lambda x: x.reshape(4, 3) * torch.arange(3.0, dtype=torch.float64),
        "permute": lambda x: x.permute(2, 0, 1) * torch.arange(3.0, dtype=torch.float64),
        "transpose": lambda x: x.T @ x,
        "expand": lambda x: x.expand(3, 4) * torch.arange(4.0, dtype=torch.float64),
        "unsqueeze_squeeze": lambda x: x.unsqueeze(1).squeeze(1) ** 2,
        "flatten": lambda x: x.flatten() ** 2, "slice_step": lambda x: x[1:, ::2] ** 2,
        "index_int": lambda x: x[1] * x[:, 2].sum(),
        "cat": lambda a, b: torch.cat([a, b * 2], dim=1),
        "stack": lambda a, b: torch.stack([a, b], dim=1),
        "split": lambda x: x.split(2, dim=1)[1] * 3, "take": lambda x: x[idx] ** 2,
        "index_select": lambda x: torch.index_select(x, 1, idx) * 2,
        "gather": lambda x: torch.gather(x, 1, torch.tensor([[0, 3], [1, 1], [2, 0]])) ** 2,
        "mlp": lambda x, w: torch.log_softmax(torch.tanh(x @ w), dim=1)[:, 0].mean(),
    }
    return table[name]


SECOND_ORDER = ["exp", "tanh", "sigmoid", "mul_broadcast", "div", "matmul", "softmax", "log",
                "sin"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order(name):
    fn, makers = {c[0]: (c[1], c[2]) for c in CASES}[name]
    inputs = [m() for m in makers]

    def first_grad_sum(*xs):
        out = fn(*xs)
        gs = torsh.autograd.grad(out.sum(), xs, create_graph=True)
        return sum((g * g).sum() for g in gs)

    assert torsh.autograd.gradcheck(first_grad_sum, inputs)


def test_cast_between_float_dtypes_passes_gradient_through():
    # float32 rounding makes finite differences meaningless here; check the rule directly
    x = leaf(3)
    y = (x.float() * 2).double().sum()
    y.backward()
    assert x.grad.dtype == torsh.float64
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_cast_to_int_stops_gradient():
    x = leaf(3)
    assert not x.long().requires_grad
