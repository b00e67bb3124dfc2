"""Model identifiers ``rft baseline`` and ``rft compare`` accept, recognised before any call.

Converse (``bedrock-runtime``) takes a foundation-model id (``amazon.nova-2-lite-v1:0:256k``), a
cross-Region inference-profile id (``us.amazon.nova-2-lite-v1:0``), or the ARN of a foundation
model, an inference profile, an application inference profile, a custom-model deployment (how a
trained RFT model is served on demand) or a provisioned model. A custom-model ARN is refused with a
hint: a custom model is invoked through its deployment. Anything else is refused before a call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MODEL_ID = r"[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}(?:[.:]?[a-z0-9-]{1,63})*"
#: Geography prefixes of system-defined cross-Region inference profiles.
PROFILE_PREFIXES = ("us", "us-gov", "eu", "apac", "jp", "au", "ca", "global")
_FOUNDATION = re.compile(_MODEL_ID)
#: The geography prefix that starts a system-defined inference-profile id (``us.``, ``global.``).
PROFILE_PREFIX = re.compile(rf"(?:{'|'.join(re.escape(p) for p in PROFILE_PREFIXES)})\.")
_PROFILE = re.compile(PROFILE_PREFIX.pattern + _MODEL_ID)
_ARN = re.compile(
    r"arn:aws(?:-[a-z-]+)?:bedrock:(?P<region>[a-z0-9-]{1,20}):(?P<account>[0-9]{12})?:"
    r"(?P<kind>[a-z-]+)/(?P<rest>[A-Za-z0-9.:/_-]+)"
)
#: ARN resource types Converse can invoke -> how they are described.
ARN_KINDS = {
    "foundation-model": "foundation model",
    "inference-profile": "inference profile",
    "application-inference-profile": "application inference profile",
    "custom-model-deployment": "custom model deployment",
    "provisioned-model": "provisioned model",
}
_ACCEPTED = (
    "a model id (amazon.nova-2-lite-v1:0:256k), an inference-profile id (us.amazon.nova-2-lite-v1:0) "
    "or the ARN of a foundation model, inference profile, custom-model deployment or provisioned model"
)


@dataclass(frozen=True)
class ModelRef:
    """A recognised identifier: ``kind`` says what it names, ``region`` is the ARN's (else None)."""

    identifier: str
    kind: str
    region: str | None = None


def parse_model(identifier: str, *, option: str = "--model") -> ModelRef:
    """The :class:`ModelRef` of ``identifier``; raises ValueError naming ``option`` and the
    accepted forms."""
    text = identifier.strip()
    if text.startswith("arn:"):
        match = _ARN.fullmatch(text)
        if match and match["kind"] in ARN_KINDS:
            if match["kind"] != "foundation-model" and not match["account"]:
                raise ValueError(f"{option}: {identifier!r}: the ARN has no account id")
            return ModelRef(text, ARN_KINDS[match["kind"]], match["region"])
        if match and match["kind"] == "custom-model":
            raise ValueError(
                f"{option}: {identifier!r} is a custom model; Converse invokes it through its "
                "deployment: pass the custom-model-deployment ARN"
            )
        raise ValueError(f"{option}: {identifier!r} is not an ARN Converse can invoke; give {_ACCEPTED}")
    if _PROFILE.fullmatch(text):
        return ModelRef(text, "inference profile")
    if _FOUNDATION.fullmatch(text):
        return ModelRef(text, "foundation model")
    raise ValueError(f"{option}: {identifier!r} is not a model identifier; give {_ACCEPTED}")
