"""Conversions from config units to CDK types; importable without loading the CDK."""

from __future__ import annotations

_RETENTION_NAMES = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
    60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
    365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS",
    1827: "FIVE_YEARS", 2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}  # fmt: skip

#: Retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = tuple(_RETENTION_NAMES)


def retention_days(days: int):
    """The ``aws_logs.RetentionDays`` member for a CloudWatch Logs retention given in days."""
    from aws_cdk import aws_logs as logs  # the config loader uses this module without the CDK

    try:
        return getattr(logs.RetentionDays, _RETENTION_NAMES[days])
    except KeyError:
        raise ValueError(
            f"{days} days is not a CloudWatch Logs retention; allowed: {sorted(_RETENTION_NAMES)}"
        ) from None
