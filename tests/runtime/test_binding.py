"""torsh/_runtime.py: declarations against torsh.h, loading, errors, RuntimeTensor, pools,
launches and plans through ctypes."""

from __future__ import annotations

import ctypes
import gc
import os
import subprocess
import sys
import threading
import time
from ctypes import POINTER, c_bool, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint64, c_void_p

import numpy as np
import pytest

import torsh
from tests.runtime import header
from torsh import _runtime as rt
from torsh import errors

HANDLE_TYPES = ("torsh_tensor_t", "torsh_memory_pool_t", "torsh_plan_t", "torsh_error_t",
                "torsh_module_t", "torsh_params_t", "torsh_optimizer_t")

# How each C type of torsh.h must be declared in ctypes.
C_TO_CTYPES = {
    "void": None,
    "int": c_int,
    "int64_t": c_int64,
    "uint64_t": c_uint64,
    "size_t": c_size_t,
    "bool": c_bool,
    "double": c_double,
    "torsh_status_t": c_int,
    "torsh_dtype_t": c_int,
    "const char *": c_char_p,
    "void *": c_void_p,
    "const void *": c_void_p,
    "int *": POINTER(c_int),
    "const int *": POINTER(c_int),
    "const int64_t *": POINTER(c_int64),
    "void *const *": POINTER(c_void_p),
    "torsh_error_t **": POINTER(c_void_p),
    "torsh_memory_stats_t *": POINTER(rt.MemoryStats),
    "torsh_kernel_fn": rt.KERNEL_FN,
    "torsh_deleter_fn": rt.DELETER_FN,
    **{f"{t} *": c_void_p for t in HANDLE_TYPES},
    **{f"const {t} *": c_void_p for t in HANDLE_TYPES},
}


@pytest.fixture(autouse=True)
def _default_runtime_settings():
    yield
    rt.set_num_threads(0)
    rt.set_memory_limit(0)
    rt.fail_allocation_after(-1)


@pytest.fixture
def kernels(kernels_library) -> ctypes.CDLL:
    return ctypes.CDLL(str(kernels_library))


def _live() -> tuple[int, int, int]:
    gc.collect()
    s = rt.memory_stats()
    return s.bytes_live, s.allocations_live, s.handles_live


# --------------------------------------------------------------------------- declarations

def test_every_header_function_is_declared_with_the_header_types() -> None:
    functions = header.functions()
    assert set(rt.SIGNATURES) == set(functions), (
        f"missing from _runtime.SIGNATURES: {sorted(set(functions) - set(rt.SIGNATURES))}; "
        f"not in torsh.h: {sorted(set(rt.SIGNATURES) - set(functions))}")
    lib = rt.lib()
    for name, fn in functions.items():
        restype, argtypes = rt.SIGNATURES[name]
        assert restype is C_TO_CTYPES[fn.restype], f"{name}: restype"
        expected = [C_TO_CTYPES[p.type] for p in fn.params]
        assert list(argtypes) == expected, f"{name}: argtypes"
        # ...and the loaded library really carries them.
        assert getattr(lib, name).restype is restype
        assert list(getattr(lib, name).argtypes) == expected


def test_memory_stats_struct_matches_the_header() -> None:
    fields = header.structs()["torsh_memory_stats_t"]
    assert [(name, C_TO_CTYPES[ctype]) for ctype, name in fields] == rt.MemoryStats._fields_


def test_dtype_codes_match_the_header() -> None:
    enum = header.enum_values()
    for name, code in rt.DTYPES.items():
        assert enum[f"TORSH_{name.upper()}"] == code
    assert len(rt.DTYPES) == enum["TORSH_DTYPE_COUNT"]
    for name in rt.DTYPES:
        assert rt.lib().torsh_dtype_size(rt.DTYPES[name]) == (
            2 if name == "bf16" else np.dtype(rt._NUMPY_DTYPES[name]).itemsize)


# --------------------------------------------------------------------------- loading

