"""Autograd, modules and optimizers of the C API against Python torsh: the same
gradients for every differentiable op, the same MLP loss and gradients on the same
weights, the same optimizer trajectories, and a C MLP that trains."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

import torsh
import torsh.nn.functional as F
from tests.capi import capi
from tests.capi.capi import T as CT
from tests.capi.capi import call, status, tensor
from torsh import errors

RNG = np.random.default_rng(1)
TOL64 = dict(rtol=1e-7, atol=1e-9)


def rand(*shape, low=-2.0, high=2.0, dtype=np.float64):
    return RNG.uniform(low, high, shape).astype(dtype)


def python_grads(fn, arrays):
    xs = [torsh.tensor(a, requires_grad=True) for a in arrays]
    fn(*xs).backward()
    return [x.grad.numpy() for x in xs]


def c_grads(fn, arrays):
    xs = [tensor(a).requires_grad_() for a in arrays]
    loss = fn(*xs)
    status("backward", loss, False)
    return [x.grad for x in xs]


def weighted_sum(c_out: CT, w: np.ndarray) -> CT:
    return call("sum", call("mul", c_out, tensor(w)))


UNARY = {"neg": torsh.neg, "exp": torsh.exp, "log": torsh.log, "sqrt": torsh.sqrt,
         "tanh": torsh.tanh, "sigmoid": torsh.sigmoid, "relu": torsh.relu, "gelu": F.gelu}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary_gradients_match_python(op) -> None:
    x = rand(3, 4, low=0.2 if op in ("log", "sqrt") else -3, high=3)
    w = rand(3, 4)
    c = c_grads(lambda a: weighted_sum(call(op, a), w), [x])
    p = python_grads(lambda a: (UNARY[op](a) * torsh.tensor(w)).sum(), [x])
    np.testing.assert_allclose(c[0], p[0], **TOL64)


BINARY = {"add": torsh.add, "sub": torsh.sub, "mul": torsh.mul, "div": torsh.div,
          "pow": torsh.pow}


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                                    ((4, 2, 3), (2, 1))], ids=str)
def test_binary_gradients_match_python_with_broadcasting(op, shapes) -> None:
    a, b = rand(*shapes[0], low=0.5), rand(*shapes[1], low=0.5)
    out = np.broadcast_shapes(shapes[0], shapes[1])
    w = rand(*out)
    c = c_grads(lambda x, y: weighted_sum(call(op, x, y), w), [a, b])
    p = python_grads(lambda x, y: (BINARY[op](x, y) * torsh.tensor(w)).sum(), [a, b])
    for gc, gp in zip(c, p):
        assert gc.shape == gp.shape
        np.testing.assert_allclose(gc, gp, **TOL64)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                    ((2, 3, 4), (4, 5)), ((1, 3, 4), (2, 4, 5))], ids=str)
def test_matmul_gradients_match_python(shapes) -> None:
    a, b = rand(*shapes[0]), rand(*shapes[1])
    w = rand(*torsh.matmul(torsh.tensor(a), torsh.tensor(b)).shape)
    c = c_grads(lambda x, y: weighted_sum(call("matmul", x, y), w), [a, b])
    p = python_grads(lambda x, y: (torsh.matmul(x, y) * torsh.tensor(w)).sum(), [a, b])
    for gc, gp in zip(c, p):
        np.testing.assert_allclose(gc, gp, **TOL64)


REDUCE = [
    ("sum_dim", lambda x: torsh.sum(x, 1)),
    ("mean_dim", lambda x: torsh.mean(x, 1)),
    ("max_dim", lambda x: torsh.max(x, 1).values),
    ("softmax", lambda x: F.softmax(x, 1)),
    ("log_softmax", lambda x: F.log_softmax(x, 1)),
]


@pytest.mark.parametrize("name,py", REDUCE, ids=[r[0] for r in REDUCE])
def test_reduction_gradients_match_python(name, py) -> None:
    x = rand(3, 5)
    x[1, 2] = x[1, 4] = 9.0  # a tie for max: the gradient splits, as in torch
    args = (1, False) if name.endswith("_dim") else (1,)
    w = rand(*py(torsh.tensor(x)).shape)
    c = c_grads(lambda a: weighted_sum(call(name, a, *args), w), [x])
    p = python_grads(lambda a: (py(a) * torsh.tensor(w)).sum(), [x])
    np.testing.assert_allclose(c[0], p[0], **TOL64)


def test_movement_and_cast_gradients() -> None:
    x = rand(2, 3, 4)
    w = rand(4, 6)

    def c_fn(a):
        t = call("transpose", a, 0, 2)  # (4, 3, 2)
        r = call("reshape", t, capi.shape_arg([4, 6]), 2)
        f = call("cast", call("contiguous", r), 0)  # to f32 and back to f64
        return weighted_sum(call("cast", f, 1), w)

    def p_fn(a):
        r = torsh.reshape(torsh.transpose(a, 0, 2), (4, 6))
        return (r.to(torsh.float32).to(torsh.float64) * torsh.tensor(w)).sum()

    np.testing.assert_allclose(c_grads(c_fn, [x])[0], python_grads(p_fn, [x])[0], rtol=1e-6)


def test_loss_gradients_match_python() -> None:
    logits, target, y = rand(5, 4), RNG.integers(0, 4, 5), rand(5, 4)
    c = c_grads(lambda a: call("cross_entropy", a, tensor(target)), [logits])
    p = python_grads(lambda a: F.cross_entropy(a, torsh.tensor(target)), [logits])
    np.testing.assert_allclose(c[0], p[0], **TOL64)
    c = c_grads(lambda a: call("mse_loss", a, tensor(y)), [logits])
    p = python_grads(lambda a: F.mse_loss(a, torsh.tensor(y)), [logits])
    np.testing.assert_allclose(c[0], p[0], **TOL64)


def test_gradients_accumulate_and_graphs_free_after_backward() -> None:
    x = tensor(np.array([2.0, 3.0])).requires_grad_()
    y = call("sum", call("mul", x, x))
    status("backward", y, True)  # retained: a second backward is allowed
    status("backward", y, False)
    np.testing.assert_array_equal(x.grad, [8.0, 12.0])  # 2 * 2x, accumulated
    with pytest.raises(errors.InvalidArgumentError, match="retain_graph"):
        status("backward", y, False)
    status("tensor_zero_grad", x)
    assert x.grad is None
    with pytest.raises(errors.InvalidArgumentError, match="scalar"):
        status("backward", call("mul", x, x), False)
    with pytest.raises(errors.InvalidArgumentError, match="does not require grad"):
        status("backward", call("sum", tensor(np.ones(2))), False)


def test_no_grad_sections_record_nothing() -> None:
    lib = capi.lib()
    x = tensor(np.ones(3)).requires_grad_()
    lib.torsh_no_grad_begin()
    y = call("exp", x)
    status("no_grad_end")
    assert lib.torsh_tensor_requires_grad(y.h) == 0
    assert lib.torsh_tensor_requires_grad(call("exp", x).h) == 1
    with pytest.raises(errors.InvalidArgumentError, match="no_grad"):
        status("no_grad_end")
    with pytest.raises(errors.DTypeError):
        status("tensor_set_requires_grad", tensor(np.arange(3)), True)


# --------------------------------------------------------------------- modules, optimizers

def forward(model, x: CT) -> CT:
    return CT(capi.lib().torsh_module_forward(model, x.h))


def c_mlp(sizes):
    lib = capi.lib()
    model = lib.torsh_sequential_new()
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        status("sequential_add", model, lib.torsh_linear_new(n_in, n_out, True))
        if i < len(sizes) - 2:
            status("sequential_add", model, lib.torsh_relu_new())
    return model


def c_params(model):
    lib = capi.lib()
    params = lib.torsh_module_parameters(model)
    tensors = []
    for i in range(lib.torsh_params_count(params)):
        h = lib.torsh_params_get(params, i)
        status("tensor_retain", h)
        tensors.append(CT(h))
    return params, tensors


def python_mlp_like(c_tensors):
    """A torsh.nn MLP holding the C model's weights."""
    layers = []
    for w, b in zip(c_tensors[::2], c_tensors[1::2]):
        wn, bn = w.numpy(), b.numpy()
        lin = torsh.nn.Linear(wn.shape[1], wn.shape[0])
        lin.load_state_dict({"weight": torsh.tensor(wn), "bias": torsh.tensor(bn)})
        layers += [lin, torsh.nn.ReLU()]
    return torsh.nn.Sequential(*layers[:-1])


