"""The ctypes binding of libtorsh (``include/torsh.h``): the only ctypes module of torsh.

The library is loaded on first use (``lib()``) and refused with
:class:`torsh.errors.VersionMismatchError` unless ``torsh_version_number()`` equals the
number derived from ``torsh.__version__``. ``SIGNATURES`` declares every torsh.h
function; a test parses the header and holds this table to it.

C failures become the :mod:`torsh.errors` class of their status code, carrying the C
message. ctypes releases the GIL around every call, so launches run kernels on all
workers while other Python threads continue.

>>> import numpy as np
>>> from torsh import _runtime
>>> t = _runtime.RuntimeTensor.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
>>> t.shape, t.dtype, t.strides
((2, 3), 'f32', (3, 1))
>>> t.view((3,), offset=3).numpy().tolist()
[3.0, 4.0, 5.0]
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from ctypes import (
    CFUNCTYPE,
    POINTER,
    byref,
    c_bool,
    c_char_p,
    c_double,
    c_int,
    c_int64,
    c_size_t,
    c_uint64,
    c_void_p,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from torsh import errors

# --------------------------------------------------------------------------- C types

torsh_status_t = c_int
torsh_dtype_t = c_int
Handle = c_void_p  # every opaque handle type of torsh.h (tensors, pools, plans, errors, modules...)

# typedef void (*torsh_kernel_fn)(void *const *buffers, const int64_t *sizes,
#                                 int64_t start, int64_t end);
KERNEL_FN = CFUNCTYPE(None, POINTER(c_void_p), POINTER(c_int64), c_int64, c_int64)
# typedef void (*torsh_deleter_fn)(void *data, void *ctx);
DELETER_FN = CFUNCTYPE(None, c_void_p, c_void_p)


class MemoryStats(ctypes.Structure):
    """torsh_memory_stats_t."""

    _fields_ = [
        ("bytes_live", c_int64),
        ("bytes_peak", c_int64),
        ("allocations_total", c_int64),
        ("allocations_live", c_int64),
        ("allocations_failed", c_int64),
        ("handles_live", c_int64),
        ("limit_bytes", c_int64),
    ]


_ERR_OUT = POINTER(Handle)  # torsh_error_t **
_I64_P = POINTER(c_int64)

# name -> (restype, argtypes), in header order.
SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "torsh_version_number": (c_int, []),
    "torsh_version_string": (c_char_p, []),
    "torsh_status_string": (c_char_p, [torsh_status_t]),
    "torsh_init": (torsh_status_t, []),
    "torsh_cleanup": (None, []),
    "torsh_error_message": (c_char_p, [Handle]),
    "torsh_error_code": (torsh_status_t, [Handle]),
    "torsh_error_free": (torsh_status_t, [Handle]),
    "torsh_last_error": (torsh_status_t, []),
    "torsh_last_error_message": (c_char_p, []),
    "torsh_clear_error": (None, []),
    "torsh_malloc": (c_void_p, [c_size_t]),
    "torsh_malloc_with_error": (c_void_p, [c_size_t, _ERR_OUT]),
    "torsh_free": (None, [c_void_p]),
    "torsh_memory_stats": (torsh_status_t, [POINTER(MemoryStats)]),
    "torsh_memory_reset_peak": (None, []),
    "torsh_set_memory_limit": (None, [c_size_t]),
    "torsh_get_memory_limit": (c_size_t, []),
    "torsh_debug_fail_allocation_after": (c_int64, [c_int64]),
    "torsh_debug_raise": (torsh_status_t, [torsh_status_t]),
    "torsh_dtype_size": (c_size_t, [torsh_dtype_t]),
    "torsh_tensor_from_array": (Handle, [c_void_p, _I64_P, c_int, torsh_dtype_t]),
    "torsh_tensor_from_array_with_error": (
        Handle, [c_void_p, _I64_P, c_int, torsh_dtype_t, _ERR_OUT]),
    "torsh_tensor_from_blob": (
        Handle, [c_void_p, _I64_P, _I64_P, c_int, torsh_dtype_t, DELETER_FN, c_void_p]),
    "torsh_tensor_from_blob_with_error": (
        Handle, [c_void_p, _I64_P, _I64_P, c_int, torsh_dtype_t, DELETER_FN, c_void_p, _ERR_OUT]),
    "torsh_tensor_empty": (Handle, [_I64_P, c_int, torsh_dtype_t]),
    "torsh_tensor_empty_with_error": (Handle, [_I64_P, c_int, torsh_dtype_t, _ERR_OUT]),
    "torsh_tensor_zeros": (Handle, [_I64_P, c_int, torsh_dtype_t]),
    "torsh_tensor_zeros_with_error": (Handle, [_I64_P, c_int, torsh_dtype_t, _ERR_OUT]),
    "torsh_tensor_view": (Handle, [Handle, _I64_P, _I64_P, c_int, c_int64]),
    "torsh_tensor_view_with_error": (Handle, [Handle, _I64_P, _I64_P, c_int, c_int64, _ERR_OUT]),
    "torsh_tensor_reshape": (Handle, [Handle, _I64_P, c_int]),
    "torsh_tensor_reshape_with_error": (Handle, [Handle, _I64_P, c_int, _ERR_OUT]),
    "torsh_tensor_contiguous": (Handle, [Handle]),
    "torsh_tensor_contiguous_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_tensor_data_ptr": (c_void_p, [Handle]),
    "torsh_tensor_ndim": (c_int, [Handle]),
    "torsh_tensor_shape": (_I64_P, [Handle]),
    "torsh_tensor_strides": (_I64_P, [Handle]),
    "torsh_tensor_dtype": (torsh_dtype_t, [Handle]),
    "torsh_tensor_numel": (c_int64, [Handle]),
    "torsh_tensor_nbytes": (c_int64, [Handle]),
    "torsh_tensor_is_contiguous": (c_int, [Handle]),
    "torsh_tensor_retain": (torsh_status_t, [Handle]),
    "torsh_tensor_release": (torsh_status_t, [Handle]),
    "torsh_tensor_free": (torsh_status_t, [Handle]),
    "torsh_tensor_refcount": (c_int64, [Handle]),
    "torsh_memory_pool_new": (Handle, [c_size_t]),
    "torsh_memory_pool_new_with_error": (Handle, [c_size_t, _ERR_OUT]),
    "torsh_tensor_from_pool": (Handle, [Handle, _I64_P, c_int, torsh_dtype_t]),
    "torsh_tensor_from_pool_with_error": (Handle, [Handle, _I64_P, c_int, torsh_dtype_t, _ERR_OUT]),
    "torsh_memory_pool_reset": (torsh_status_t, [Handle]),
    "torsh_memory_pool_used": (c_int64, [Handle]),
    "torsh_memory_pool_capacity": (c_int64, [Handle]),
    "torsh_memory_pool_free": (torsh_status_t, [Handle]),
    "torsh_set_num_threads": (torsh_status_t, [c_int]),
    "torsh_get_num_threads": (c_int, []),
    "torsh_launch": (torsh_status_t, [KERNEL_FN, POINTER(c_void_p), _I64_P, c_int64, c_int64]),
    "torsh_plan_new": (Handle, [c_int]),
    "torsh_plan_new_with_error": (Handle, [c_int, _ERR_OUT]),
    "torsh_plan_add_scratch": (torsh_status_t, [Handle, c_int64, POINTER(c_int)]),
    "torsh_plan_add_launch": (
        torsh_status_t,
        [Handle, KERNEL_FN, POINTER(c_int), c_int, _I64_P, c_int, c_int64, c_int64]),
    "torsh_plan_run": (torsh_status_t, [Handle, POINTER(c_void_p)]),
    "torsh_plan_num_launches": (c_int, [Handle]),
    "torsh_plan_scratch_bytes": (c_int64, [Handle]),
    "torsh_plan_free": (torsh_status_t, [Handle]),
    # the tensor API (ops, autograd, modules, optimizers)
    "torsh_manual_seed": (None, [c_uint64]),
    "torsh_tensor_rand": (Handle, [_I64_P, c_int, torsh_dtype_t]),
    "torsh_tensor_rand_with_error": (Handle, [_I64_P, c_int, torsh_dtype_t, _ERR_OUT]),
    "torsh_tensor_randn": (Handle, [_I64_P, c_int, torsh_dtype_t]),
    "torsh_tensor_randn_with_error": (Handle, [_I64_P, c_int, torsh_dtype_t, _ERR_OUT]),
    "torsh_add": (Handle, [Handle, Handle]),
    "torsh_add_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_sub": (Handle, [Handle, Handle]),
    "torsh_sub_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_mul": (Handle, [Handle, Handle]),
    "torsh_mul_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_div": (Handle, [Handle, Handle]),
    "torsh_div_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_pow": (Handle, [Handle, Handle]),
    "torsh_pow_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_neg": (Handle, [Handle]),
    "torsh_neg_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_exp": (Handle, [Handle]),
    "torsh_exp_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_log": (Handle, [Handle]),
    "torsh_log_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_sqrt": (Handle, [Handle]),
    "torsh_sqrt_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_tanh": (Handle, [Handle]),
    "torsh_tanh_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_sigmoid": (Handle, [Handle]),
    "torsh_sigmoid_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_relu": (Handle, [Handle]),
    "torsh_relu_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_gelu": (Handle, [Handle]),
    "torsh_gelu_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_matmul": (Handle, [Handle, Handle]),
    "torsh_matmul_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_sum": (Handle, [Handle]),
    "torsh_sum_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_mean": (Handle, [Handle]),
    "torsh_mean_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_max": (Handle, [Handle]),
    "torsh_max_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_sum_dim": (Handle, [Handle, c_int, c_bool]),
    "torsh_sum_dim_with_error": (Handle, [Handle, c_int, c_bool, _ERR_OUT]),
    "torsh_mean_dim": (Handle, [Handle, c_int, c_bool]),
    "torsh_mean_dim_with_error": (Handle, [Handle, c_int, c_bool, _ERR_OUT]),
    "torsh_max_dim": (Handle, [Handle, c_int, c_bool]),
    "torsh_max_dim_with_error": (Handle, [Handle, c_int, c_bool, _ERR_OUT]),
    "torsh_softmax": (Handle, [Handle, c_int]),
    "torsh_softmax_with_error": (Handle, [Handle, c_int, _ERR_OUT]),
    "torsh_log_softmax": (Handle, [Handle, c_int]),
    "torsh_log_softmax_with_error": (Handle, [Handle, c_int, _ERR_OUT]),
    "torsh_reshape": (Handle, [Handle, _I64_P, c_int]),
    "torsh_reshape_with_error": (Handle, [Handle, _I64_P, c_int, _ERR_OUT]),
    "torsh_transpose": (Handle, [Handle, c_int, c_int]),
    "torsh_transpose_with_error": (Handle, [Handle, c_int, c_int, _ERR_OUT]),
    "torsh_contiguous": (Handle, [Handle]),
    "torsh_contiguous_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_cast": (Handle, [Handle, torsh_dtype_t]),
    "torsh_cast_with_error": (Handle, [Handle, torsh_dtype_t, _ERR_OUT]),
    "torsh_fill": (torsh_status_t, [Handle, c_double]),
    "torsh_fill_with_error": (torsh_status_t, [Handle, c_double, _ERR_OUT]),
    "torsh_copy": (torsh_status_t, [Handle, Handle]),
    "torsh_copy_with_error": (torsh_status_t, [Handle, Handle, _ERR_OUT]),
    "torsh_mse_loss": (Handle, [Handle, Handle]),
    "torsh_mse_loss_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_cross_entropy": (Handle, [Handle, Handle]),
    "torsh_cross_entropy_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_tensor_set_requires_grad": (torsh_status_t, [Handle, c_bool]),
    "torsh_tensor_requires_grad": (c_int, [Handle]),
    "torsh_tensor_grad": (Handle, [Handle]),
    "torsh_tensor_grad_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_tensor_zero_grad": (torsh_status_t, [Handle]),
    "torsh_backward": (torsh_status_t, [Handle, c_bool]),
    "torsh_no_grad_begin": (None, []),
    "torsh_no_grad_end": (torsh_status_t, []),
    "torsh_sequential_new": (Handle, []),
    "torsh_sequential_new_with_error": (Handle, [_ERR_OUT]),
    "torsh_sequential_add": (torsh_status_t, [Handle, Handle]),
    "torsh_linear_new": (Handle, [c_int64, c_int64, c_bool]),
    "torsh_linear_new_with_error": (Handle, [c_int64, c_int64, c_bool, _ERR_OUT]),
    "torsh_relu_new": (Handle, []),
    "torsh_relu_new_with_error": (Handle, [_ERR_OUT]),
    "torsh_sigmoid_new": (Handle, []),
    "torsh_sigmoid_new_with_error": (Handle, [_ERR_OUT]),
    "torsh_tanh_new": (Handle, []),
    "torsh_tanh_new_with_error": (Handle, [_ERR_OUT]),
    "torsh_module_forward": (Handle, [Handle, Handle]),
    "torsh_module_forward_with_error": (Handle, [Handle, Handle, _ERR_OUT]),
    "torsh_module_parameters": (Handle, [Handle]),
    "torsh_module_parameters_with_error": (Handle, [Handle, _ERR_OUT]),
    "torsh_module_free": (torsh_status_t, [Handle]),
    "torsh_params_count": (c_int64, [Handle]),
    "torsh_params_get": (Handle, [Handle, c_int64]),
    "torsh_params_get_with_error": (Handle, [Handle, c_int64, _ERR_OUT]),
    "torsh_params_free": (torsh_status_t, [Handle]),
    "torsh_sgd_new": (Handle, [Handle, c_double, c_double]),
    "torsh_sgd_new_with_error": (Handle, [Handle, c_double, c_double, _ERR_OUT]),
    "torsh_adam_new": (Handle, [Handle, c_double, c_double, c_double, c_double]),
    "torsh_adam_new_with_error": (
        Handle, [Handle, c_double, c_double, c_double, c_double, _ERR_OUT]),
    "torsh_optimizer_zero_grad": (torsh_status_t, [Handle]),
    "torsh_optimizer_step": (torsh_status_t, [Handle]),
    "torsh_optimizer_free": (torsh_status_t, [Handle]),
}

# The dtype names of torsh (as in the IR) and their torsh_dtype_t values.
DTYPES: dict[str, int] = {
    "f32": 0, "f64": 1, "i32": 2, "i64": 3, "bool": 4, "f16": 5, "bf16": 6, "i8": 7, "u8": 8,
}
_DTYPE_NAMES = {code: name for name, code in DTYPES.items()}
_ALIASES = {"i1": "bool"}
# numpy has no bfloat16: a bf16 tensor's numpy view holds its raw bits as uint16.
_NUMPY_DTYPES: dict[str, np.dtype] = {
    "f32": np.dtype(np.float32), "f64": np.dtype(np.float64), "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64), "bool": np.dtype(np.bool_), "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.uint16), "i8": np.dtype(np.int8), "u8": np.dtype(np.uint8),
}
_FROM_NUMPY = {dt: name for name, dt in _NUMPY_DTYPES.items() if name != "bf16"}

# --------------------------------------------------------------------------- loading

_lib: ctypes.CDLL | None = None
_load_lock = threading.Lock()


def version_number_of(version: str) -> int:
    """"MAJOR.MINOR.PATCH" -> MAJOR*10000 + MINOR*100 + PATCH (TORSH_VERSION_NUMBER)."""
    major, minor, patch = (int(part) for part in version.split(".")[:3])
    return major * 10000 + minor * 100 + patch


def expected_version_number() -> int:
    """The library version this package needs: derived from ``torsh.__version__``."""
    import torsh

    return version_number_of(torsh.__version__)


def load(path: str | Path | None = None) -> ctypes.CDLL:
    """Open libtorsh (default: ``torsh.config.get_library()``), check its version and
    declare every function. Most code wants ``lib()``, which caches this."""
    if path is None:
        # imported here, not at the top: `python -m torsh.config` must be able to run the
        # module fresh, so importing torsh may not import torsh.config
        from torsh import config

        path = config.get_library()
    path = Path(path)
    if not path.exists():
        raise OSError(f"libtorsh not found at {path}: build it with `make lib` "
                      f"(python runtime/build.py --out torsh) or set TORSH_LIBRARY")
    cdll = ctypes.CDLL(str(path))
    cdll.torsh_version_number.restype = c_int
    cdll.torsh_version_number.argtypes = []
    found, expected = cdll.torsh_version_number(), expected_version_number()
    if found != expected:
        raise errors.VersionMismatchError(
            f"{path} has version number {found} but this torsh package expects {expected}; "
            f"rebuild the library (make lib)")
    for name, (restype, argtypes) in SIGNATURES.items():
        fn = getattr(cdll, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return cdll


def lib() -> ctypes.CDLL:
    """The loaded library (loaded and checked on first call)."""
    global _lib
    if _lib is None:
        with _load_lock:
            if _lib is None:
                _lib = load()
    return _lib


# --------------------------------------------------------------------------- errors

def last_error() -> errors.TorshError:
    """The calling thread's last C error as its torsh.errors exception (not raised)."""
    code = lib().torsh_last_error()
    message = lib().torsh_last_error_message().decode(errors="replace")
    return errors.error_for_code(code)(message)


