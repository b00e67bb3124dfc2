"""Ranges, enums and patterns read from the botocore service model of Amazon Bedrock.

The service model is the authority for API shapes: reading it at runtime means a botocore upgrade
that widens a range widens ours, and nothing here is a copied number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import botocore.session


@dataclass(frozen=True)
class FieldRule:
    """What the API accepts for one scalar member.

    ``type_name`` is botocore's (``integer``, ``float``, ``string``, ``boolean``); ``minimum`` and
    ``maximum`` are value bounds for numbers and length bounds for strings; ``None`` = unbounded.
    """

    type_name: str
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] = ()
    pattern: str | None = None


def _rule(shape) -> FieldRule:
    meta = shape.metadata
    return FieldRule(
        type_name=shape.type_name,
        minimum=meta.get("min"),
        maximum=meta.get("max"),
        enum=tuple(getattr(shape, "enum", None) or ()),
        pattern=meta.get("pattern"),
    )


@cache
def _create_job_input():
    model = botocore.session.get_session().get_service_model("bedrock")
    return model.operation_model("CreateModelCustomizationJob").input_shape


@cache
def rft_hyperparameter_rules() -> dict[str, FieldRule]:
    """``RFTHyperParameters`` member name -> rule, in the API's order."""
    shape = _create_job_input().members["customizationConfig"].members["rftConfig"]
    return {name: _rule(member) for name, member in shape.members["hyperParameters"].members.items()}


@cache
def create_job_rules() -> dict[str, FieldRule]:
    """Rules of the scalar top-level members of ``CreateModelCustomizationJob`` (names, ids, tokens)."""
    return {
        name: _rule(member)
        for name, member in _create_job_input().members.items()
        if member.type_name in {"string", "integer", "boolean"}
    }


@cache
def tag_rules() -> tuple[int, FieldRule, FieldRule]:
    """(maximum tag count, key rule, value rule) for ``jobTags``/``customModelTags``."""
    tags = _create_job_input().members["jobTags"]
    return (
        int(tags.metadata.get("max", 200)),
        _rule(tags.member.members["key"]),
        _rule(tags.member.members["value"]),
    )


@cache
def request_metadata_filter_rules() -> tuple[int, FieldRule, FieldRule]:
    """(maximum filters in ``andAll``/``orAll``, key rule, value rule) of ``RequestMetadataFilters``."""
    filters = (
        _create_job_input()
        .members["trainingDataConfig"]
        .members["invocationLogsConfig"]
        .members["requestMetadataFilters"]
    )
    equals = filters.members["equals"]
    return int(filters.members["andAll"].metadata["max"]), _rule(equals.key), _rule(equals.value)


@cache
def s3_uri_rule() -> FieldRule:
    """The API's ``S3Uri`` shape (training, validation and log-source URIs)."""
    return _rule(botocore.session.get_session().get_service_model("bedrock").shape_for("S3Uri"))
