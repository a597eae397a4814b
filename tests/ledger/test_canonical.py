"""canonical_bytes (orjson, sorted keys) is byte-identical to the reference RFC 8785 encoder.

The property covers everything a statement may hold; the explicit tests pin every refusal and
the path its message names.
"""

from __future__ import annotations

import datetime
import decimal
import enum
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.canonical import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    CanonicalJSONError,
    canonical_bytes,
    parse_json,
)

# --- what a statement may contain ------------------------------------------------------------

# Keys that stress the sort: the empty key, prefixes of each other, digits before capitals
# before lower case, punctuation on both sides of the letters, control characters and DEL.
TRICKY_KEYS = [
    "",
    "a",
    "aa",
    "aaa",
    "ab",
    "b",
    "A",
    "Z",
    "z",
    "0",
    "1",
    "10",
    "2",
    "9",
    " ",
    "!",
    '"',
    "\\",
    "/",
    "_",
    "~",
    "{",
    "\x00",
    "\x01",
    "\x1f",
    "\t",
    "\n",
    "\x7f",
    "a\x00",
    "a ",
    "type",
    "types",
    "subject",
    "subject_id",
]

# Pieces of text where JSON encoders differ: escapes, separators JavaScript treats as line ends,
# DEL, the byte order mark, noncharacters, astral-plane characters, Vietnamese with combining
# marks (both precomposed and decomposed forms, which must stay distinct).
TRICKY_PIECES = [
    "\x00",
    "\x08",
    "\t",
    "\n",
    "\x0b",
    "\x0c",
    "\r",
    "\x1b",
    "\x1f",
    " ",
    '"',
    "\\",
    "/",
    "'",
    "<",
    ">",
    "&",
    "\x7f",
    "\x80",
    "\x9f",
    "\xa0",
    "\xad",
    "\u0300",
    "\u0301",
    "\u0303",
    "\u0309",
    "\u0323",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\ufffd",
    "\ufffe",
    "\uffff",
    "\U0001f600",
    "\U0001f1fb\U0001f1f3",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U00010000",
    "\U0010ffff",
    "đ",
    "Đ",
    "ư",
    "ơ",
    "ễ",
    "e\u0302\u0303",
]

TRICKY_STRINGS = [
    "",
    "Nguyễn Văn Đức",
    "Nguye\u0302\u0303n Va\u0306n \u0110u\u031bc",
    "Ủy ban nhân dân xã Tân Phú",
    "Quyết định số 12/QĐ-UBND",
    '"quoted" \\ back\\slash',
    "line\u2028separator\u2029paragraph",
    "\x00\x01\x02\x1f\x7f",
    "tab\there\r\nCRLF",
    "\U0001f600\U0001f600",
    "\\u0000",
    "</script>",
]

SAFE_INTEGER_EDGES = [
    0,
    1,
    -1,
    MAX_SAFE_INTEGER,
    MAX_SAFE_INTEGER - 1,
    -MAX_SAFE_INTEGER,
    -MAX_SAFE_INTEGER + 1,
    2**31 - 1,
    2**31,
    -(2**31),
    2**32,
    2**52,
    -(2**52),
    10**15,
    -(10**15),
]

keys = st.one_of(
    st.sampled_from(TRICKY_KEYS),
    st.text(st.characters(max_codepoint=0x7F), max_size=6),
    st.lists(st.sampled_from(TRICKY_KEYS), max_size=3).map("".join),
)

strings = st.one_of(
    # Anything UTF-8 can encode: every Unicode scalar value (lone surrogates are not characters).
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.lists(st.sampled_from(TRICKY_PIECES), max_size=10).map("".join),
    st.sampled_from(TRICKY_STRINGS),
)

integers = st.one_of(
    st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER),
    st.sampled_from(SAFE_INTEGER_EDGES),
)

scalars = st.one_of(st.none(), st.booleans(), integers, strings)


def json_values(depth: int) -> st.SearchStrategy[Any]:
    """JSON values in the ledger's subset nested at most depth containers deep."""
    if depth == 0:
        return scalars
    children = json_values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    )


@st.composite
def deep_values(draw: st.DrawFn) -> Any:
    """A value with at least one path 4 to 8 containers deep, with siblings along the way."""
    value: Any = draw(st.one_of(scalars, st.just([]), st.just({})))
    for _ in range(draw(st.integers(min_value=4, max_value=8))):
        if draw(st.booleans()):
            siblings = draw(st.lists(json_values(1), max_size=2))
            siblings.insert(draw(st.integers(min_value=0, max_value=len(siblings))), value)
            value = siblings
        else:
            members = draw(st.dictionaries(keys, json_values(1), max_size=2))
            members[draw(keys)] = value
            value = members
    return value