def check(status: int) -> None:
    """Raise the torsh.errors class of a non-zero status, with the thread's C message."""
    if status != 0:
        message = lib().torsh_last_error_message().decode(errors="replace")
        raise errors.error_for_code(status)(message)


def take_error(err: Handle) -> errors.TorshError:
    """Convert a torsh_error_t (from a _with_error call) into its exception; frees it."""
    code = lib().torsh_error_code(err)
    message = (lib().torsh_error_message(err) or b"").decode(errors="replace")
    lib().torsh_error_free(err)
    return errors.error_for_code(code)(message)


def _call_with_error(fn: Callable[..., Any], *args: Any) -> int:
    """Call a pointer-returning _with_error twin; return the pointer or raise."""
    err = Handle()
    result = fn(*args, byref(err))
    if not result:
        raise take_error(err)
    return result


def status_string(code: int) -> str:
    return lib().torsh_status_string(code).decode()


# --------------------------------------------------------------------------- small wrappers

def version_number() -> int:
    return lib().torsh_version_number()


def version_string() -> str:
    return lib().torsh_version_string().decode()


@dataclass(frozen=True)
class MemoryStatsSnapshot:
    bytes_live: int
    bytes_peak: int
    allocations_total: int
    allocations_live: int
    allocations_failed: int
    handles_live: int
    limit_bytes: int


