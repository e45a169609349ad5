"""The Module API (acceptance line 2): parameter order (as torch's for the same model),
children and modules, train/eval propagation, state_dict round trip and its errors,
zero_grad."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import torsh
import torsh.nn as nn


class Block(nn.Module):
    def __init__(self, lib):
        super().__init__()
        self.scale = lib.Parameter(torsh.ones(3) if lib is nn else None)
        self.inner = lib.Sequential(lib.Linear(3, 4), lib.ReLU(), lib.Linear(4, 3))
        self.norm = lib.LayerNorm(3)


class Net(nn.Module):
    """Nested containers, a direct parameter, a shared module and a bias-less layer."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 3)
        self.blocks = nn.ModuleList([Block(nn), Block(nn)])
        self.head = nn.Linear(3, 2, bias=False)
        self.temperature = nn.Parameter(torsh.ones(1))
        self.tied = self.head  # the same module twice: listed once

    def forward(self, idx):
        h = self.embed(idx)
        for b in self.blocks:
            h = b.norm(b.inner(h) * b.scale + h)
        return self.head(h) / self.temperature


NET_PARAMS = [
    "temperature", "embed.weight",
    "blocks.0.scale", "blocks.0.inner.0.weight", "blocks.0.inner.0.bias",
    "blocks.0.inner.2.weight", "blocks.0.inner.2.bias", "blocks.0.norm.weight",
    "blocks.0.norm.bias",
    "blocks.1.scale", "blocks.1.inner.0.weight", "blocks.1.inner.0.bias",
    "blocks.1.inner.2.weight", "blocks.1.inner.2.bias", "blocks.1.norm.weight",
    "blocks.1.norm.bias",
    "head.weight",
]


def test_named_parameters_order_is_depth_first_with_own_parameters_first():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == NET_PARAMS
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    own = [n for n, _ in net.named_parameters(recurse=False)]
    assert own == ["temperature"]


def test_parameter_order_matches_torch_for_an_equivalent_model():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    class TorchBlock(tnn.Module):
        def __init__(self):
            super().__init__()
            self.scale = tnn.Parameter(torch.ones(3))
            self.inner = tnn.Sequential(tnn.Linear(3, 4), tnn.ReLU(), tnn.Linear(4, 3))
            self.norm = tnn.LayerNorm(3)

    class TorchNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.embed = tnn.Embedding(10, 3)
            self.blocks = tnn.ModuleList([TorchBlock(), TorchBlock()])
            self.head = tnn.Linear(3, 2, bias=False)
            self.temperature = tnn.Parameter(torch.ones(1))
            self.tied = self.head

    net, tnet = Net(), TorchNet()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in tnet.named_parameters()]
    assert [n for n, _ in net.named_modules()] == [n for n, _ in tnet.named_modules()]
    assert [n for n, _ in net.named_children()] == [n for n, _ in tnet.named_children()]
    assert list(net.state_dict()) == list(tnet.state_dict())
    for p, tp in zip(net.parameters(), tnet.parameters()):
        assert tuple(p.shape) == tuple(tp.shape)


def test_children_and_modules():
    net = Net()
    # the module registered twice ("head" and "tied") is one child, as in torch
    assert [n for n, _ in net.named_children()] == ["embed", "blocks", "head"]
    kids = list(net.children())
    assert kids[0] is net.embed and kids[2] is net.head
    names = [n for n, _ in net.named_modules()]
    assert names[:4] == ["", "embed", "blocks", "blocks.0"]
    assert names.count("head") == 1 and "tied" not in names  # a shared module once
    assert len(list(net.modules())) == len(names) == 1 + 1 + 1 + 2 * 6 + 1
    assert list(net.modules())[0] is net


def test_train_and_eval_propagate_to_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.blocks[1].train()
    assert net.blocks[1].inner[0].training and not net.blocks[0].inner[0].training
    net.train()
    assert all(m.training for m in net.modules())
    net.train(False)
    assert not any(m.training for m in net.modules())


