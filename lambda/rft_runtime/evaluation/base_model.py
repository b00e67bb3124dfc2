"""How a pipeline's base model is called: the one rule from the id RFT trains from to the id Converse takes.

RFT trains from a foundation model named with its context window (``jobRequest.baseModelIdentifier``,
``amazon.nova-2-lite-v1:0:256k``), but Nova 2 Lite answers Converse and InvokeModel only through a
system-defined inference profile (``us.amazon.nova-2-lite-v1:0``), never under the training id.
:func:`invocation_model_id` maps the one to the other; the promotion gate's first-run incumbent,
the defaults of ``rft baseline --config`` / ``rft compare --config`` and the gate's IAM grant all
use it.
"""

from __future__ import annotations

import re

from rft_runtime.evaluation.models import PROFILE_PREFIX

#: The inference-profile geography of a Region, by the Region name's first part.
GEOGRAPHY_BY_AREA = {"us": "us", "eu": "eu", "ap": "apac"}
_REGION = re.compile(r"(?P<area>[a-z]{2})-(?P<place>[a-z]+)-\d+")
_CONTEXT_WINDOW = re.compile(r":\d+k$")
_FOUNDATION_ARN = re.compile(r"arn:aws[a-z-]*:bedrock:[a-z0-9-]*::foundation-model/(?P<model>.+)")


def invocation_model_id(base_model: str, region: str) -> str:
    """The inference-profile id Converse calls for ``base_model`` in ``region``.

    Rule: a foundation-model id or ARN (``amazon.nova-2-lite-v1:0:256k``,
    ``arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0:256k``) loses its
    context-window suffix (``:<digits>k``) and gains the geography of ``region``: ``us-*`` ->
    ``us.``, ``eu-*`` -> ``eu.``, ``ap-*`` -> ``apac.`` (``us.amazon.nova-2-lite-v1:0``). A
    geography profile keeps every call in that geography's Regions (data residency), unlike
    ``global.`` profiles, which may route to any commercial Region. An id that already names an
    inference profile, and any other ARN (inference profile, custom-model deployment, provisioned
    or custom model), is returned unchanged. Raises ``ValueError`` naming the Region when it has
    no known geography (for example ``us-gov-west-1`` or ``ca-central-1``).
    """
    if base_model.startswith("arn:"):
        match = _FOUNDATION_ARN.fullmatch(base_model)
        if match is None:
            return base_model
        model = match["model"]
    elif PROFILE_PREFIX.match(base_model):
        return base_model
    else:
        model = base_model
    return f"{geography(region)}.{_CONTEXT_WINDOW.sub('', model)}"


def geography(region: str) -> str:
    """The inference-profile geography prefix of ``region`` (``us``, ``eu`` or ``apac``); raises
    ``ValueError`` naming the Region and the allowed ones otherwise."""
    match = _REGION.fullmatch(region or "")
    area = match["area"] if match and match["place"] != "gov" else None
    if area not in GEOGRAPHY_BY_AREA:
        allowed = ", ".join(f"{a}-* -> {g}." for a, g in GEOGRAPHY_BY_AREA.items())
        raise ValueError(
            f"Region {region!r} has no known inference-profile geography for the base model; "
            f"allowed: {allowed}"
        )
    return GEOGRAPHY_BY_AREA[area]


def measured_through(base_model: str, model: str) -> str:
    """The sentence a report adds when ``model`` (a profile id) stands for ``base_model``."""
    return f"base model {base_model} (what RFT trains from), measured through inference profile {model}"