def memory_stats() -> MemoryStatsSnapshot:
    """A snapshot of the runtime's memory counters (torsh_memory_stats)."""
    stats = MemoryStats()
    check(lib().torsh_memory_stats(byref(stats)))
    return MemoryStatsSnapshot(*(getattr(stats, f) for f, _ in MemoryStats._fields_))


def reset_peak_memory() -> None:
    lib().torsh_memory_reset_peak()


def set_memory_limit(nbytes: int | None) -> None:
    """Fail allocations that would exceed nbytes live bytes; None or 0: no limit."""
    if nbytes is not None and nbytes < 0:
        raise errors.InvalidArgumentError(f"memory limit {nbytes} is negative")
    lib().torsh_set_memory_limit(nbytes or 0)


def get_memory_limit() -> int:
    return lib().torsh_get_memory_limit()


def fail_allocation_after(k: int) -> int:
    """Test hook: the allocation after the next k fails once; k < 0 disarms. Returns the
    previous countdown (-1 if it had fired or was not armed)."""
    return lib().torsh_debug_fail_allocation_after(k)


def set_num_threads(n: int) -> None:
    """Threads for launches (the caller included); 0 restores the default."""
    check(lib().torsh_set_num_threads(n))


def get_num_threads() -> int:
    return lib().torsh_get_num_threads()


