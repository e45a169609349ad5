"""The IR's object model: SSA values with use lists, operations, blocks, regions,
functions and modules.

Attribute values are plain Python data: ``int``, ``float``, ``bool``, ``str``, ``tuple``
(arrays), :class:`~torsh.ir.types.DType` and :class:`DenseElements` (tensor constants).

>>> from torsh.ir import Builder, f32
>>> b = Builder()
>>> with b.func("main", [((2,), f32)]) as (x,):
...     b.ret(b.neg(x))
>>> len(b.module.funcs[0].body.ops)
2
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from torsh.ir.types import DType, FunctionType, TensorType

Loc = tuple[int, int]  # (line, column), 1-based, of an op parsed from text


class DenseElements:
    """A constant tensor value (MLIR ``dense<...>``): a numpy array and its tensor type."""

    __slots__ = ("array", "type")

    def __init__(self, array, type: TensorType):
        arr = np.asarray(array, dtype=type.dtype.numpy)
        if not type.is_static:
            raise ValueError(f"dense constant needs a static type, got {type}")
        if arr.shape != type.shape:
            arr = np.broadcast_to(arr, type.shape)
        if type.dtype is DType.bf16:
            from torsh.ir.bf16 import round_to_bf16

            arr = round_to_bf16(arr)
        self.array = np.ascontiguousarray(arr).reshape(type.shape)  # 0-d stays 0-d
        self.array.setflags(write=False)
        self.type = type

    def key(self) -> tuple:
        """Hashable identity used by CSE: type plus the exact bytes."""
        return (self.type, self.array.tobytes())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DenseElements) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        return f"DenseElements({self.array.tolist()!r}, {self.type})"


@dataclass(frozen=True)
class SymbolRef:
    """A reference to a function by name (MLIR ``@name``), e.g. ``func.call``'s callee."""

    name: str


class Value:
    """An SSA value. ``uses`` lists (operation, operand index) pairs that read it."""

    __slots__ = ("type", "uses")

    def __init__(self, type: TensorType):
        self.type = type
        self.uses: list[tuple[Operation, int]] = []

    def replace_all_uses_with(self, new: Value) -> None:
        for op, i in list(self.uses):
            op.set_operand(i, new)

    @property
    def has_uses(self) -> bool:
        return bool(self.uses)


class OpResult(Value):
    __slots__ = ("owner", "index")

    def __init__(self, type: TensorType, owner: Operation, index: int):
        super().__init__(type)
        self.owner = owner
        self.index = index

    def __repr__(self) -> str:
        return f"<OpResult {self.owner.name}#{self.index}: {self.type}>"


class BlockArgument(Value):
    __slots__ = ("block", "index")

    def __init__(self, type: TensorType, block: Block, index: int):
        super().__init__(type)
        self.block = block
        self.index = index

    def __repr__(self) -> str:
        return f"<BlockArgument #{self.index}: {self.type}>"


class Operation:
    """An operation: ``name`` is the full name (``torsh.add``, ``func.return``)."""

    def __init__(
        self,
        name: str,
        operands: list[Value],
        result_types: list[TensorType],
        attributes: dict[str, Any] | None = None,
        regions: list[Region] | None = None,
        loc: Loc | None = None,
    ):
        self.name = name
        self.operands: list[Value] = []
        for v in operands:
            self._append_operand(v)
        self.results = [OpResult(t, self, i) for i, t in enumerate(result_types)]
        self.attributes: dict[str, Any] = dict(attributes or {})
        self.regions: list[Region] = list(regions or [])
        for r in self.regions:
            r.parent = self
        self.parent: Block | None = None
        self.loc = loc

    def _append_operand(self, v: Value) -> None:
        if not isinstance(v, Value):
            raise TypeError(f"operand of {self.name} must be an IR Value, got {type(v).__name__}")
        v.uses.append((self, len(self.operands)))
        self.operands.append(v)

    @property
    def result(self) -> OpResult:
        if len(self.results) != 1:
            raise ValueError(f"{self.name} has {len(self.results)} results, not one")
        return self.results[0]

    @property
    def short_name(self) -> str:
        return self.name.split(".", 1)[1] if self.name.startswith("torsh.") else self.name

    def set_operand(self, i: int, v: Value) -> None:
        old = self.operands[i]
        old.uses.remove((self, i))
        v.uses.append((self, i))
        self.operands[i] = v

    def drop_operands(self) -> None:
        for i, v in enumerate(self.operands):
            v.uses.remove((self, i))
        self.operands = []

    def erase(self) -> None:
        """Remove this op from its block; its results must be unused."""
        for r in self.results:
            if r.uses:
                raise ValueError(f"cannot erase {self.name}: its result is still used")
        self.drop_operands()
        for region in self.regions:
            for block in region.blocks:
                for op in reversed(block.ops):
                    op.erase_tree()
        if self.parent is not None:
            self.parent.ops.remove(self)
            self.parent = None

    def erase_tree(self) -> None:
        """Erase without use checks (for ops inside a region being dropped whole)."""
        self.drop_operands()
        if self.parent is not None:
            self.parent.ops.remove(self)
            self.parent = None

    def walk(self) -> Iterator[Operation]:
        """This op and every op nested in its regions, in pre-order."""
        yield self
        for region in self.regions:
            for block in region.blocks:
                for op in list(block.ops):
                    yield from op.walk()

    def where(self) -> str:
        return f" at {self.loc[0]}:{self.loc[1]}" if self.loc else ""

    def __repr__(self) -> str:
        return f"<Operation {self.name} ({len(self.operands)} -> {len(self.results)})>"


class Block:
    def __init__(self, arg_types: list[TensorType] | tuple = ()):
        self.args = [BlockArgument(t, self, i) for i, t in enumerate(arg_types)]
        self.ops: list[Operation] = []
        self.parent: Region | None = None

    def append(self, op: Operation) -> Operation:
        op.parent = self
        self.ops.append(op)
        return op

    def insert_before(self, anchor: Operation, op: Operation) -> Operation:
        op.parent = self
        self.ops.insert(self.ops.index(anchor), op)
        return op

    @property
    def terminator(self) -> Operation | None:
        return self.ops[-1] if self.ops else None


class Region:
    def __init__(self, blocks: list[Block] | None = None):
        self.blocks: list[Block] = []
        self.parent: Operation | None = None
        for b in blocks or []:
            self.add_block(b)

    def add_block(self, block: Block) -> Block:
        block.parent = self
        self.blocks.append(block)
        return block


@dataclass
class Func:
    """``func.func @name``: a single-block body ending in ``func.return``."""

    name: str
    body: Block
    result_types: tuple[TensorType, ...]
    loc: Loc | None = None

    @property
    def args(self) -> list[BlockArgument]:
        return self.body.args

    @property
    def type(self) -> FunctionType:
        return FunctionType(tuple(a.type for a in self.body.args), tuple(self.result_types))

    @property
    def return_op(self) -> Operation | None:
        t = self.body.terminator
        return t if t is not None and t.name == "func.return" else None

    def walk(self) -> Iterator[Operation]:
        for op in list(self.body.ops):
            yield from op.walk()


@dataclass
class Module:
    """A ``module { ... }`` of functions."""

    funcs: list[Func] = field(default_factory=list)

    def get(self, name: str) -> Func:
        for f in self.funcs:
            if f.name == name:
                return f
        raise KeyError(f"no function @{name} in module")

    def walk(self) -> Iterator[Operation]:
        for f in self.funcs:
            yield from f.walk()

    def __str__(self) -> str:
        from torsh.ir.printer import print_module

        return print_module(self)
