"""Shapes of AWS identifiers the config checks: Region names and account ids (as in ARNs)."""

from __future__ import annotations

import re

REGION_NAME = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
