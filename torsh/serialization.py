"""``torsh.save`` / ``torsh.load``: state dicts in the safetensors layout.

File = u64 little-endian header length | JSON header | raw tensor bytes. The header maps
each tensor name to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets into the
byte section, little-endian, C order) and ``"__metadata__"`` holds string metadata; torsh
stores the nesting of non-flat objects (an optimizer's state dict, plain numbers) there as
JSON, so any dict of tensors, numbers, strings, lists and dicts round-trips.

>>> import torsh, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
>>> torsh.save({"w": torsh.tensor([1.0, 2.0])}, path)
>>> torsh.load(path)["w"]
tensor([1., 2.])
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from torsh import dtypes
from torsh._tensor import Tensor
from torsh.errors import InvalidArgumentError

_NAMES = {"float32": "F32", "float64": "F64", "float16": "F16", "bfloat16": "BF16",
          "int64": "I64", "int32": "I32", "int8": "I8", "bool": "BOOL"}
_BY_NAME = {v: k for k, v in _NAMES.items()}
MAX_HEADER = 100 << 20


def save(obj, path) -> None:
    tensors: dict[str, Tensor] = {}

    def encode(o, key: str):
        if isinstance(o, Tensor):
            tensors[key] = o
            return {"__tensor__": key}
        if isinstance(o, dict):
            return {"__dict__": [[encode(k, f"{key}.k{i}"), encode(v, f"{key}.{i}")]
                                 for i, (k, v) in enumerate(o.items())]}
        if isinstance(o, (list, tuple)):
            return {"__list__" if isinstance(o, list) else "__tuple__":
                    [encode(v, f"{key}.{i}") for i, v in enumerate(o)]}
        if o is None or isinstance(o, (bool, int, float, str)):
            return o
        raise InvalidArgumentError(f"torsh.save cannot store a {type(o).__name__}")

    structure = encode(obj, "t")
    header: dict = {"__metadata__": {"format": "torsh", "structure": json.dumps(structure)}}
    chunks, offset = [], 0
    for key, t in tensors.items():
        data = np.ascontiguousarray(t.detach().realize()._buf.numpy())
        raw = data.astype(data.dtype.newbyteorder("<"), copy=False).tobytes()
        header[key] = {"dtype": _NAMES[t.dtype.name], "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # safetensors aligns the byte section to 8
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)


def load(path):
    from torsh.ops.creation import from_array

    blob = Path(path).read_bytes()
    if len(blob) < 8:
        raise InvalidArgumentError(f"{path}: too short to be a safetensors file")
    (n,) = struct.unpack_from("<Q", blob)
    if n > MAX_HEADER or 8 + n > len(blob):
        raise InvalidArgumentError(f"{path}: corrupt safetensors header length {n}")
    try:
        header = json.loads(blob[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidArgumentError(f"{path}: corrupt safetensors header ({e})") from None
    if not isinstance(header, dict):
        raise InvalidArgumentError(f"{path}: corrupt safetensors header (a JSON object was "
                                   f"expected, got {type(header).__name__})")
    body = memoryview(blob)[8 + n:]
    tensors = {}
    for key, spec in header.items():
        if key == "__metadata__":
            continue
        try:
            dt = getattr(dtypes, {"bool": "bool_"}.get(_BY_NAME[spec["dtype"]],
                                                        _BY_NAME[spec["dtype"]]))
            begin, end = spec["data_offsets"]
            shape = tuple(spec["shape"])
            # Validate before slicing: a negative offset would silently read from the end.
            if not all(type(v) is int and v >= 0 for v in (begin, end, *shape)):
                raise ValueError("offsets and dims must be non-negative integers")
            need = int(np.prod(shape, dtype=np.int64)) * dt.numpy.itemsize
            if not begin <= end <= len(body) or end - begin != need:
                raise ValueError(f"data_offsets [{begin}, {end}] do not hold {need} bytes "
                                 f"inside the {len(body)}-byte data section")
            arr = np.frombuffer(body[begin:end], dtype=dt.numpy.newbyteorder("<")).reshape(shape)
        except (KeyError, ValueError, TypeError) as e:
            raise InvalidArgumentError(f"{path}: corrupt entry {key!r} ({e})") from None
        if dt is dtypes.bfloat16:
            from torsh.ir.bf16 import from_bf16_bits

            arr = from_bf16_bits(arr).reshape(shape)
        tensors[key] = from_array(arr, dt)
    meta = header.get("__metadata__", {})
    if not isinstance(meta, dict) or "structure" not in meta:
        return tensors  # a plain safetensors file from elsewhere

    def decode(o):
        if isinstance(o, dict):
            if "__tensor__" in o:
                return tensors[o["__tensor__"]]
            if "__dict__" in o:
                return {decode(k): decode(v) for k, v in o["__dict__"]}
            if "__list__" in o:
                return [decode(v) for v in o["__list__"]]
            if "__tuple__" in o:
                return tuple(decode(v) for v in o["__tuple__"])
        return o

    try:
        return decode(json.loads(meta["structure"]))
    except (json.JSONDecodeError, TypeError, KeyError, ValueError) as e:
        raise InvalidArgumentError(f"{path}: corrupt torsh structure metadata "
                                   f"({type(e).__name__}: {e})") from None