statement_values = st.one_of(json_values(6), deep_values())


# --- the property ----------------------------------------------------------------------------


@settings(max_examples=2000, deadline=None)
@given(statement_values)
def test_canonical_bytes_equal_the_rfc8785_reference(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None)
@given(statement_values)
def test_canonical_bytes_parse_back_to_the_same_value(value: Any) -> None:
    encoded = canonical_bytes(value)

    assert parse_json(encoded) == value
    assert canonical_bytes(parse_json(encoded)) == encoded


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, scalars, min_size=2, max_size=12), st.randoms())
def test_insertion_order_does_not_matter(value: dict[str, Any], random: Any) -> None:
    items = list(value.items())
    random.shuffle(items)

    assert canonical_bytes(dict(items)) == canonical_bytes(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        MAX_SAFE_INTEGER,
        -MAX_SAFE_INTEGER,
        "",
        [],
        {},
        [[]],
        {"": {}},
        [[], {}, [{}], {"a": []}],
        dict.fromkeys(TRICKY_KEYS, 1),
        {"s": "".join(TRICKY_PIECES)},
        {"b": 1, "a": {"d": [1, 2, {"f": None, "e": True}], "c": False}},
    ],
)
def test_known_corners_equal_the_reference(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


def test_ascii_keys_sort_by_code_unit() -> None:
    # Keys sort by UTF-16 code units; for ASCII that is byte order: digits, capitals, lower case.
    value = {"b": 0, "a": 0, "B": 0, "A": 0, "1": 0, "10": 0, "2": 0, "": 0, "aa": 0, "_": 0}

    assert (
        canonical_bytes(value) == b'{"":0,"1":0,"10":0,"2":0,"A":0,"B":0,"_":0,"a":0,"aa":0,"b":0}'
    )


def test_escapes_are_the_rfc8785_ones() -> None:
    # Short escapes where JSON has them, \u00xx for other controls, and nothing else escaped:
    # not DEL, not U+2028/2029, not '/', not non-ASCII.
    value = '\b\t\n\f\r\x00\x1f"\\/\x7f\u2028\U0001f600'

    assert canonical_bytes(value) == (
        b'"\\b\\t\\n\\f\\r\\u0000\\u001f\\"\\\\/\x7f\xe2\x80\xa8\xf0\x9f\x98\x80"'
    )


def test_every_unicode_scalar_value_encodes_like_the_reference() -> None:
    # Exhaustive rather than sampled: each of the 1,112,064 characters alone and all together.
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]

    assert canonical_bytes(characters) == rfc8785.dumps(characters)
    assert canonical_bytes("".join(characters)) == rfc8785.dumps("".join(characters))


def test_every_ascii_key_of_one_or_two_characters_sorts_like_the_reference() -> None:
    ascii_characters = [chr(c) for c in range(0x80)]
    value = {a + b: 0 for a in ["", *ascii_characters] for b in ascii_characters}

    assert canonical_bytes(value) == rfc8785.dumps(value)


def test_values_nested_exactly_max_depth_deep_are_accepted() -> None:
    value: Any = "leaf"
    for _ in range(MAX_DEPTH):
        value = [value]

    assert canonical_bytes(value) == rfc8785.dumps(value)


# --- refusals, each naming the path of the offending value -----------------------------------


def refused(value: Any) -> str:
    with pytest.raises(CanonicalJSONError) as info:
        canonical_bytes(value)
    return str(info.value)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (1.5, "$"),
        (1.0, "$"),
        (0.0, "$"),
        (-0.0, "$"),
        (float("nan"), "$"),
        (float("inf"), "$"),
        ({"a": [1, {"b": 2.5}]}, "$.a[1].b"),
        ([0, 1, 1e300], "$[2]"),
    ],
)
def test_floats_are_refused(value: Any, path: str) -> None:
    assert refused(value).startswith(f"{path}: numbers must be integers")


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (MAX_SAFE_INTEGER + 1, "$"),
        (-MAX_SAFE_INTEGER - 1, "$"),
        (2**63, "$"),
        (-(2**64), "$"),
        (10**100, "$"),
        ({"n": [MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1]}, "$.n[1]"),
    ],
)
def test_integers_beyond_the_safe_range_are_refused(value: Any, path: str) -> None:
    # rfc8785 refuses them too (IntegerDomainError): JSON numbers are doubles to most readers.
    assert refused(value).startswith(f"{path}: integer ")
    with pytest.raises(rfc8785.CanonicalizationError):
        rfc8785.dumps(value)