def test_library_version_matches_the_package() -> None:
    assert rt.version_number_of("0.1.0") == 100
    assert rt.version_number_of("1.12.3") == 11203
    assert rt.expected_version_number() == rt.version_number_of(torsh.__version__)
    assert rt.version_number() == rt.expected_version_number()
    assert rt.version_string() == torsh.__version__


def test_a_library_of_another_version_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(torsh, "__version__", "0.2.0")
    with pytest.raises(errors.VersionMismatchError, match=r"version number 100 .* expects 200"):
        rt.load()
    # The lazy loader refuses it too instead of handing out the library.
    monkeypatch.setattr(rt, "_lib", None)
    with pytest.raises(errors.VersionMismatchError):
        rt.lib()
    assert issubclass(errors.VersionMismatchError, ImportError)


def test_a_missing_library_names_the_fix(tmp_path, monkeypatch) -> None:
    with pytest.raises(OSError, match="make lib"):
        rt.load(tmp_path / "libtorsh.so")
    monkeypatch.setenv("TORSH_LIBRARY", str(tmp_path / "elsewhere.so"))
    with pytest.raises(OSError, match=r"elsewhere\.so"):
        rt.load()


# --------------------------------------------------------------------------- errors

def test_c_errors_become_torsh_errors_with_the_c_message() -> None:
    with pytest.raises(errors.InvalidArgumentError, match=r"torsh_tensor_empty: shape\[1\] = -2"):
        rt.RuntimeTensor.empty((3, -2))
    t = rt.RuntimeTensor.zeros((2, 3))
    with pytest.raises(errors.ShapeMismatchError, match="cannot reshape 6 elements into 7"):
        t.reshape((7,))
    with pytest.raises(errors.TorshIndexError, match="storage of 6 elements"):
        t.view((7,))
    with pytest.raises(errors.DTypeError):
        rt.RuntimeTensor.empty((2,), "complex64")
    with pytest.raises(errors.NullArgumentError, match="out is NULL"):
        rt.check(rt.lib().torsh_memory_stats(None))
    with pytest.raises(errors.InvalidArgumentError, match="-5 threads"):
        rt.set_num_threads(-5)
    # Python's own exception hierarchy still applies.
    with pytest.raises(IndexError):
        t.view((7,), offset=-1)
    with pytest.raises(ValueError):
        t.reshape((-1, -1))


def test_error_objects_and_the_last_error() -> None:
    lib = rt.lib()
    err = c_void_p()
    assert not lib.torsh_tensor_contiguous_with_error(12345, ctypes.byref(err))
    exc = rt.take_error(err)  # frees it
    assert isinstance(exc, errors.InvalidHandleError) and "not a live tensor" in str(exc)
    assert lib.torsh_error_free(err) == errors.InvalidHandleError.code
    lib.torsh_clear_error()
    assert lib.torsh_last_error() == 0
    assert lib.torsh_tensor_numel(None) == -1
    exc = rt.last_error()
    assert isinstance(exc, errors.NullArgumentError) and "torsh_tensor_numel" in str(exc)
    assert rt.status_string(errors.OutOfMemoryError.code) == "out of memory"


def test_last_error_is_per_thread() -> None:
    lib = rt.lib()
    lib.torsh_clear_error()
    seen = []

    def fail_elsewhere() -> None:
        lib.torsh_tensor_ndim(None)
        seen.append(lib.torsh_last_error())

    worker = threading.Thread(target=fail_elsewhere)
    worker.start()
    worker.join()
    assert seen == [errors.NullArgumentError.code]
    assert lib.torsh_last_error() == 0


def test_memory_limit_and_failure_injection() -> None:
    base = rt.memory_stats().bytes_live
    rt.set_memory_limit(base + 1000)
    assert rt.get_memory_limit() == base + 1000
    with pytest.raises(errors.OutOfMemoryError, match="limit") as info:
        rt.RuntimeTensor.empty((1000,), "f64")
    assert isinstance(info.value, MemoryError)
    rt.set_memory_limit(None)
    assert rt.fail_allocation_after(1) == -1
    with pytest.raises(errors.OutOfMemoryError, match="injected"):
        rt.RuntimeTensor.empty((4,))  # allocation 0 succeeds, allocation 1 fails
    assert rt.fail_allocation_after(-1) == -1  # it fired
    assert rt.memory_stats().allocations_failed >= 2
    with pytest.raises(errors.InvalidArgumentError):
        rt.set_memory_limit(-1)