def dtype_code(dtype: str | np.dtype | type) -> int:
    """torsh_dtype_t of a torsh dtype name ("f32") or a numpy dtype."""
    if isinstance(dtype, str) and _ALIASES.get(dtype, dtype) in DTYPES:
        return DTYPES[_ALIASES.get(dtype, dtype)]
    try:
        return DTYPES[_FROM_NUMPY[np.dtype(dtype)]]
    except (KeyError, TypeError):
        raise errors.DTypeError(f"torsh has no dtype {dtype!r}") from None


def _int64_array(values: Sequence[int]) -> Any:
    values = [int(v) for v in values]
    return (c_int64 * len(values))(*values) if values else None


# --------------------------------------------------------------------------- tensors

# Releases use the library a handle was created with, so they work whatever happens to
# the module's cache later (tests swap it). A pool reset or free may have ended the handle
# already: that is not an error at release time.

# from_numpy(copy=False): the arrays whose memory live tensors use, by key. The deleter
# runs when the last C tensor of that storage goes, whoever releases it.
_blobs: dict[int, np.ndarray] = {}
_blob_keys = itertools.count(1)


@DELETER_FN
def _release_blob(data: int, ctx: int) -> None:
    _blobs.pop(ctx, None)


class _ArrayView:
    """Exposes a tensor's memory to numpy and keeps the tensor alive while a view exists."""

    def __init__(self, owner: RuntimeTensor, interface: dict[str, Any]) -> None:
        self.owner = owner
        self.__array_interface__ = interface