def test_c_mlp_loss_and_gradients_match_python_on_the_same_weights() -> None:
    lib = capi.lib()
    lib.torsh_manual_seed(3)
    model = c_mlp([20, 16, 5])
    params, ts = c_params(model)
    x, target = rand(8, 20, dtype=np.float32), RNG.integers(0, 5, 8)
    out = forward(model, tensor(x))
    loss = call("cross_entropy", out, tensor(target))
    status("backward", loss, False)
    net = python_mlp_like(ts)
    p_loss = F.cross_entropy(net(torsh.tensor(x)), torsh.tensor(target))
    p_loss.backward()
    np.testing.assert_allclose(loss.numpy(), p_loss.numpy(), rtol=1e-5)
    for ct, pp in zip(ts, net.parameters()):
        np.testing.assert_allclose(ct.grad, pp.grad.numpy(), rtol=1e-4, atol=1e-6)
    lib.torsh_params_free(params)
    lib.torsh_module_free(model)


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_optimizer_trajectories_match_python(name) -> None:
    lib = capi.lib()
    lib.torsh_manual_seed(4)
    model = c_mlp([6, 4, 3])
    params, ts = c_params(model)
    net = python_mlp_like(ts)
    if name == "adam":
        opt = lib.torsh_adam_new(params, 0.01, 0.9, 0.999, 1e-8)
        p_opt = torsh.optim.Adam(net.parameters(), lr=0.01)
    else:
        opt = lib.torsh_sgd_new(params, 0.05, 0.9)
        p_opt = torsh.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    x, target = rand(10, 6, dtype=np.float32), RNG.integers(0, 3, 10)
    for _ in range(20):
        status("optimizer_zero_grad", opt)
        out = forward(model, tensor(x))
        status("backward", call("cross_entropy", out, tensor(target)), False)
        status("optimizer_step", opt)
        p_opt.zero_grad()
        F.cross_entropy(net(torsh.tensor(x)), torsh.tensor(target)).backward()
        p_opt.step()
    for ct, pp in zip(ts, net.parameters()):
        np.testing.assert_allclose(ct.numpy(), pp.numpy(), rtol=1e-4, atol=1e-5)
    lib.torsh_optimizer_free(opt)
    lib.torsh_module_free(model)


