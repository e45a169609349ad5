"""Moving data between torsh, numpy, DLPack consumers/producers and PyTorch.

Zero-copy whenever memory can be shared: a realized, C-contiguous tensor of a dtype both
sides know. A copy is made - and only then - when the source is non-contiguous, has a
dtype the other side lacks (numpy has no bfloat16), or (PyTorch) requires grad.

>>> import numpy as np, torsh
>>> a = np.arange(4.0, dtype=np.float32)
>>> t = torsh.from_numpy(a)
>>> a[0] = 10.0
>>> t.tolist()
[10.0, 1.0, 2.0, 3.0]
"""

from __future__ import annotations

import numpy as np

from torsh import _runtime, dtypes
from torsh._tensor import Tensor
from torsh.errors import DTypeError, TorshNotImplementedError
from torsh.ir.types import TensorType


def _supported(dtype: np.dtype) -> dtypes.dtype:
    try:
        return dtypes.as_dtype(dtype)
    except DTypeError:
        raise DTypeError(f"numpy dtype {dtype} has no torsh equivalent (supported: "
                         f"{', '.join(d.name for d in dtypes.ALL if d is not dtypes.bfloat16)})"
                         ) from None


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (kept alive by the tensor). Non-contiguous
    arrays are copied (torsh kernels read contiguous buffers)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    dt = _supported(array.dtype)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    share = array.flags.c_contiguous
    buf = _runtime.RuntimeTensor.from_numpy(array if share else np.array(array, order="C"),
                                            copy=False)
    return Tensor._from_buffer(buf, TensorType(array.shape, dt.ir))


def as_tensor(data, dtype=None) -> Tensor:
    """Share memory where possible (numpy arrays, torch tensors, DLPack producers, torsh
    tensors); otherwise copy, as torch.as_tensor."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if _is_torch(data):
        out = from_pytorch(data)
    elif isinstance(data, np.ndarray):
        out = from_numpy(data)
    elif hasattr(data, "__dlpack__"):
        out = from_dlpack(data)
    else:
        from torsh.ops.creation import tensor

        return tensor(data, dtype=dtype)
    return out if dtype is None else out.to(dtype)


# ------------------------------------------------------------------------------- DLPack

def _dlpack(self: Tensor, *, stream=None, max_version=None, dl_device=None, copy=None):
    """DLPack export (the current protocol: versioned capsules when the consumer passes
    max_version, read-only flag honoured): a view of the realized buffer, no copy."""
    if stream is not None:
        raise TorshNotImplementedError("torsh tensors live on the CPU: stream must be None")
    arr = _export_array(self)
    kwargs = {}
    if max_version is not None:
        kwargs["max_version"] = max_version
    if dl_device is not None:
        kwargs["dl_device"] = dl_device
    if copy is not None:
        kwargs["copy"] = copy
    return arr.__dlpack__(**kwargs)


def _dlpack_device(self: Tensor):
    return (1, 0)  # kDLCPU, device 0


def _export_array(t: Tensor) -> np.ndarray:
    if t.dtype is dtypes.bfloat16:
        raise DTypeError("bfloat16 tensors cannot be exported through numpy/DLPack here "
                         "(numpy has no bfloat16); convert with .float() first")
    t.realize()
    return t._buf.numpy()


def from_dlpack(obj) -> Tensor:
    """A tensor sharing the memory of any DLPack producer (numpy, torch, ...)."""
    if not hasattr(obj, "__dlpack__"):
        raise TypeError(f"{type(obj).__name__} does not implement __dlpack__")
    return from_numpy(np.from_dlpack(obj))


# ------------------------------------------------------------------------------ PyTorch

def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "requires_grad")


def from_pytorch(t) -> Tensor:
    """A torsh tensor sharing a CPU torch tensor's memory. Copies when the torch tensor is
    non-contiguous or requires grad (its data is taken detached, as a copy, so torsh never
    aliases memory that torch's autograd tracks)."""
    if not _is_torch(t):
        raise TypeError(f"from_pytorch expects a torch.Tensor, got {type(t).__name__}")
    if t.device.type != "cpu":
        raise TorshNotImplementedError(f"torch tensor is on {t.device}; torsh runs on the CPU")
    if t.dtype.__repr__() == "torch.bfloat16":
        import torch

        bits = t.contiguous().view(torch.int16).numpy().view(np.uint16)
        from torsh.ir.bf16 import from_bf16_bits
        from torsh.ops.creation import from_array

        return from_array(from_bf16_bits(bits).reshape(bits.shape), dtypes.bfloat16)
    if t.requires_grad:
        return from_numpy(t.detach().numpy().copy())
    return from_numpy(t.numpy())


def to_pytorch(self: Tensor):
    """A torch tensor sharing this tensor's (realized) memory."""
    import torch

    if self.dtype is dtypes.bfloat16:
        self.realize()
        bits = self._buf.numpy()
        return torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(_export_array(self))


def _array_interface(self: Tensor) -> dict:
    return _export_array(self).__array_interface__


Tensor.__dlpack__ = _dlpack
Tensor.__dlpack_device__ = _dlpack_device
Tensor.to_pytorch = to_pytorch
Tensor.__array_interface__ = property(_array_interface)