class RuntimeTensor:
    """A realized runtime tensor: one reference to a libtorsh tensor handle.

    The reference is released when the object is garbage-collected (or by
    :meth:`release`). Tensors of a pool become invalid when the pool is reset or freed.

    >>> t = RuntimeTensor.zeros((2, 2), "f64")
    >>> float(t.numpy().sum()), t.refcount
    (0.0, 1)
    """

    # Released by __del__ rather than weakref.finalize: a realization makes one of these
    # per output, and a finalizer costs as much as the allocation itself. _lib is the
    # library the handle came from (tests swap the module's cache). _ptr caches the data
    # address (fixed for a handle's life) of tensors outside pools; 0 = not read yet.
    __slots__ = ("__weakref__", "_handle", "_lib", "_pool", "_ptr")

    def __init__(self, handle: int, pool: MemoryPool | None = None) -> None:
        """Take ownership of one reference to handle (a new reference from the C API)."""
        if not handle:
            raise errors.NullArgumentError("RuntimeTensor needs a tensor handle")
        self._lib = lib()
        self._handle = int(handle)
        self._pool = pool  # keeps a pool object alive as long as its tensors
        self._ptr = 0

    def __copy__(self) -> RuntimeTensor:
        """Another reference to the same tensor (copying the fields would release the
        handle twice)."""
        check(self._lib.torsh_tensor_retain(self.handle))
        return RuntimeTensor(self._handle, self._pool)

    def __del__(self) -> None:
        handle = getattr(self, "_handle", 0)  # 0: released, or __init__ did not finish
        if handle:
            self._handle = self._ptr = 0
            self._lib.torsh_tensor_release(handle)

    # -- constructors
    @classmethod
    def empty(cls, shape: Sequence[int], dtype: str | np.dtype = "f32") -> RuntimeTensor:
        """An uninitialized tensor (64-byte aligned storage)."""
        # The plain function plus the thread's last error on NULL: this sits on the replay
        # path of every realization, where the _with_error twin's extra object costs.
        handle = lib().torsh_tensor_empty(_int64_array(shape), len(shape), dtype_code(dtype))
        if not handle:
            raise last_error()
        return cls(handle)

    @classmethod
    def zeros(cls, shape: Sequence[int], dtype: str | np.dtype = "f32") -> RuntimeTensor:
        return cls(_call_with_error(lib().torsh_tensor_zeros_with_error, _int64_array(shape),
                                    len(shape), dtype_code(dtype)))

    @classmethod
    def from_numpy(cls, array: Any, copy: bool = True) -> RuntimeTensor:
        """A tensor holding array's values: a copy, or (copy=False) a zero-copy tensor
        over the array's memory that keeps the array alive while any view of it lives."""
        array = np.asarray(array)
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        code = dtype_code(array.dtype)
        shape = _int64_array(array.shape)
        if copy:
            if not array.flags.c_contiguous:  # (ascontiguousarray would make 0-d 1-d)
                array = array.copy(order="C")
            return cls(_call_with_error(lib().torsh_tensor_from_array_with_error,
                                        array.ctypes.data, shape, array.ndim, code))
        if any(s % array.itemsize for s in array.strides):
            raise errors.InvalidArgumentError("strides are not multiples of the element size")
        strides = _int64_array([s // array.itemsize for s in array.strides])
        key = next(_blob_keys)
        _blobs[key] = array
        try:
            handle = _call_with_error(lib().torsh_tensor_from_blob_with_error, array.ctypes.data,
                                      shape, strides, array.ndim, code, _release_blob, key)
        except errors.TorshError:
            _blobs.pop(key, None)  # on failure the deleter does not run
            raise
        return cls(handle)

    @classmethod
    def from_pool(cls, pool: MemoryPool, shape: Sequence[int],
                  dtype: str | np.dtype = "f32") -> RuntimeTensor:
        """An uninitialized tensor in pool's arena."""
        return cls(_call_with_error(lib().torsh_tensor_from_pool_with_error, pool.handle,
                                    _int64_array(shape), len(shape), dtype_code(dtype)),
                   pool=pool)

    # -- the handle and its properties
    @property
    def handle(self) -> int:
        if not self._handle:
            raise errors.InvalidHandleError("this RuntimeTensor was released")
        return self._handle

    @property
    def ndim(self) -> int:
        n = lib().torsh_tensor_ndim(self.handle)
        if n < 0:
            raise last_error()
        return n

    def _dims(self, getter: Callable[[int], Any]) -> tuple[int, ...]:
        ndim = self.ndim
        ptr = getter(self.handle)
        if not ptr:
            raise last_error()
        return tuple(ptr[i] for i in range(ndim))

    @property
    def shape(self) -> tuple[int, ...]:
        return self._dims(lib().torsh_tensor_shape)

    @property
    def strides(self) -> tuple[int, ...]:
        """Strides in elements."""
        return self._dims(lib().torsh_tensor_strides)

    @property
    def dtype(self) -> str:
        code = lib().torsh_tensor_dtype(self.handle)
        if code < 0:
            raise last_error()
        return _DTYPE_NAMES[code]

    @property
    def numel(self) -> int:
        return self._nonnegative(lib().torsh_tensor_numel(self.handle))

    @property
    def nbytes(self) -> int:
        return self._nonnegative(lib().torsh_tensor_nbytes(self.handle))

    @property
    def refcount(self) -> int:
        return self._nonnegative(lib().torsh_tensor_refcount(self.handle))

    @property
    def is_contiguous(self) -> bool:
        return bool(self._nonnegative(lib().torsh_tensor_is_contiguous(self.handle)))

    @property
    def data_ptr(self) -> int:
        ptr = self._ptr
        if ptr:
            return ptr
        ptr = lib().torsh_tensor_data_ptr(self.handle)
        if not ptr:
            raise last_error()
        if self._pool is None:  # a pool's reset ends its tensors: ask every time
            self._ptr = ptr
        return ptr

    @staticmethod
    def _nonnegative(value: int) -> int:
        if value < 0:
            raise last_error()
        return value

    # -- views and copies (new RuntimeTensors)
    def view(self, shape: Sequence[int], strides: Sequence[int] | None = None,
             offset: int = 0) -> RuntimeTensor:
        """A view of the same storage; strides and offset in elements."""
        return RuntimeTensor(_call_with_error(
            lib().torsh_tensor_view_with_error, self.handle, _int64_array(shape),
            _int64_array(strides) if strides is not None else None, len(shape), offset),
            pool=self._pool)

    def reshape(self, shape: Sequence[int]) -> RuntimeTensor:
        """A view when contiguous, else a contiguous copy; one entry may be -1."""
        return RuntimeTensor(_call_with_error(lib().torsh_tensor_reshape_with_error, self.handle,
                                              _int64_array(shape), len(shape)), pool=self._pool)

    def contiguous(self) -> RuntimeTensor:
        """Another reference to this tensor if contiguous, else a contiguous copy."""
        return RuntimeTensor(_call_with_error(lib().torsh_tensor_contiguous_with_error,
                                              self.handle), pool=self._pool)

    def numpy(self) -> np.ndarray:
        """A numpy view of the data (no copy); it keeps this tensor alive. bf16 data is
        shown as its uint16 bits."""
        dtype = _NUMPY_DTYPES[self.dtype]
        interface = {
            "version": 3,
            "shape": self.shape,
            "typestr": dtype.str,
            "data": (self.data_ptr, False),
            "strides": tuple(s * dtype.itemsize for s in self.strides),
        }
        return np.asarray(_ArrayView(self, interface))

    def release(self) -> None:
        """Drop this object's reference now (idempotent)."""
        self.__del__()

    def __repr__(self) -> str:
        if not self._handle:
            return "RuntimeTensor(<released>)"
        try:
            return f"RuntimeTensor(shape={self.shape}, dtype={self.dtype!r})"
        except errors.TorshError as exc:
            return f"RuntimeTensor(<{type(exc).__name__}>)"


class EmptyMaker:
    """Uninitialized tensors of one shape and dtype, the conversions done once: the output
    buffers of a replayed plan. Each call returns a new RuntimeTensor with its data
    address already read.

    >>> make = EmptyMaker((2, 3), "f32")
    >>> make().shape
    (2, 3)
    """

    __slots__ = ("_shape", "_ndim", "_code", "_lib", "_empty", "_data_ptr")

    def __init__(self, shape: Sequence[int], dtype: str | np.dtype = "f32") -> None:
        self._shape = _int64_array(shape)
        self._ndim = len(shape)
        self._code = dtype_code(dtype)
        self._lib = cdll = lib()
        self._empty, self._data_ptr = cdll.torsh_tensor_empty, cdll.torsh_tensor_data_ptr

    def __call__(self) -> RuntimeTensor:
        handle = self._empty(self._shape, self._ndim, self._code)
        if not handle:
            raise last_error()
        t = _new_tensor(RuntimeTensor)  # what __init__ does, minus its checks and lookups
        t._lib, t._handle, t._pool = self._lib, handle, None
        t._ptr = self._data_ptr(handle) or 0  # (0: data_ptr asks again, and reports)
        return t


_new_tensor = object.__new__


# --------------------------------------------------------------------------- pools

def _free_pool(cdll: ctypes.CDLL, handle: int) -> None:
    cdll.torsh_memory_pool_free(handle)


class MemoryPool:
    """An arena of fixed capacity for tensors (torsh_memory_pool_*).

    >>> pool = MemoryPool(1 << 16)
    >>> t = pool.tensor((4, 4), "f32")
    >>> pool.used
    64
    >>> pool.free()
    """

    def __init__(self, nbytes: int) -> None:
        self._handle = int(_call_with_error(lib().torsh_memory_pool_new_with_error, nbytes))
        self._finalizer = weakref.finalize(self, _free_pool, lib(), self._handle)

    @property
    def handle(self) -> int:
        if not self._finalizer.alive:
            raise errors.InvalidHandleError("this MemoryPool was freed")
        return self._handle

    def tensor(self, shape: Sequence[int], dtype: str | np.dtype = "f32") -> RuntimeTensor:
        return RuntimeTensor.from_pool(self, shape, dtype)

    @property
    def used(self) -> int:
        return RuntimeTensor._nonnegative(lib().torsh_memory_pool_used(self.handle))

    @property
    def capacity(self) -> int:
        return RuntimeTensor._nonnegative(lib().torsh_memory_pool_capacity(self.handle))

    def reset(self) -> None:
        """Drop every tensor of the pool and make the whole arena free again."""
        check(lib().torsh_memory_pool_reset(self.handle))

    def free(self) -> None:
        """Free the pool and every tensor of it (idempotent)."""
        self._finalizer()


# --------------------------------------------------------------------------- launch and plans

KernelLike = Any  # an address, a KERNEL_FN, or a function of a ctypes.CDLL


def as_kernel(kernel: KernelLike) -> Any:
    """A KERNEL_FN for a kernel given as an address or a ctypes function."""
    if isinstance(kernel, KERNEL_FN):
        return kernel
    if isinstance(kernel, int):
        address = kernel
    elif isinstance(kernel, ctypes._CFuncPtr):  # e.g. ctypes.CDLL("k.so").my_kernel
        address = ctypes.cast(kernel, c_void_p).value
    else:
        raise errors.InvalidArgumentError(f"not a kernel: {kernel!r}")
    if not address:
        raise errors.NullArgumentError("kernel address is NULL")
    return KERNEL_FN(address)


def _address(buffer: Any) -> int:
    if isinstance(buffer, RuntimeTensor):
        return buffer.data_ptr
    if isinstance(buffer, np.ndarray):
        return buffer.ctypes.data
    return int(buffer)


def _pointer_array(buffers: Iterable[Any]) -> Any:
    addresses = [_address(b) for b in buffers]
    # Never a NULL array, even when empty: the C API checks its pointer arguments.
    return (c_void_p * max(len(addresses), 1))(*addresses)


def launch(kernel: KernelLike, buffers: Sequence[Any], sizes: Sequence[int], range_: int,
           grain: int = 1) -> None:
    """Run kernel over [0, range_) on the worker threads (torsh_launch), without the GIL.

    buffers are RuntimeTensors, numpy arrays or addresses; sizes are int64 scalars.
    """
    sizes = [int(s) for s in sizes]
    size_array = (c_int64 * max(len(sizes), 1))(*sizes)
    check(lib().torsh_launch(as_kernel(kernel), _pointer_array(buffers), size_array, range_,
                             grain))


class Launcher:
    """One kernel's launch prepared once (function pointer, sizes, range, grain converted
    to ctypes up front), so replaying it costs one foreign call."""

    __slots__ = ("_fn", "_sizes", "_range", "_grain", "_ptrs_type", "_launch")

    def __init__(self, kernel: KernelLike, n_buffers: int, sizes: Sequence[int], range_: int,
                 grain: int = 1) -> None:
        self._fn = as_kernel(kernel)
        sizes = [int(s) for s in sizes]
        self._sizes = (c_int64 * max(len(sizes), 1))(*sizes)
        self._range, self._grain = int(range_), int(grain)
        self._ptrs_type = c_void_p * max(n_buffers, 1)
        self._launch = lib().torsh_launch

    def __call__(self, addresses: Sequence[int]) -> None:
        """Run over [0, range) with these buffer addresses (the GIL is released)."""
        status = self._launch(self._fn, self._ptrs_type(*addresses), self._sizes, self._range,
                              self._grain)
        if status:
            check(status)


def _free_plan(cdll: ctypes.CDLL, handle: int) -> None:
    cdll.torsh_plan_free(handle)


class Plan:
    """Launches run in order by one call, with plan-owned scratch buffers (torsh_plan_*).

    Slots 0..num_slots-1 are bound by :meth:`run`; :meth:`add_scratch` adds more.
    """

    def __init__(self, num_slots: int) -> None:
        self._handle = int(_call_with_error(lib().torsh_plan_new_with_error, num_slots))
        self._finalizer = weakref.finalize(self, _free_plan, lib(), self._handle)
        self._kernels: list[Any] = []  # the plan stores raw function pointers
        self.num_slots = num_slots
        self._slots_type = None
        self._run = lib().torsh_plan_run

    @property
    def handle(self) -> int:
        if not self._finalizer.alive:
            raise errors.InvalidHandleError("this Plan was freed")
        return self._handle

    def add_scratch(self, nbytes: int) -> int:
        """Reserve a scratch buffer of nbytes; returns its slot."""
        slot = c_int(-1)
        check(lib().torsh_plan_add_scratch(self.handle, nbytes, byref(slot)))
        return slot.value

    def add_launch(self, kernel: KernelLike, slots: Sequence[int], sizes: Sequence[int],
                   range_: int, grain: int = 1) -> None:
        fn = as_kernel(kernel)
        slot_array = (c_int * len(slots))(*slots) if slots else None
        check(lib().torsh_plan_add_launch(self.handle, fn, slot_array, len(slots),
                                          _int64_array(sizes), len(sizes), range_, grain))
        self._kernels.append(fn)

    def run(self, buffers: Sequence[Any] = ()) -> None:
        """Run every launch; buffers bind slots 0..num_slots-1."""
        if len(buffers) != self.num_slots:
            raise errors.InvalidArgumentError(
                f"the plan has {self.num_slots} slots, {len(buffers)} buffers were given")
        check(lib().torsh_plan_run(self.handle, _pointer_array(buffers) if buffers else None))

    def run_addresses(self, addresses: Sequence[int]) -> None:
        """:meth:`run` for data addresses, one per slot, without the per-buffer checks of
        ``run`` (the runtime still refuses a NULL address or a freed plan): the replay
        path of a realization."""
        slots_type = self._slots_type
        if slots_type is None:
            slots_type = self._slots_type = c_void_p * max(self.num_slots, 1)
        status = self._run(self._handle, slots_type(*addresses))
        if status:
            check(status)

    @property
    def num_launches(self) -> int:
        return RuntimeTensor._nonnegative(lib().torsh_plan_num_launches(self.handle))

    @property
    def scratch_bytes(self) -> int:
        return RuntimeTensor._nonnegative(lib().torsh_plan_scratch_bytes(self.handle))

    def free(self) -> None:
        self._finalizer()


__all__ = [
    "DELETER_FN",
    "DTYPES",
    "KERNEL_FN",
    "EmptyMaker",
    "SIGNATURES",
    "Launcher",
    "MemoryPool",
    "MemoryStats",
    "MemoryStatsSnapshot",
    "Plan",
    "RuntimeTensor",
    "as_kernel",
    "check",
    "dtype_code",
    "expected_version_number",
    "fail_allocation_after",
    "get_memory_limit",
    "get_num_threads",
    "last_error",
    "launch",
    "lib",
    "load",
    "memory_stats",
    "reset_peak_memory",
    "set_memory_limit",
    "set_num_threads",
    "status_string",
    "take_error",
    "version_number",
    "version_number_of",
    "version_string",
]