# --------------------------------------------------------------------------- RuntimeTensor

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_,
                                   np.float16, np.int8, np.uint8])
def test_numpy_round_trip(dtype) -> None:
    rng = np.random.default_rng(0)
    values = (rng.standard_normal((3, 4, 5)) * 50).astype(dtype)
    t = rt.RuntimeTensor.from_numpy(values)
    assert t.shape == (3, 4, 5) and t.strides == (20, 5, 1) and t.ndim == 3
    assert t.numel == 60 and t.nbytes == values.nbytes and t.is_contiguous
    assert t.dtype == rt._FROM_NUMPY[np.dtype(dtype)]
    assert t.data_ptr % 64 == 0
    back = t.numpy()
    assert back.dtype == values.dtype
    np.testing.assert_array_equal(back, values)
    values[0, 0, 0] = 1  # a copy: the tensor keeps its own values
    assert back[0, 0, 0] == np.asarray(back)[0, 0, 0]


def test_scalars_empty_tensors_and_bf16() -> None:
    s = rt.RuntimeTensor.from_numpy(np.float64(2.5))
    assert s.shape == () and s.numel == 1 and s.numpy()[()] == 2.5
    e = rt.RuntimeTensor.from_numpy(np.zeros((0, 3), np.float32))
    assert e.shape == (0, 3) and e.numel == 0 and e.numpy().shape == (0, 3)
    b = rt.RuntimeTensor.zeros((4,), "bf16")
    assert b.dtype == "bf16" and b.nbytes == 8
    assert b.numpy().dtype == np.uint16  # the raw bits
    assert rt.RuntimeTensor.empty((2,), "i1").dtype == "bool"


def test_views_reshape_contiguous() -> None:
    t = rt.RuntimeTensor.from_numpy(np.arange(6, dtype=np.int64).reshape(2, 3))
    tt = t.view((3, 2), strides=(1, 3))
    assert not tt.is_contiguous
    np.testing.assert_array_equal(tt.numpy(), np.arange(6).reshape(2, 3).T)
    c = tt.contiguous()
    assert c.is_contiguous and c.data_ptr != t.data_ptr
    np.testing.assert_array_equal(c.numpy(), np.arange(6).reshape(2, 3).T)
    same = t.contiguous()
    assert same.handle == t.handle and t.refcount == 2
    r = t.reshape((-1,))
    assert r.shape == (6,) and r.data_ptr == t.data_ptr
    t.numpy()[1, 1] = 40  # views share storage
    assert r.numpy()[4] == 40 and tt.numpy()[1, 1] == 40


def test_zero_copy_from_numpy_keeps_the_array_alive() -> None:
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    strided = base[:, ::2]
    t = rt.RuntimeTensor.from_numpy(strided, copy=False)
    assert t.data_ptr == strided.ctypes.data and t.strides == (6, 2)
    view = t.view((4,), strides=(6,), offset=2)  # column 2 of base
    key_count = len(rt._blobs)
    del base, strided, t
    gc.collect()
    assert len(rt._blobs) == key_count  # the view still uses the array
    np.testing.assert_array_equal(view.numpy(), [2, 8, 14, 20])
    del view
    gc.collect()
    assert len(rt._blobs) == key_count - 1  # the deleter ran with the last view
    with pytest.raises(errors.InvalidArgumentError, match="negative"):
        rt.RuntimeTensor.from_numpy(np.arange(4.0)[::-1], copy=False)