def test_setattr_registration_and_replacement():
    m = nn.Module()
    m.w = nn.Parameter(torsh.zeros(2))
    m.sub = nn.Linear(2, 2)
    m.plain = 3
    assert [n for n, _ in m.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    m.w = nn.Linear(1, 1)  # re-binding a name moves it between the stores
    assert [n for n, _ in m.named_parameters()] == ["sub.weight", "sub.bias", "w.weight",
                                                    "w.bias"]
    del m.sub
    assert [n for n, _ in m.named_parameters()] == ["w.weight", "w.bias"]
    with pytest.raises(AttributeError, match=r"super\(\)\.__init__\(\)"):
        class Broken(nn.Module):
            def __init__(self):
                self.x = 1
        Broken()


def test_state_dict_round_trip_restores_outputs():
    torsh.manual_seed(0)
    a, b = Net(), Net()
    idx = torsh.tensor([[1, 2, 3], [4, 5, 9]])
    assert not np.allclose(a(idx).numpy(), b(idx).numpy())
    sd = a.state_dict()
    # the shared module is saved under both of its names, as torch does
    assert isinstance(sd, OrderedDict) and list(sd) == NET_PARAMS + ["tied.weight"]
    assert all(not t.requires_grad for t in sd.values())  # detached copies
    missing, unexpected = b.load_state_dict(sd)
    assert missing == [] and unexpected == []
    np.testing.assert_array_equal(a(idx).numpy(), b(idx).numpy())
    for (n, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=n)
        assert isinstance(q, nn.Parameter) and q.requires_grad  # identity kept


def test_state_dict_keeps_buffers_in_torch_order():
    class WithStats(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)
            self.register_buffer("count", torsh.zeros(1))
            self.inner = nn.Module()
            self.inner.register_buffer("mean", torsh.ones(2))

    m = WithStats()
    assert list(m.state_dict()) == ["count", "lin.weight", "lin.bias", "inner.mean"]
    assert [n for n, _ in m.named_buffers()] == ["count", "inner.mean"]
    sd = m.state_dict()
    sd["inner.mean"] = torsh.tensor([5.0, 6.0])
    m.load_state_dict(sd)
    np.testing.assert_array_equal(m.inner.mean.numpy(), [5.0, 6.0])


def test_load_state_dict_strict_errors_name_the_keys():
    net = Net()
    sd = net.state_dict()
    del sd["head.weight"]
    sd["head.bias"] = torsh.zeros(2)
    with pytest.raises(torsh.InvalidArgumentError) as err:
        Net().load_state_dict(sd)
    assert "missing keys ['head.weight']" in str(err.value)
    assert "unexpected keys ['head.bias']" in str(err.value)
    missing, unexpected = Net().load_state_dict(sd, strict=False)
    assert missing == ["head.weight"] and unexpected == ["head.bias"]


def test_load_state_dict_shape_mismatch_changes_nothing():
    net = Net()
    before = {n: p.numpy().copy() for n, p in net.named_parameters()}
    sd = Net().state_dict()
    sd["head.weight"] = torsh.zeros(3, 3)
    with pytest.raises(torsh.ShapeMismatchError, match=r"head.weight has shape \[3, 3\].*\[2, 3\]"):
        net.load_state_dict(sd)
    for n, p in net.named_parameters():  # all or nothing: earlier keys were not loaded
        np.testing.assert_array_equal(p.numpy(), before[n], err_msg=n)


def test_zero_grad():
    lin = nn.Linear(3, 2)
    lin(torsh.ones(4, 3)).sum().backward()
    assert lin.weight.grad is not None
    lin.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(lin.weight.grad.numpy(), np.zeros((2, 3), np.float32))
    lin.zero_grad()  # PyTorch's default: set_to_none=True
    assert lin.weight.grad is None and lin.bias.grad is None
    lin(torsh.ones(4, 3)).sum().backward()
    np.testing.assert_array_equal(lin.bias.grad.numpy(), [4.0, 4.0])


def test_requires_grad_and_repr():
    lin = nn.Linear(3, 2)
    lin.requires_grad_(False)
    assert not any(p.requires_grad for p in lin.parameters())
    assert repr(lin) == "Linear(in_features=3, out_features=2, bias=True)"
    assert "(0): Linear" in repr(nn.Sequential(nn.Linear(1, 1)))
    assert len(nn.Sequential(nn.ReLU(), nn.Tanh())) == 2
    with pytest.raises(IndexError):
        nn.Sequential(nn.ReLU())[3]


def test_assigning_a_parameter_over_a_plain_attribute_registers_and_is_visible():
    lin = nn.Linear(3, 2, bias=False)
    assert lin.bias is None and [n for n, _ in lin.named_parameters()] == ["weight"]
    lin.bias = nn.Parameter(torsh.ones(2))  # was a plain `None` before
    assert isinstance(lin.bias, nn.Parameter)
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    np.testing.assert_array_equal(lin(torsh.zeros(1, 3)).numpy(), [[1.0, 1.0]])
    m = nn.Module()
    m.a = 3
    m.a = nn.Linear(1, 1)
    assert isinstance(m.a, nn.Linear) and [n for n, _ in m.named_children()] == ["a"]


def test_assigning_to_a_parameter_name():
    lin = nn.Linear(3, 2)
    with pytest.raises(torsh.InvalidArgumentError, match=r"parameter 'weight'.*nn.Parameter"):
        lin.weight = lin.weight * 2  # would silently drop it from parameters()
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    lin.bias = None  # as torch: the name stays registered, as None
    assert lin.bias is None and "bias" in lin._parameters
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    lin.bias = nn.Parameter(torsh.zeros(2))
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]


def test_assigning_to_a_buffer_name_updates_the_buffer():
    m = nn.Module()
    m.register_buffer("running", torsh.zeros(2))
    m.running = m.running + 1  # what a running-statistics update does
    assert [n for n, _ in m.named_buffers()] == ["running"]
    np.testing.assert_array_equal(m.state_dict()["running"].numpy(), [1.0, 1.0])
