"""Bad IR text is reported as torsh.IRParseError or torsh.IRVerifyError, never as a lark or
Python internal error, with ``line:col: message`` naming the problem and a caret line.

The corpus lives in tests/ir/bad/*.mlir; the first line of each file says what to expect:
``// expect: <IRParseError|IRVerifyError> <line>:<col> <words the message must contain>``.
Inputs that cannot live in a text file (empty, non-UTF-8, 10,000-deep nesting, every
prefix of a golden file, random mutations) are made here.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import torsh.ir
from tests.ir.helpers import (
    BAD_DIR,
    GOLDEN_FILES,
    LOCATED,
    check_ir_error,
    expect_ir_error,
    golden_id,
)
from torsh.ir import IRParseError, IRVerifyError, parse
from torsh.ir.parser import MAX_NESTING

BAD_FILES = sorted(BAD_DIR.glob("*.mlir"))
EXPECT = re.compile(r"// expect: (IRParseError|IRVerifyError) (\d+):(\d+) (.+)")
GOLDEN_TEXTS = {p.stem: p.read_text() for p in GOLDEN_FILES}


def test_the_corpus_is_there():
    assert len(BAD_FILES) >= 60


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_file_is_rejected_with_a_located_message(path):
    text = path.read_bytes().decode("utf-8")
    header = EXPECT.fullmatch(text.splitlines()[0])
    assert header, f"{path.name}: first line must be '// expect: <class> <line>:<col> <words>'"
    cls_name, line, col, keyword = header.groups()
    err = expect_ir_error(text, keyword, getattr(torsh.ir, cls_name))
    assert LOCATED.match(str(err)).groups() == (line, col), str(err)


def test_verify_errors_name_the_op():
    for path in BAD_FILES:
        text = path.read_text()
        if " IRVerifyError " in text.splitlines()[0] and '"torsh.' in text:
            msg = str(expect_ir_error(text)).splitlines()[0]
            assert re.search(r"(torsh\.\w+|arith\.\w+|func @\w+)", msg), msg


# ------------------------------------------------------------------- generated inputs

@pytest.mark.parametrize("text", ["", b"", "   \n\t\n", "// only a comment\n", "module {"],
                         ids=["empty", "empty-bytes", "whitespace", "comment", "open-module"])
def test_empty_or_unfinished_input_says_end_of_input(text):
    try:
        parse(text)
    except Exception as e:  # noqa: BLE001
        check_ir_error(e, text, "end of input", caret=bool(text.strip()))
    else:
        raise AssertionError("accepted")


NEST = 10_000
DEEP = {
    "square-in-attribute": 'module {\n  func.func @f(%arg0: tensor<2xf32>) -> tensor<f32> {\n'
                           '    %0 = "torsh.sum"(%arg0) {axes = ' + "[" * NEST,
    "square-closed": 'module {\n  func.func @f() {\n    %0 = "torsh.x"() {a = '
                     + "[" * NEST + "]" * NEST + "} : () -> tensor<f32>\n    return\n  }\n}\n",
    "parens": "module {\n" + "(" * NEST,
    "braces": "{" * NEST + "}" * NEST,
    "mixed": "module { func.func @f(" + "([{" * (NEST // 3),
    "dense-literal": 'module {\n  func.func @f() {\n    %0 = "torsh.constant"() {value = dense<'
                     + "[" * NEST + "1" + "]" * NEST + "> : tensor<1xi32>} : () -> "
                     "tensor<1xi32>\n    return\n  }\n}\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_ten_thousand_deep_nesting_is_an_error_not_a_recursion_error(name):
    text = DEEP[name]
    line, _ = check_ir_error(_raises(text), text, "nest")
    assert line <= 4


def test_nesting_at_the_limit_is_checked_by_the_grammar_instead():
    ok_depth = 'module {\n  func.func @f() {\n    %0 = "torsh.x"() {a = ' + "[" * (
        MAX_NESTING - 3) + "]" * (MAX_NESTING - 3) + "} : () -> tensor<f32>\n    return\n  }\n}\n"
    err = _raises(ok_depth)
    check_ir_error(err, ok_depth, "unknown op 'torsh.x'")


def test_brackets_inside_strings_and_comments_do_not_count():
    body = "(" * (2 * MAX_NESTING)
    text = (f'// {body}\nmodule {{\n  func.func @"{body}"(%arg0: tensor<2xf32>) -> '
            'tensor<2xf32> {\n    return %arg0 : tensor<2xf32>\n  }\n}\n')
    assert parse(text).funcs[0].name == body


def test_nesting_error_position_survives_an_unterminated_string():
    text = 'module {\n  "abc\n' + "(" * 300
    line, _ = check_ir_error(_raises(text), text, "nest")
    assert line == 3


@pytest.mark.parametrize("data, line, col", [
    (b"module {\n  \xff }\n", 2, 3),
    (b"module {\n  func.func @\"\xc3\xa9\xe2\x82\xac\x80\"() {\n", 2, 17),  # columns count chars
    (b"\xc3(", 1, 1),
    (b"module {\n\xed\xa0\x80}\n", 2, 1),  # an encoded surrogate is not UTF-8 either
])
def test_non_utf8_bytes_are_a_located_parse_error(data, line, col):
    assert check_ir_error(_raises(data), data, "UTF-8") == (line, col)


def test_valid_bytes_and_bytearray_parse_like_text():
    text = GOLDEN_TEXTS["multi"]
    assert str(parse(text.encode())) == text
    assert str(parse(bytearray(text.encode()))) == text


def test_non_text_input_is_a_type_error():
    with pytest.raises(TypeError):
        parse(42)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- truncation

def _check_prefix(text: str, n: int) -> None:
    prefix = text[:n]
    if prefix.rstrip() == text.rstrip():
        assert str(parse(prefix)) == text
        return
    err = _raises(prefix)
    check_ir_error(err, prefix, caret=bool(prefix))
    if prefix.endswith(("\n", "}")):
        assert "end of input" in str(err), str(err)


def test_every_prefix_of_a_small_golden_file_is_an_error():
    text = GOLDEN_TEXTS["multi"]
    for n in range(len(text) + 1):
        _check_prefix(text, n)


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=golden_id)
def test_sampled_prefixes_of_every_golden_file_are_errors(path):
    text = GOLDEN_TEXTS[path.stem]
    rng = random.Random(path.stem)
    cuts = {i + 1 for i, ch in enumerate(text) if ch == "\n"}  # every line boundary
    cuts |= {rng.randrange(len(text)) for _ in range(30)}
    for n in sorted(cuts):
        _check_prefix(text, n)


# ------------------------------------------------------------------------------ fuzzing

PIECES = list("(){}[]<>%@\":,=-+.#?!\\/x0189aefEF \t\n") + [
    "\x00", "\u00e9", "\U0001F600", "tensor<", "dense<", "0x", "//", "%arg0", "?x", "-> ",
    '"torsh.add"', "module {", "}", "i1", "f16", "bf16", "return ", "]]]]", "((((",
]


DTYPE_NAMES = ["f16", "bf16", "f32", "f64", "i1", "i8", "i32", "i64"]


@st.composite
def mutated_golden_texts(draw):
    name = draw(st.sampled_from(sorted(GOLDEN_TEXTS)))
    text = GOLDEN_TEXTS[name]
    # positions from a seeded Random: hypothesis's own integers cluster near 0 (the start
    # of the file), and every part of the text should be hit
    rnd = draw(st.randoms(use_true_random=True))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "swap-lines", "digit",
                                     "dtype"]))
        pos = rnd.randrange(max(len(text), 1))
        if kind in ("digit", "dtype"):  # well-formed text that the verifier must judge
            pattern = r"\d" if kind == "digit" else r"\b(f16|bf16|f32|f64|i1|i8|i32|i64)\b"
            spots = [m.span() for m in re.finditer(pattern, text)]
            if spots:
                a, b = spots[rnd.randrange(len(spots))]
                new = rnd.choice("0123456789" if kind == "digit" else DTYPE_NAMES)
                text = text[:a] + new + text[b:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 8)):]
        elif kind == "insert":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos:]
        elif kind == "replace":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos + 1:]
        else:
            lines = text.split("\n")
            i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@settings(max_examples=300, deadline=None)
@given(mutated_golden_texts())
def test_mutated_golden_text_parses_or_raises_a_located_ir_error(text):
    try:
        module = parse(text)
    except Exception as e:  # noqa: BLE001 - anything but the two IR errors fails below
        check_ir_error(e, text)
    else:
        printed = str(module)
        assert str(parse(printed)) == printed


def _raises(text) -> BaseException:
    try:
        parse(text)
    except Exception as e:  # noqa: BLE001
        assert type(e) in (IRParseError, IRVerifyError), f"{type(e).__name__}: {e}"
        return e
    raise AssertionError(f"parse accepted {text[:200]!r}")
