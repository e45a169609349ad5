"""IR passes and the pass manager.

>>> from torsh.ir import Builder, f32, run_pipeline
>>> b = Builder()
>>> with b.func("main", [((2,), f32)]) as (x,):
...     b.ret(b.neg(b.neg(x)))
>>> run_pipeline(b.module, "canonicalize,dce")
>>> [op.name for op in b.module.funcs[0].body.ops]
['func.return']
"""

from torsh.ir.passes.canonicalize import canonicalize
from torsh.ir.passes.cse import cse
from torsh.ir.passes.dce import dce
from torsh.ir.passes.fuse import fuse, plan_materialized
from torsh.ir.passes.manager import PASSES, PassManager, register_pass, run_pipeline

__all__ = ["canonicalize", "cse", "dce", "fuse", "plan_materialized", "PASSES", "PassManager",
           "register_pass", "run_pipeline"]