def test_handles_are_released_on_garbage_collection() -> None:
    baseline = _live()
    tensors = [rt.RuntimeTensor.zeros((64, 64)) for _ in range(20)]
    views = [t.view((64,), offset=64) for t in tensors]
    assert _live()[2] == baseline[2] + 40
    del tensors
    assert _live()[2] == baseline[2] + 20  # views hold their own references
    array = views[0].numpy()
    del views
    assert _live()[2] == baseline[2] + 1  # the numpy view keeps its tensor
    assert array.sum() == 0
    del array
    assert _live() == baseline


def test_explicit_release() -> None:
    baseline = _live()
    t = rt.RuntimeTensor.empty((10,))
    handle = t.handle
    t.release()
    t.release()  # idempotent
    assert _live() == baseline
    with pytest.raises(errors.InvalidHandleError):
        _ = t.handle
    assert "released" in repr(t)
    assert rt.lib().torsh_tensor_release(handle) == errors.InvalidHandleError.code


# --------------------------------------------------------------------------- pools

def test_memory_pool() -> None:
    baseline = _live()
    pool = rt.MemoryPool(1024)
    assert pool.capacity == 1024 and pool.used == 0
    a = pool.tensor((3,), "f32")
    b = rt.RuntimeTensor.from_pool(pool, (4,), "f64")
    assert pool.used == 64 + 32 and b.data_ptr - a.data_ptr == 64
    with pytest.raises(errors.OutOfMemoryError, match="pool is full"):
        pool.tensor((1000,), "u8")
    pool.reset()
    assert pool.used == 0
    with pytest.raises(errors.InvalidHandleError):
        _ = a.shape
    c = pool.tensor((8,), "i32")
    pool.free()
    pool.free()
    with pytest.raises(errors.InvalidHandleError):
        _ = c.numel
    with pytest.raises(errors.InvalidHandleError):
        _ = pool.used
    del a, b, c  # their finalizers meet invalid handles quietly
    assert _live() == baseline
    # A pool object that is collected frees its arena.
    pool = rt.MemoryPool(4096)
    pool.tensor((16,))
    del pool
    assert _live() == baseline


# --------------------------------------------------------------------------- threads, launch, plans

def test_thread_count() -> None:
    default = rt.get_num_threads()
    assert default >= 1
    rt.set_num_threads(3)
    assert rt.get_num_threads() == 3
    rt.set_num_threads(0)
    assert rt.get_num_threads() == default


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_launch_a_compiled_kernel(kernels, threads) -> None:
    rt.set_num_threads(threads)
    out = np.zeros(10_000)
    rt.launch(kernels.kernel_affine, [out], [3, 5], len(out), grain=64)
    np.testing.assert_array_equal(out, 3 * np.arange(10_000) + 5)
    calls = np.zeros(1, np.int64)
    rt.launch(kernels.kernel_count_calls, [calls], [], 10_000, grain=64)
    assert calls[0] == threads
    calls[0] = 0
    rt.launch(kernels.kernel_count_calls, [calls], [], 100, grain=64)  # < 2 * grain
    assert calls[0] == 1


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2
                    or not os.path.isdir("/proc/self/task"), reason="needs Linux and 2 CPUs")
def test_woken_workers_step_off_the_launchers_cpu_and_keep_their_affinity(kernels) -> None:
    """A worker woken on the launcher's CPU moves off it (threads.c) by narrowing its
    affinity for a moment: launches after pauses (the workers sleep, then are woken) give
    right results, and every thread ends with the affinity it had. The launcher is held
    on one CPU meanwhile, so the woken worker often lands on it."""
    rt.set_num_threads(2)
    out = np.zeros(100_000)
    rt.launch(kernels.kernel_affine, [out], [3, 5], len(out), grain=64)  # workers exist
    allowed = os.sched_getaffinity(0)
    before = {int(t): os.sched_getaffinity(int(t)) for t in os.listdir("/proc/self/task")}
    launcher_cpu, other = min(allowed), max(allowed)
    os.sched_setaffinity(0, {launcher_cpu})  # this thread only (Linux: pid 0 = caller)
    # a busy process on the other CPU, so the scheduler likes the launcher's CPU better
    hog = subprocess.Popen([sys.executable, "-c",
                            f"import os\nos.sched_setaffinity(0, {{{other}}})\nwhile True: pass"])
    try:
        for i in range(30):
            time.sleep(0.005)  # past the workers' spin (~1 ms): they sleep until the launch
            out[:] = 0
            rt.launch(kernels.kernel_affine, [out], [3, i], len(out), grain=64)
            np.testing.assert_array_equal(out, 3 * np.arange(len(out)) + i)
    finally:
        hog.kill()
        hog.wait()
        os.sched_setaffinity(0, allowed)
    for tid, mask in before.items():  # the workers (and this thread) keep no binding
        if os.path.isdir(f"/proc/self/task/{tid}"):
            assert os.sched_getaffinity(tid) == mask, tid


