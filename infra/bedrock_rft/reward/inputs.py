"""What decides a job's rewards, as a value: the grader version Bedrock calls and its behaviour.

:class:`RewardFunction` builds a :class:`RewardInputs` (attribute ``inputs``); ``RftLifecycle``
takes it and derives the run's fingerprint and its readable training inputs from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from aws_cdk import aws_lambda as lambda_

import rft_runtime
from bedrock_rft.reward.fingerprint import grader_code_sha256, portable_options, reward_fingerprint
from rft_runtime.rewards.catalogue import graders_in_use


@dataclass(frozen=True, kw_only=True)
class RewardInputs:
    """The grader of a job.

    Keyword arguments:
        version: the reward Lambda *version* the job invokes (a running job keeps the grader it
            started with). Required.
        template: the catalogue template the function runs (``rft_runtime.rewards.templates``),
            ``"composite"`` or ``"custom"``. Required.
        options: the template's options, as configured (for ``custom``, ``path`` names the
            user's ``score()`` file, which counts by content). Default: none.
    """

    version: lambda_.IVersion
    template: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def templates(self) -> list[str]:
        """Every template the grader runs (the sub-graders of a composite included), sorted."""
        return sorted({name for name, _ in graders_in_use(self.template, self.options)})

    @property
    def user_file(self) -> Path | None:
        """The user's grader file (``custom`` only), else None."""
        return Path(self.options["path"]) if self.template == "custom" else None

    @cached_property
    def fingerprint(self) -> str:
        """Hex SHA-256 of template, options and the code that runs
        (:func:`~bedrock_rft.reward.fingerprint.reward_fingerprint`)."""
        return reward_fingerprint(
            self.template, self.options, _code_root(), self.user_file, templates=self.templates
        )

    def described(self) -> dict[str, Any]:
        """The same inputs as training-input names: ``reward.template``, ``reward.options.<name>``
        (a ``custom`` grader's ``path`` left out) and ``reward.code`` (``sha256:`` of the code that
        runs: the package's grader modules and, for ``custom``, the user's file)."""
        described: dict[str, Any] = {"reward.template": self.template}
        for key, value in sorted(portable_options(self.template, self.options).items()):
            described[f"reward.options.{key}"] = value
        code = grader_code_sha256(_code_root(), self.templates, self.user_file)
        described["reward.code"] = f"sha256:{code}"
        return described


def _code_root() -> Path:
    return Path(rft_runtime.__file__).parent
