"""The JSON Schema subset validator agrees with the ``jsonschema`` library on its keywords."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rft_runtime.rewards.jsonschema_lite import compile_schema, json_equal, schema_problems

SCHEMAS = [
    {"type": "integer"},
    {"type": ["string", "null"]},
    {"type": "number", "minimum": 0, "exclusiveMaximum": 10},
    {"type": "number", "exclusiveMinimum": 0, "maximum": 1.5},
    {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
    {"enum": [1, "a", None, [1, 2], {"k": True}]},
    {"const": {"a": [1, 2.0]}},
    {"const": 1},
    {"const": False},
    {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
        "required": ["name"],
        "additionalProperties": False,
    },
    {"type": "object", "properties": {"a": {"type": "boolean"}}, "additionalProperties": {"type": "number"}},
    {"properties": {"x": {"const": 3}}},
    {"items": {"enum": ["a", "b"]}},
    True,
    False,
    {"title": "annotated", "description": "ignored", "type": "object", "required": []},
    {
        "type": "object",
        "properties": {"list": {"type": "array", "items": {"type": "object", "required": ["id"]}}},
    },
]

INSTANCES = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    2.5,
    -3,
    10,
    1.5,
    "",
    "a",
    "ab",
    "abcd",
    "abcde",
    "AB",
    [],
    [1],
    [1, 2, 3, 4],
    [1, "x"],
    ["a", "b"],
    [1, 2],
    {},
    {"name": "x"},
    {"name": "x", "age": 3},
    {"name": "x", "age": -1},
    {"name": "x", "extra": 1},
    {"age": 3},
    {"a": True, "b": 2},
    {"a": 1},
    {"x": 3},
    {"x": 3.0},
    {"x": "3"},
    {"k": True},
    {"a": [1, 2]},
    {"list": [{"id": 1}, {}]},
    {"list": [{"id": 1}]},
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=[str(s)[:40] for s in SCHEMAS])
def test_agrees_with_jsonschema(schema):
    assert schema_problems(schema) == []
    reference = jsonschema.Draft202012Validator(schema)
    mine = compile_schema(schema)
    for instance in INSTANCES:
        assert mine(instance) == reference.is_valid(instance), (schema, instance)


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-5, 5), st.floats(-5, 5, allow_nan=False), st.text(max_size=4)
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from("abxyz"), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(instance=json_values, which=st.sampled_from(range(len(SCHEMAS))))
def test_agrees_with_jsonschema_on_random_values(instance, which):
    schema = SCHEMAS[which]
    assert compile_schema(schema)(instance) == jsonschema.Draft202012Validator(schema).is_valid(instance)


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({"$ref": "#/x"}, "'$ref' is not supported"),
        ({"anyOf": []}, "'anyOf' is not supported"),
        ({"type": "float"}, "/type: must be one of"),
        ({"properties": {"a": {"patternProperties": {}}}}, "#/properties/a: keyword 'patternProperties'"),
        ({"items": [{"type": "string"}]}, "#/items: a schema must be"),
        ({"required": "a"}, "/required: must be a list"),
        ({"minLength": -1}, "/minLength: must be a non-negative integer"),
        ({"maximum": "3"}, "/maximum: must be a number"),
        ({"pattern": "("}, "/pattern: not a valid regular expression"),
        ({"enum": "a"}, "/enum: must be a list"),
        ("string", "a schema must be an object or a boolean"),
    ],
)
def test_unsupported_or_broken_schemas_are_reported(schema, fragment):
    problems = schema_problems(schema)
    assert any(fragment in problem for problem in problems), problems


def test_json_equality():
    assert json_equal(1, 1.0) and json_equal([1, {"a": 2}], [1.0, {"a": 2.0}])
    assert not json_equal(True, 1) and not json_equal(0, False) and not json_equal({"a": 1}, {"a": 1, "b": 2})
    assert not json_equal("1", 1) and json_equal(None, None)
