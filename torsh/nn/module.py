"""``Module``: the base class of layers, with PyTorch's registration and traversal API."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from torsh._scope import local as _scope
from torsh._scope import note_guard, note_write
from torsh._tensor import Tensor
from torsh.errors import InvalidArgumentError, ShapeMismatchError
from torsh.nn.parameter import Parameter


def _assign_buffer(m: Module, name: str, value: Tensor) -> None:
    """load_state_dict's buffer update: in place, as torch's copy_, when the buffer is a
    realized tensor of the same type (so whoever holds it - a captured torsh.compile step
    among them - sees the new data); else the entry is replaced."""
    have = m._buffers.get(name)
    if isinstance(have, Tensor) and have._buf is not None and have._type == value._type:
        if _scope.active:
            note_write("data", have, None, have._buf)
        have._buf = value._buf
    else:
        m._buffers[name] = value


class Module:
    """Subclass it, assign Parameters and sub-Modules as attributes, define ``forward``.

    >>> import torsh
    >>> class Scale(torsh.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.s = torsh.nn.Parameter(torsh.ones(1) * 2)
    ...     def forward(self, x):
    ...         return x * self.s
    >>> Scale()(torsh.tensor([3.0]))
    tensor([6.], grad_fn=<MulBackward0>)
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("call super().__init__() before assigning module attributes")
        if name in self._buffers and (value is None or (isinstance(value, Tensor) and
                                                        not isinstance(value, Parameter))):
            self._buffers[name] = value  # as torch: assigning to a buffer's name updates it
            return
        if name in self._parameters and not isinstance(value, Parameter):
            if value is None:
                self._parameters[name] = None  # as torch: stays registered, as None
                return
            if isinstance(value, Tensor):
                # silently turning a parameter into a plain attribute would drop it from
                # parameters(), the optimizer and the state dict
                raise InvalidArgumentError(
                    f"cannot assign a tensor to parameter '{name}' ({type(self).__name__}): "
                    f"a Parameter or None is expected; wrap it as nn.Parameter(tensor), or "
                    f"load new values with load_state_dict()")
        for d in (self._parameters, self._modules, self._buffers):
            d.pop(name, None)
        if isinstance(value, (Parameter, Module)):
            # a plain attribute of that name (e.g. `self.bias = None`) would shadow the
            # registered value: __getattr__ is only consulted when normal lookup fails
            self.__dict__.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        d = self.__dict__
        for store in ("_parameters", "_modules", "_buffers"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for d in (self._parameters, self._modules, self._buffers):
            if name in d:
                del d[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """A non-trainable tensor saved in the state dict (e.g. running statistics)."""
        for d in (self._parameters, self._modules):
            d.pop(name, None)
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            self.__dict__.pop(name, None)
            self._parameters[name] = None
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        if _scope.active:  # torsh.compile: a replay needs the same train/eval mode
            note_guard(self._training_guard)
        return self.forward(*args, **kwargs)

    def _training_guard(self) -> bool:
        return self.training

    # -- traversal ---------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        # Depth-first pre-order, as PyTorch: the order of parameters() (and so of an
        # optimizer's state dict) follows it, so it must match torch's for the same model.
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in m._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()  # a module registered under two names is one child, as in PyTorch
        for n, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield n, m

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mname, m in modules:
            for pname, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self):
        for mname, m in self.named_modules():
            for bname, b in m._buffers.items():
                if b is not None:
                    yield (f"{mname}.{bname}" if mname else bname), b

    def buffers(self):
        return (b for _, b in self.named_buffers())

    # -- modes and gradients --------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = p.grad * 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # -- state --------------------------------------------------------------------------
    def _state_entries(self):
        """(key, owning module, store, attr) per entry, in PyTorch's state-dict order:
        module by module (depth-first), each module's parameters then its buffers. Unlike
        named_modules(), a module registered under two names appears under both (tied
        weights are saved under every name, as torch does)."""
        stack = [("", self)]
        while stack:
            mname, m = stack.pop()
            for store in ("_parameters", "_buffers"):
                for attr, t in getattr(m, store).items():
                    if t is not None:
                        yield (f"{mname}.{attr}" if mname else attr), m, store, attr
            stack.extend(reversed([(f"{mname}.{n}" if mname else n, c)
                                   for n, c in m._modules.items() if c is not None]))

    def state_dict(self) -> OrderedDict:
        out = OrderedDict()
        for key, m, store, attr in self._state_entries():
            out[key] = getattr(m, store)[attr].detach()
        return out

    def load_state_dict(self, state: dict, strict: bool = True):
        own = {key: (m, store, attr) for key, m, store, attr in self._state_entries()}
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise InvalidArgumentError(f"load_state_dict: missing keys {missing}, unexpected "
                                       f"keys {unexpected}; pass strict=False to load the "
                                       f"matching keys only")
        # Check every shape before assigning anything, so a failed load changes nothing.
        for k, v in state.items():
            if k in own:
                m, store, attr = own[k]
                have = getattr(m, store)[attr]
                if tuple(v.shape) != tuple(have.shape):
                    raise ShapeMismatchError(f"load_state_dict: {k} has shape {list(v.shape)} "
                                             f"in the state dict but {list(have.shape)} in "
                                             f"the model")
        for k, v in state.items():
            if k in own:
                m, store, attr = own[k]
                if store == "_parameters":
                    m._parameters[attr]._assign(v)
                else:
                    _assign_buffer(m, attr, v.detach().realize())
        return missing, unexpected

    # -- printing -----------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        children = list(self.named_children())
        if not children:
            return lines[0] + ")"
        for name, m in children:
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        return "\n".join(lines) + "\n)"
