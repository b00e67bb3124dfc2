"""Stable issue codes of the dataset validator.

Tools and tests match on these strings, so they never change meaning. Every code is either an error
(the row or file would be rejected or is unusable for RFT) or a warning (accepted, but probably not what
you meant). Line 0 in an issue means the whole file.
"""

from __future__ import annotations

# --- errors: reading the line -------------------------------------------------------------------------
INVALID_UTF8 = "invalid-utf8"  # the line's bytes are not UTF-8
INVALID_JSON = "invalid-json"  # the line is not one JSON value (or uses NaN/Infinity)
TRAILING_DATA = "trailing-data"  # something follows the JSON object on the same line
LINE_TOO_LONG = "line-too-long"  # a line over the validator's line-size bound (see validator.py)
NOT_AN_OBJECT = "not-an-object"  # the JSON value is not an object

# --- errors: the conversation -------------------------------------------------------------------------
MISSING_MESSAGES = "missing-messages"  # no "messages" field, or it is not a list
EMPTY_MESSAGES = "empty-messages"  # "messages" is []
BAD_TURN = "bad-turn"  # a messages[i] entry is not an object
BAD_ROLE = "bad-role"  # role missing or not system/user/assistant
SYSTEM_NOT_FIRST = "system-not-first"  # a system turn after the first position
NO_USER_TURN = "no-user-turn"  # no user turn at all
LAST_TURN_NOT_USER = "last-turn-not-user"  # the prompt must end on a user turn
BAD_CONTENT = "bad-content"  # content missing, of the wrong type, or a malformed block
MEDIA_CONTENT = "media-content"  # image/audio/video/file blocks: RFT is text only
EMPTY_CONTENT = "empty-content"  # a user or assistant turn with no text

# --- errors: other fields and the file ----------------------------------------------------------------
MISSING_FIELD = "missing-field"  # a required field (e.g. reference_answer) is absent
EMPTY_FIELD = "empty-field"  # a required field is null, "", [] or {}
UNGRADABLE_REFERENCE = "ungradable-reference"  # the reward template cannot grade the row's reference
BAD_TOOLS = "bad-tools"  # "tools" is present but not a list of OpenAI function specs (nova-forge-sdk)
PROMPT_TOO_LONG = "prompt-too-long"  # estimated prompt tokens over the limit you gave
NO_ROWS = "no-rows"  # the file holds no rows at all
TOO_FEW_ROWS = "too-few-rows"  # fewer rows than the service minimum
TOO_MANY_ROWS = "too-many-rows"  # more rows than the service maximum

# --- warnings ---------------------------------------------------------------------------------------
DUPLICATE_PROMPT = "duplicate-prompt"  # same messages as an earlier row
DUPLICATES_NOT_CHECKED = "duplicates-not-checked"  # duplicate detection stopped at its memory bound
EMPTY_SYSTEM_PROMPT = "empty-system-prompt"  # a system turn with no text
MISSING_RECOMMENDED_FIELD = "missing-recommended-field"  # e.g. no reference_answer when none is required
BLANK_LINE = "blank-line"  # an empty or whitespace-only line (skipped, not a row)
CRLF_LINE_ENDINGS = "crlf-line-endings"  # lines end with \r\n
UTF8_BOM = "utf8-bom"  # the file starts with a UTF-8 byte order mark
INCONSISTENT_FIELD = "inconsistent-field"  # id/reference_answer/tools in some rows only (nova-forge-sdk)

ERROR_CODES = frozenset(
    {
        INVALID_UTF8,
        INVALID_JSON,
        TRAILING_DATA,
        LINE_TOO_LONG,
        NOT_AN_OBJECT,
        MISSING_MESSAGES,
        EMPTY_MESSAGES,
        BAD_TURN,
        BAD_ROLE,
        SYSTEM_NOT_FIRST,
        NO_USER_TURN,
        LAST_TURN_NOT_USER,
        BAD_CONTENT,
        MEDIA_CONTENT,
        EMPTY_CONTENT,
        MISSING_FIELD,
        EMPTY_FIELD,
        UNGRADABLE_REFERENCE,
        BAD_TOOLS,
        PROMPT_TOO_LONG,
        NO_ROWS,
        TOO_FEW_ROWS,
        TOO_MANY_ROWS,
    }
)
WARNING_CODES = frozenset(
    {
        DUPLICATE_PROMPT,
        DUPLICATES_NOT_CHECKED,
        EMPTY_SYSTEM_PROMPT,
        MISSING_RECOMMENDED_FIELD,
        BLANK_LINE,
        CRLF_LINE_ENDINGS,
        UTF8_BOM,
        INCONSISTENT_FIELD,
    }
)