@pytest.mark.parametrize("key", ["é", "Nguyễn", "\u2028", "\U0001f600", "\x80", "\ufeff"])
def test_non_ascii_keys_are_refused(key: str) -> None:
    # JCS sorts keys by UTF-16 code units, orjson by UTF-8 bytes; they differ above U+FFFF.
    assert refused({"outer": {key: 1}}).startswith("$.outer: object keys must be ASCII strings")


@pytest.mark.parametrize("key", [1, None, True, 1.5, b"a", (1, 2), frozenset()])
def test_non_string_keys_are_refused(key: Any) -> None:
    assert refused({"outer": [{key: 1}]}).startswith(
        "$.outer[0]: object keys must be ASCII strings"
    )


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (b"bytes", "bytes"),
        (bytearray(b"x"), "bytearray"),
        ((1, 2), "tuple"),
        ((), "tuple"),
        ({1, 2}, "set"),
        (frozenset(), "frozenset"),
        (decimal.Decimal("1"), "Decimal"),
        (datetime.date(2025, 7, 1), "date"),
        (object(), "object"),
    ],
)
def test_non_json_types_are_refused(value: Any, type_name: str) -> None:
    assert refused({"a": [value]}) == f"$.a[0]: {type_name} is not a JSON value"


def test_tuples_are_refused_though_rfc8785_accepts_them_as_arrays() -> None:
    # Refusing is the stricter, consistent choice: a tuple is never silently signed as a list.
    assert rfc8785.dumps({"a": (1, 2)}) == b'{"a":[1,2]}'
    assert refused({"a": (1, 2)}) == "$.a: tuple is not a JSON value"


@pytest.mark.parametrize("text", ["\ud800", "\udfff", "a\ud83d", "\ude00b", "\udc00\ud800"])
def test_lone_surrogates_are_refused(text: str) -> None:
    # rfc8785 refuses them too: they cannot be encoded as UTF-8.
    assert refused(text).startswith("$: ")
    assert refused({"a": [text]}) == "$.a[0]: string holds a lone surrogate"
    with pytest.raises(rfc8785.CanonicalizationError):
        rfc8785.dumps(text)


def test_a_lone_surrogate_names_its_path() -> None:
    assert refused({"a": ["ok", "\ud800"]}).startswith("$.a[1]: ")


def test_a_lone_surrogate_in_a_key_is_refused_as_non_ascii() -> None:
    assert refused({"a": {"\ud800": 1}}).startswith("$.a: object keys must be ASCII strings")


def test_nesting_deeper_than_max_depth_is_refused() -> None:
    value: Any = "leaf"
    for _ in range(MAX_DEPTH + 1):
        value = {"k": value}

    path = "$" + ".k" * (MAX_DEPTH + 1)
    assert refused(value) == f"{path}: nested deeper than {MAX_DEPTH} levels"


def test_deep_nesting_is_refused_before_orjson_recursion_limits() -> None:
    value: Any = []
    for _ in range(10_000):
        value = [value]

    assert f"nested deeper than {MAX_DEPTH} levels" in refused(value)


class Colour(enum.StrEnum):
    RED = "red"


def test_str_enum_keys_are_refused_though_str_enum_values_are_accepted() -> None:
    # Values: orjson writes an enum's value, as rfc8785 does.
    assert canonical_bytes({"c": Colour.RED}) == rfc8785.dumps({"c": Colour.RED}) == b'{"c":"red"}'
    # Keys: refused by type, with the path (orjson would refuse them without one).
    assert refused({"c": {Colour.RED: 1}}).startswith("$.c: object keys must be ASCII strings")


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b" ",
        b"{",
        b"[1,]",
        b'{"a":1,}',
        b"{'a':1}",
        b'{"a" 1}',
        b"NaN",
        b"Infinity",
        b"1e400",
        b"01",
        b"+1",
        b".5",
        b"[1] [2]",
        b'"unterminated',
        b'"\\x41"',
        b'"\\ud800"',
        b'"\xff"',
        b'"\xed\xa0\x80"',
        b"\xef\xbb\xbf{}",
        b'"tab\there"',
        b"true false",
        b"nul",
        '{"a": 1}\u2028'.encode(),
    ],
)
def test_malformed_json_is_refused(text: bytes) -> None:
    with pytest.raises(CanonicalJSONError, match=r"^malformed JSON: "):
        parse_json(text)


def test_parse_json_accepts_str_too() -> None:
    assert parse_json('{"a": [1, "Đ"]}') == {"a": [1, "Đ"]}
    with pytest.raises(CanonicalJSONError):
        parse_json("{")
