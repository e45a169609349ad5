"""torsh.ir: the intermediate representation every layer of torsh shares.

Types, SSA values, ops from one table, a builder, a verifier, an MLIR-syntax printer and
parser (print(parse(print(m))) == print(m)), passes, and a numpy reference interpreter.

>>> import numpy as np
>>> from torsh.ir import Builder, f32, parse, interpret
>>> b = Builder()
>>> with b.func("main", [((3,), f32)]) as (x,):
...     b.ret(b.mul(x, x))
>>> m = parse(str(b.module))
>>> interpret(m, np.array([1, 2, 3], np.float32))
array([1., 4., 9.], dtype=float32)
"""

from torsh.errors import IRParseError, IRVerifyError
from torsh.ir.builder import Builder
from torsh.ir.core import (
    Block,
    BlockArgument,
    DenseElements,
    Func,
    Module,
    Operation,
    OpResult,
    Region,
    Value,
)
from torsh.ir.inspect import dump, to_dot
from torsh.ir.interpreter import interpret
from torsh.ir.ops import OPS, OpDef
from torsh.ir.parser import parse
from torsh.ir.passes import PassManager, run_pipeline
from torsh.ir.printer import print_module
from torsh.ir.types import (
    DType,
    FunctionType,
    TensorType,
    bf16,
    broadcast_shapes,
    f16,
    f32,
    f64,
    i1,
    i8,
    i32,
    i64,
)
from torsh.ir.verifier import verify

__all__ = [
    "IRParseError", "IRVerifyError", "Builder", "Block", "BlockArgument", "DenseElements",
    "Func", "Module", "Operation", "OpResult", "Region", "Value", "interpret", "OPS", "OpDef",
    "parse", "PassManager", "run_pipeline", "print_module", "DType", "FunctionType",
    "TensorType", "bf16", "broadcast_shapes", "f16", "f32", "f64", "i1", "i8", "i32", "i64",
    "verify", "dump", "to_dot",
]
