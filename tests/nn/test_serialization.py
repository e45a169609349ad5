"""torsh.save / torsh.load (acceptance line 7): model and (nested) optimizer state dicts
round-trip, the file is safetensors (checked by parsing the layout by hand), and corrupt
files are rejected with InvalidArgumentError."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

import torsh
import torsh.nn as nn
import torsh.nn.functional as F


def model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def train_steps(net, opt, n, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x = torsh.tensor(rng.standard_normal((5, 4)).astype(np.float32))
        y = torsh.tensor(rng.integers(0, 3, 5))
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()


def parse_safetensors(path):
    """The layout by hand: u64 little-endian header length, JSON header, data bytes."""
    blob = path.read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    return header, blob[8 + n:]


def test_model_state_dict_round_trip(tmp_path):
    torsh.manual_seed(0)
    a, b = model(), model()
    path = tmp_path / "model.safetensors"
    torsh.save(a.state_dict(), path)
    loaded = torsh.load(path)
    assert list(loaded) == list(a.state_dict())
    b.load_state_dict(loaded)
    x = torsh.randn(2, 4)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())


def test_file_is_safetensors_with_correct_offsets(tmp_path):
    torsh.manual_seed(0)
    net = model()
    path = tmp_path / "model.safetensors"
    sd = net.state_dict()
    sd["steps"] = torsh.tensor([3, 4], dtype=torsh.int64)
    sd["f64"] = torsh.tensor([[1.5, 2.5]], dtype=torsh.float64)
    torsh.save(sd, path)
    blob = path.read_bytes()
    header, data = parse_safetensors(path)
    assert (8 + struct.unpack("<Q", blob[:8])[0]) % 8 == 0  # data section aligned to 8
    assert isinstance(header["__metadata__"], dict)
    assert all(isinstance(v, str) for v in header["__metadata__"].values())
    # the metadata maps each state-dict key to the name of its tensor entry
    structure = json.loads(header["__metadata__"]["structure"])
    names = {k: v["__tensor__"] for k, v in structure["__dict__"]}
    assert list(names) == list(sd)
    np_types = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}
    spans = []
    # every tensor stored under its entry with dtype, shape and byte range (C order, LE)
    for key, t in sd.items():
        entry = header[names[key]]
        begin, end = entry["data_offsets"]
        assert entry["shape"] == list(t.shape), key
        assert end - begin == t.numel() * t.element_size(), key
        stored = np.frombuffer(data[begin:end], np_types[entry["dtype"]]).reshape(entry["shape"])
        np.testing.assert_array_equal(stored, t.numpy(), err_msg=key)
        assert stored.dtype.newbyteorder("=") == t.numpy().dtype.newbyteorder("="), key
        spans.append((begin, end))
    # the byte ranges tile the data section exactly: no gaps, no overlaps
    spans.sort()
    assert spans[0][0] == 0 and spans[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert {v["dtype"] for k, v in header.items() if k != "__metadata__"} == {"F32", "I64",
                                                                              "F64"}


def test_plain_safetensors_from_elsewhere_loads(tmp_path):
    # a file written by hand, the way the safetensors library lays it out
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([7, -8], dtype="<i8")
    head = json.dumps({"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                       "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}}).encode()
    path = tmp_path / "plain.safetensors"
    path.write_bytes(struct.pack("<Q", len(head)) + head + a.tobytes() + b.tobytes())
    out = torsh.load(path)
    np.testing.assert_array_equal(out["a"].numpy(), a)
    np.testing.assert_array_equal(out["b"].numpy(), b)
    assert out["b"].dtype == torsh.int64


def test_readable_by_the_safetensors_library(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "m.safetensors"
    torsh.save({"w": torsh.tensor([[1.0, 2.0]]), "i": torsh.tensor([1, 2])}, path)
    out = st.load_file(str(path))
    header, _ = parse_safetensors(path)
    assert sorted(out) == sorted(k for k in header if k != "__metadata__")
    values = sorted((v.tolist() for v in out.values()), key=str)
    assert values == sorted([[[1.0, 2.0]], [1, 2]], key=str)


def test_optimizer_state_dict_round_trip_resumes_identically(tmp_path):
    torsh.manual_seed(1)
    net = model()
    opt = torsh.optim.Adam(net.parameters(), lr=0.01, betas=(0.8, 0.9), amsgrad=True)
    train_steps(net, opt, 3)
    torsh.save({"model": net.state_dict(), "optim": opt.state_dict(), "epoch": 3,
                "note": "nested", "ratios": [0.5, (1, 2)]}, tmp_path / "ckpt")
    ckpt = torsh.load(tmp_path / "ckpt")
    assert ckpt["epoch"] == 3 and ckpt["note"] == "nested" and ckpt["ratios"] == [0.5, (1, 2)]
    sd = ckpt["optim"]
    assert sorted(sd) == ["param_groups", "state"]
    assert sd["param_groups"][0]["betas"] == (0.8, 0.9)
    assert sd["param_groups"][0]["amsgrad"] is True
    assert sorted(sd["state"]) == list(range(4))  # integer keys survive
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert float(sd["state"][0]["step"]) == 3.0

    net2 = model()
    net2.load_state_dict(ckpt["model"])
    opt2 = torsh.optim.Adam(net2.parameters(), lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.01
    train_steps(net, opt, 2, seed=5)
    train_steps(net2, opt2, 2, seed=5)
    for p, q in zip(net.parameters(), net2.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _file(header, data=b""):
    head = json.dumps(header).encode()
    return struct.pack("<Q", len(head)) + head + data


GOOD = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}

CORRUPT = {
    "empty": b"",
    "short_length": b"\x01\x02\x03",
    "header_longer_than_file": struct.pack("<Q", 500) + b'{"w": 1}',
    "huge_header_length": b"\xff" * 8 + b"{}",
    "truncated_header": _file(GOOD, b"\0" * 8)[:20],
    "bad_json": struct.pack("<Q", 9) + b'{"w": [1,',
    "not_utf8": struct.pack("<Q", 4) + b"\xff\xfe\xfd\xfc",
    "header_not_an_object": struct.pack("<Q", 3) + b"[1]",
    "entry_not_an_object": _file({"w": [1, 2]}, b"\0" * 8),
    "unknown_dtype": _file({"w": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}},
                           b"\0" * 8),
    "truncated_data": _file(GOOD, b"\0" * 5),
    "negative_offset": _file({"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}},
                             b"\0" * 8),
    "offsets_past_end": _file({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}},
                              b"\0" * 8),
    "size_mismatch": _file({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}},
                           b"\0" * 12),
    "negative_dim": _file({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}},
                          b"\0" * 8),
    "bad_structure": _file({**GOOD, "__metadata__": {"structure": "{oops"}}, b"\0" * 8),
    "structure_names_missing_tensor": _file(
        {**GOOD, "__metadata__": {"structure": json.dumps({"__tensor__": "nope"})}}, b"\0" * 8),
}


@pytest.mark.parametrize("name", list(CORRUPT))
def test_corrupt_files_raise_invalid_argument(tmp_path, name):
    path = _write(tmp_path, name, CORRUPT[name])
    with pytest.raises(torsh.InvalidArgumentError, match=str(path).replace("\\", "\\\\")):
        torsh.load(path)


def test_truncating_a_real_checkpoint_anywhere_is_detected(tmp_path):
    path = tmp_path / "m.safetensors"
    torsh.save(model().state_dict(), path)
    blob = path.read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    for cut in (0, 4, 8, 8 + n // 2, 8 + n, len(blob) - 1):
        with pytest.raises(torsh.InvalidArgumentError):
            torsh.load(_write(tmp_path, f"cut{cut}", blob[:cut]))


def test_save_rejects_objects_it_cannot_store(tmp_path):
    with pytest.raises(torsh.InvalidArgumentError, match="cannot store a object"):
        torsh.save({"x": object()}, tmp_path / "x")
