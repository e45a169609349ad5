"""Zero-copy interop with numpy, DLPack and PyTorch: writes on one side are seen on the
other; the documented copying cases copy; lifetimes hold; no leaks."""

import gc

import numpy as np
import pytest

import torsh
from torsh import _runtime


def test_from_numpy_shares_both_ways():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = torsh.from_numpy(a)
    a[0, 0] = 100
    assert t.numpy()[0, 0] == 100
    t.numpy()[1, 2] = -1
    assert a[1, 2] == -1


def test_numpy_view_of_realized_tensor_shares():
    t = torsh.tensor([1.0, 2.0, 3.0])
    v = t.numpy()
    v[0] = 7
    assert t.tolist() == [7.0, 2.0, 3.0]
    assert np.shares_memory(np.asarray(t), v)
    assert t.__array_interface__["data"][0] == v.ctypes.data


def test_copies_where_documented():
    a = np.arange(12, dtype=np.float32).reshape(3, 4).T  # non-contiguous: copied
    t = torsh.from_numpy(a)
    a[0, 0] = 99
    assert t.numpy()[0, 0] == 0
    b = np.arange(3, dtype=np.float64)
    c = torsh.tensor(b)  # torsh.tensor always copies
    b[0] = 5
    assert c.tolist()[0] == 0
    with pytest.raises(torsh.DTypeError):
        torsh.from_numpy(np.zeros(2, dtype=np.complex64))


def test_lifetime_numpy_kept_alive_by_tensor():
    a = np.arange(1000, dtype=np.float64)
    t = torsh.from_numpy(a)
    del a
    gc.collect()
    assert t.numpy()[999] == 999


def test_lifetime_tensor_kept_alive_by_numpy_view():
    v = (torsh.arange(10).float() * 2).numpy()
    gc.collect()
    assert v[9] == 18


def test_no_leak_over_many_round_trips():
    gc.collect()
    base = _runtime.memory_stats().bytes_live
    a = np.ones(64, dtype=np.float32)
    for _ in range(100_000):
        torsh.from_numpy(a).numpy()
    gc.collect()
    assert _runtime.memory_stats().bytes_live == base


def test_dlpack_both_directions_with_numpy():
    t = torsh.tensor([1.0, 2.0, 3.0])
    n = np.from_dlpack(t)
    n[1] = 20
    assert t.tolist() == [1.0, 20.0, 3.0]
    assert t.__dlpack_device__() == (1, 0)
    src = np.arange(4, dtype=np.int64)
    u = torsh.from_dlpack(src)
    src[3] = -3
    assert u.tolist() == [0, 1, 2, -3]


torch = pytest.importorskip("torch", reason="PyTorch not installed: torch interop untested")


def test_specified_pytorch_snippet():
    torch_tensor = torch.randn(10, 20)
    torsh_tensor = torsh.from_pytorch(torch_tensor)
    torch_tensor = torsh_tensor.to_pytorch()
    shared = torsh.as_tensor(torch_tensor)   # zero-copy
    x = torsh.tensor([[1, 2], [3, 4]], dtype=torsh.float32)
    y = torsh.tensor([[5, 6], [7, 8]], dtype=torsh.float32)
    z = torsh.matmul(x, y)
    assert z.tolist() == [[19.0, 22.0], [43.0, 50.0]]
    torch_tensor[0, 0] = 123.0
    assert shared.numpy()[0, 0] == 123.0
    assert torsh_tensor.numpy()[0, 0] == 123.0


def test_torch_shares_both_ways_and_dlpack():
    tt = torch.zeros(3, 4)
    s = torsh.from_pytorch(tt)
    tt[1, 1] = 5
    assert s.numpy()[1, 1] == 5
    back = s.to_pytorch()
    back[2, 3] = 7
    assert tt[2, 3].item() == 7
    via = torch.from_dlpack(s)
    via[0, 0] = 1
    assert tt[0, 0].item() == 1
    d = torsh.from_dlpack(tt)
    tt[0, 1] = 9
    assert d.numpy()[0, 1] == 9


def test_torch_copying_cases():
    nc = torch.arange(12.0).reshape(3, 4).t()
    s = torsh.from_pytorch(nc)
    nc[0, 0] = 50
    assert s.numpy()[0, 0] == 0  # non-contiguous: copied
    rg = torch.ones(2, requires_grad=True)
    s2 = torsh.from_pytorch(rg)
    with torch.no_grad():
        rg[0] = 3
    assert s2.tolist() == [1.0, 1.0]  # requires_grad: copied
    bf = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)
    sb = torsh.from_pytorch(bf)
    assert sb.dtype == torsh.bfloat16 and sb.float().tolist() == [1.5, -2.0]


def test_torch_lifetime():
    tt = torch.arange(100.0)
    s = torsh.from_pytorch(tt)
    del tt
    gc.collect()
    assert s.numpy()[99] == 99
    t2 = torsh.arange(5).float().to_pytorch()
    gc.collect()
    assert t2[4].item() == 4