def test_c_mlp_trains_on_a_fixed_problem() -> None:
    """784-128-10 on a teacher-labelled random problem: after 100 Adam steps the loss is
    below 5% of the first (the examples/c/train_mlp.c setting)."""
    lib = capi.lib()
    lib.torsh_manual_seed(0)
    x = rand(128, 784, dtype=np.float32)
    target = np.argmax(x @ rand(784, 10, dtype=np.float32), axis=1)
    model = c_mlp([784, 128, 10])
    opt = lib.torsh_adam_new(lib.torsh_module_parameters(model), 1e-3, 0.9, 0.999, 1e-8)
    xt, tt = tensor(x), tensor(target)
    losses = []
    for _ in range(100):
        out = forward(model, xt)
        loss = call("cross_entropy", out, tt)
        losses.append(float(loss.numpy()))
        status("optimizer_zero_grad", opt)
        status("backward", loss, False)
        status("optimizer_step", opt)
    assert losses[-1] < 0.05 * losses[0], losses[::10]
    lib.torsh_optimizer_free(opt)
    lib.torsh_module_free(model)


def test_module_errors() -> None:
    lib = capi.lib()
    model = c_mlp([4, 3])
    with pytest.raises(errors.ShapeMismatchError, match=r"in_features=4.*\(2, 5\)"):
        forward(model, tensor(rand(2, 5, dtype=np.float32)))
    lib.torsh_module_free(model)
    with pytest.raises(errors.InvalidHandleError):
        forward(model, tensor(rand(2, 4, dtype=np.float32)))
    err = ctypes.c_void_p()
    assert not lib.torsh_linear_new_with_error(0, 3, True, ctypes.byref(err))
    with pytest.raises(errors.InvalidArgumentError, match="positive"):
        raise capi.rt.take_error(err)
