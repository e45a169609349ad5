"""Error messages that point into IR text: ``line:col: message`` plus the source line and
a caret under the column."""

from __future__ import annotations


def caret(source: str | None, line: int, col: int) -> str:
    """The source line and a caret under ``col`` (both 1-based), or '' without a source."""
    if not source:
        return ""
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    if len(text) > 200:  # keep the caret line readable for very long lines
        lo = max(0, col - 100)
        text, col = text[lo:lo + 200], col - lo
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: max(col - 1, 0)])
    return f"\n  {text}\n  {pad}^"


def located(message: str, loc: tuple[int, int] | None, source: str | None = None) -> str:
    if loc is None:
        return message
    line, col = loc
    return f"{line}:{col}: {message}{caret(source, line, col)}"
