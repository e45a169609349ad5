"""torsh: a compiling tensor library with a PyTorch-style API.

>>> import torsh
>>> torsh.__version__
'0.1.0'
"""

from torsh.errors import *  # noqa: F401,F403
from torsh.errors import TorshError  # noqa: F401

__version__ = "0.1.0"

from torsh import ir  # noqa: E402,F401  (torsh.ir is part of the public API)
from torsh.dtypes import (  # noqa: E402,F401
    bfloat16, bool_ as bool, double, dtype, float, float16, float32, float64, get_default_dtype,
    half, int, int8, int32, int64, long, promote_types, result_type, set_default_dtype,
)
from torsh._tensor import Size, Tensor, is_tensor  # noqa: E402,F401
from torsh.ops import *  # noqa: E402,F401,F403
from torsh.plan import realize  # noqa: E402,F401
from torsh import autograd, nn, optim  # noqa: E402,F401
from torsh._compile import compile  # noqa: E402,F401
from torsh.serialization import load, save  # noqa: E402,F401
from torsh.interop import as_tensor, from_dlpack, from_numpy, from_pytorch  # noqa: E402,F401
from torsh.memory import get_memory_limit, memory_stats, set_memory_limit  # noqa: E402,F401
from torsh._async import realize_async  # noqa: E402,F401
from torsh.autograd import (  # noqa: E402,F401
    enable_grad, is_grad_enabled, no_grad, set_grad_enabled,
)
