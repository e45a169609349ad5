"""A small parser of include/torsh.h: its function prototypes, structs and constants.

Enough C for the header torsh writes (one declaration per `TORSH_API ... ;`), used by the
tests that hold the C suite and the ctypes declarations to the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "torsh.h"

# Function-pointer typedefs of the header: passed like pointers, checked like pointers.
FUNCTION_POINTER_TYPES = ("torsh_kernel_fn", "torsh_deleter_fn")


@dataclass(frozen=True)
class Param:
    type: str  # normalized: "const int64_t *", "torsh_error_t **", "int"
    name: str

    @property
    def is_pointer(self) -> bool:
        return "*" in self.type or self.type in FUNCTION_POINTER_TYPES


@dataclass(frozen=True)
class Function:
    name: str
    restype: str
    params: tuple[Param, ...]


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", " ", text)


def _normalize_type(t: str) -> str:
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\s*\*\s*", " *", t)  # "void*const*" -> "void *const *"
    t = t.replace("* ", "*").replace(" *const", " *const ")
    return re.sub(r"\s+", " ", t).strip()


def _split_decl(decl: str) -> tuple[str, str]:
    """'const int64_t *shape' -> ('const int64_t *', 'shape')."""
    m = re.match(r"^(.*?)([A-Za-z_]\w*)$", decl.strip(), flags=re.DOTALL)
    if not m:
        raise ValueError(f"cannot parse declaration {decl!r}")
    return _normalize_type(m.group(1)), m.group(2)


def functions(path: Path = HEADER) -> dict[str, Function]:
    text = _strip_comments(path.read_text())
    found: dict[str, Function] = {}
    for m in re.finditer(r"TORSH_API\s+([^;(]*?)\b(torsh_\w+)\s*\(([^)]*)\)\s*;", text, re.DOTALL):
        restype = _normalize_type(m.group(1))
        raw = m.group(3).strip()
        params = () if raw in ("", "void") else tuple(
            Param(*_split_decl(p)) for p in raw.split(","))
        found[m.group(2)] = Function(m.group(2), restype, params)
    return found


def structs(path: Path = HEADER) -> dict[str, list[tuple[str, str]]]:
    """typedef struct NAME { fields } NAME_t;  ->  {NAME_t: [(type, field), ...]}."""
    text = _strip_comments(path.read_text())
    found = {}
    for m in re.finditer(r"typedef\s+struct\s+\w+\s*\{([^}]*)\}\s*(\w+)\s*;", text, re.DOTALL):
        fields = [_split_decl(f) for f in m.group(1).split(";") if f.strip()]
        found[m.group(2)] = fields
    return found


def enum_values(path: Path = HEADER) -> dict[str, int]:
    """Every NAME = NUMBER inside the header's enums."""
    text = _strip_comments(path.read_text())
    values = {}
    for body in re.findall(r"typedef\s+enum\s+\w+\s*\{([^}]*)\}", text, re.DOTALL):
        for name, value in re.findall(r"(\w+)\s*=\s*(-?\d+)", body):
            values[name] = int(value)
    return values


def defines(path: Path = HEADER) -> dict[str, str]:
    text = _strip_comments(path.read_text())
    return dict(re.findall(r"#define\s+(TORSH_\w+)[ \t]+([^\n\\]+)", text))