def test_kernels_by_address_and_as_python_callbacks(kernels) -> None:
    rt.set_num_threads(2)
    out = rt.RuntimeTensor.zeros((1000,), "f64")
    address = ctypes.cast(kernels.kernel_affine, c_void_p).value
    rt.launch(address, [out], [2, 0], 1000)
    np.testing.assert_array_equal(out.numpy(), 2 * np.arange(1000))

    seen = []

    @rt.KERNEL_FN
    def python_kernel(buffers, sizes, start, end):  # re-acquires the GIL on each call
        seen.append((start, end, sizes[0]))

    rt.launch(python_kernel, [out], [7], 1000, grain=10)
    assert sorted(seen) == [(0, 500, 7), (500, 1000, 7)]
    with pytest.raises(errors.NullArgumentError):
        rt.launch(0, [out], [], 10)
    with pytest.raises(errors.InvalidArgumentError, match="range -1"):
        rt.launch(kernels.kernel_empty, [], [], -1)


def test_launch_runs_without_the_gil(kernels) -> None:
    """The kernel waits for a flag only another Python thread can set: if the launch
    held the GIL that thread could not run, and the kernel would time out instead."""
    rt.set_num_threads(1)
    flag = np.zeros(1, np.int32)
    seen = np.zeros(1, np.int32)

    def set_flag() -> None:
        time.sleep(0.05)
        flag[0] = 1

    helper = threading.Thread(target=set_flag)
    helper.start()
    rt.launch(kernels.kernel_wait_for_flag, [flag, seen], [20_000], 1)
    helper.join()
    assert seen[0] == 1


def test_plan_with_scratch_buffers(kernels) -> None:
    rt.set_num_threads(2)
    n = 4096
    plan = rt.Plan(2)  # slot 0: x, slot 1: out
    s3, s5 = plan.add_scratch(4 * n), plan.add_scratch(4 * n)
    assert (s3, s5) == (2, 3)
    plan.add_launch(kernels.kernel_scale, [0, s3], [3], n, grain=256)
    plan.add_launch(kernels.kernel_scale, [0, s5], [5], n, grain=256)
    plan.add_launch(kernels.kernel_add, [s3, s5, 1], [], n, grain=256)
    assert plan.num_launches == 3 and plan.scratch_bytes == 2 * 4 * n
    x = rt.RuntimeTensor.from_numpy(np.arange(n, dtype=np.float32))
    out = np.empty(n, np.float32)
    plan.run([x, out])
    np.testing.assert_array_equal(out, 8 * np.arange(n, dtype=np.float32))
    before = rt.memory_stats().allocations_total
    for scale in range(3):
        x.numpy()[:] = scale
        plan.run([x, out.ctypes.data])
        assert (out == 8 * scale).all()
    assert rt.memory_stats().allocations_total == before  # replays allocate nothing
    with pytest.raises(errors.InvalidArgumentError, match="frozen"):
        plan.add_scratch(16)
    with pytest.raises(errors.InvalidArgumentError, match="2 slots"):
        plan.run([x])
    with pytest.raises(errors.TorshIndexError):
        rt.Plan(1).add_launch(kernels.kernel_add, [0, 1], [], 1)
    plan.free()
    with pytest.raises(errors.InvalidHandleError):
        plan.run([x, out])
